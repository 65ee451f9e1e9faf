"""Auctions's tables."""
