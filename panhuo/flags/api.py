"""API of red flags."""

from ninja import Router

router = Router(tags=["flags"])
