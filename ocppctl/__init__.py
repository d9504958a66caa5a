"""ocppctl: a command-line OCPP toolkit and message inspector."""

__version__ = "0.1.0"
