"""API of open data."""

from ninja import Router

router = Router(tags=["opendata"])
