"""Bidders's tables."""
