"""The demo district that ``panhuo demo`` seeds: deterministic, realistic and synthetic."""

from panhuo.site.demo.catalogue import DEMO_PASSWORD, MARKER_CODE
from panhuo.site.demo.seed import (
    FULL,
    SIZES,
    SMALL,
    DemoSize,
    SeedResult,
    demo_accounts,
    demo_counts,
    is_seeded,
    seed_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "FULL",
    "MARKER_CODE",
    "SIZES",
    "SMALL",
    "DemoSize",
    "SeedResult",
    "demo_accounts",
    "demo_counts",
    "is_seeded",
    "seed_demo",
]
