"""linkequity: open, local-first backlink intelligence and tier-2 link planning."""

__version__ = "0.1.0"
