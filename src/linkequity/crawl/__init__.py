"""Network I/O: fetching pages from the web."""
