"""content-map: customer-first content planning for MkDocs."""

__version__ = "0.1.0"
