"""The demo carries a case of each people, splitting and value flag (issue 17)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.portal.accountability import accountability

OURS = ("value_destroying_sale", "sold_while_idle", "split_under_threshold", "related_bidder",
        "shared_contact", "repeat_buyer")  # fmt: skip


def test_the_demo_has_a_case_of_each_flag_and_the_headline_shows_its_figures(small_demo):
    engine.recompute(rules=list(OURS))
    found = {code: list(Flag.objects.filter(rule=code, status="open")) for code in OURS}
    assert all(found.values()), {code: len(flags) for code, flags in found.items()}
    [sale] = found["value_destroying_sale"]
    e = sale.evidence
    assert Decimal(e["yield_pct"]) > Decimal(e["rate_pct"]) >= 2
    assert Decimal(e["income_forgone"]) > Decimal(e["interest_saved"]) > 0
    # Decision support valued it: holding was worth more than the sale fetched and saved.
    assert "missing" not in e, e
    assert Decimal(e["hold_value"]) - Decimal(e["sell_value"]) == Decimal(e["value_destroyed"]) > 0
    # Its money repaid a debt ahead of maturity: real interest saved, on the public page too.
    assert Decimal(e["interest_saved_npv"]) > 0
    [shown] = accountability(sale.jurisdiction, timezone.localdate()).lost
    assert shown.interest_saved == Decimal(e["interest_saved_npv"])
    [split] = found["split_under_threshold"]
    assert split.evidence["packages"] == 2 and "工业路" in " ".join(
        link["label"] for link in split.links
    )
