"""Models of audit findings."""
