"""csresearch: customer-service careers and pay across countries."""

__version__ = "0.1.0"
