"""rtvi-edge: an offline voice assistant daemon speaking RTVI."""

__version__ = "0.1.0"
