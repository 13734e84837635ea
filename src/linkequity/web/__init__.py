"""The local dashboard (FastAPI): routes -> services, Jinja2 templates, security."""
