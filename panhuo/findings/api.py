"""API of audit findings."""

from ninja import Router

router = Router(tags=["findings"])
