"""Mini-Giants: a private, on-device chat and journaling companion."""

__version__ = "0.1.0"
