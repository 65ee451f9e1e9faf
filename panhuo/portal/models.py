"""Portal's tables."""
