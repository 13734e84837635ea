"""Frozen value types shared by every layer: URLs, links, exports."""
