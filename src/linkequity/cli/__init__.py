"""The command line: ``linkequity`` and ``python -m linkequity``."""

from linkequity.cli.app import app, main

__all__ = ["app", "main"]
