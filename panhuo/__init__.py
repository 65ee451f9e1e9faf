"""Panhuo: asset activation and debt resolution for a local government task force."""

__version__ = "0.1.0"
