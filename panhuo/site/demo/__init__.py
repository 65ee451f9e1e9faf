"""The demo district that ``panhuo demo`` seeds: deterministic, realistic and synthetic."""

from panhuo.site.demo.catalogue import DEMO_PASSWORD, MARKER_CODE, REFERENCE_DATE
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
    "REFERENCE_DATE",
    "SIZES",
    "SMALL",
    "DemoSize",
    "SeedResult",
    "demo_accounts",
    "demo_counts",
    "is_seeded",
    "seed_demo",
]
