"""The demo ships with its red flags: raised at the end of the seed, each explained by its
evidence with the records behind it, and a recompute over the seeded demo changes nothing."""

from __future__ import annotations

import pytest

from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.registry import RULES

pytestmark = pytest.mark.django_db


def test_the_demo_carries_explained_flags_and_recompute_is_idempotent(small_demo):
    flags = list(Flag.objects.all())
    assert {f.rule for f in flags} >= {
        "single_bidder",
        "instalments_overdue",
        "same_appraiser",
        "terms_changed_after_award",
    }
    for f in flags:
        assert f.rule in RULES and f.status == "open"
        assert f.explanation and "?" not in f.explanation, f.rule
        assert f.links and all(link["label"] for link in f.links), f.rule
    again = engine.recompute()
    assert (again.opened, again.updated, again.cleared) == (0, 0, 0)
