"""Models of red flags."""
