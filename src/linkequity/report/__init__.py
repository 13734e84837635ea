"""Analysis results as files people hand on: HTML, CSV/JSON and Google's disavow format."""
