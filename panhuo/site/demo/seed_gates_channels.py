"""Demo: the channels practice uses (issue 12, item 4) and a give-away the gates stop (item 7).

Called last in ``seed.py`` so that every random draw before it stays the same; it draws none
itself. It gives the district's units their unified social credit codes, then takes idle assets
nobody packaged through:

- a free transfer (无偿划转) to the city investment group, closed;
- a scrapping (报废) of vehicles with a technical appraisal, closed;
- a loss write-down (报损) with a police report, concluded;
- a write-off (核销) with a court ruling, waiting for approval;
- a lease of a building offered at 1.00 yuan a year for 20 years: approved, and its signing
  refused by the give-away gate (its note says so; the refusal wrote nothing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.core.errors import ValidationError
from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.organisation.credit_code import ALPHABET, credit_code_check_char
from panhuo.organisation.models import Unit
from panhuo.pricing.services import valuation_create
from panhuo.register.models import Asset, AssetStatus
from panhuo.site.demo import catalogue as c

ZERO = Decimal("0.00")


def credit_code(n: int, *, kind: str) -> str:
    """A well-formed code for demo unit ``n``: 11 (government body) or 12 (public institution)
    registered by the establishment authority, 91 for a company; division 130100."""
    head = {"department": "11", "institution": "12"}.get(kind, "91")
    body = "".join(ALPHABET[(n * 7 + i * 3) % 31] for i in range(8)) + str(n % 10)
    first17 = f"{head}130100{body}"
    return first17 + credit_code_check_char(first17)


def _give_codes(seeder) -> None:
    for n, unit in enumerate(Unit.objects.filter(credit_code="").order_by("code"), start=1):
        unit.credit_code = credit_code(n, kind=unit.kind)
        unit.save(update_fields=["credit_code"])


def _idle(seeder, kinds: set[str], count: int) -> list[Asset]:
    """Up to ``count`` assets of one unit, of ``kinds`` (else of any kind), among the confirmed
    scope's candidates nobody packaged."""
    qs = confirmed_candidates(
        seeder.users["office"], jurisdiction=seeder.places[c.DISTRICT[0]]
    ).filter(status=AssetStatus.IDLE)
    # From the end of the list, one asset a lot: the suggestions keep the candidates they group.
    qs = qs.order_by("-code")
    found = list(qs.filter(kind__in=sorted(kinds))[:4]) or list(qs[:4])
    return found[:1] if count else []


def _project(seeder, assets, channel: str, name: str, reserve=ZERO, note: str = ""):
    office = seeder.users["office"]
    package = disposal.package_create(
        actor=office,
        jurisdiction=seeder.places[c.DISTRICT[0]],
        name=name,
        channel=channel,
        asset_ids=[a.pk for a in assets],
    )
    return disposal.project_create(actor=office, package=package, reserve_price=reserve, note=note)


#: Below this many confirmed candidates left, the channels' lots would take the ones the package
#: suggestions group (the small test demo): only the credit codes are given then.
MIN_CANDIDATES = 40


def seed(seeder) -> None:
    _give_codes(seeder)
    left = confirmed_candidates(
        seeder.users["office"], jurisdiction=seeder.places[c.DISTRICT[0]]
    ).count()
    if left < MIN_CANDIDATES:
        seeder.say(f"Only {left} scope candidates left: no lots for the new channels.")
        return
    office, head, fin = seeder.users["office"], seeder.users["head"], seeder.users["finance"]
    move = seeder.move
    year = seeder.today.year

    group = Unit.objects.get(code="HX-UCI")
    assets = _idle(seeder, {"equipment", "vehicle", "building"}, 2)
    if assets:
        p = _project(seeder, assets, "free_transfer", "Free transfer to the investment group")
        why = "The group takes over the facilities it operates (plan No. 5)."
        p = move(p, "submit", office, counterparty_unit=group.pk, comment=why)
        p = move(p, "approve", head, comment="Approved at task-force meeting No. 41.")
        p = move(p, "hand_over", office, comment="Handed over with the title documents.")
        move(p, "close", fin, comment="Transfer registered in both accounts.")

    evidence = [
        ("scrap", {"vehicle", "equipment"}, "scrap", "technical_appraisal",
         "Qinghe Motor Vehicle Testing Centre", "Vehicles beyond repair", "closed"),
        ("loss", {"equipment"}, "record_loss", "police_report",
         "河西区公安分局", "Equipment stolen from the depot", "concluded"),
        ("write_off", {"equipment", "vehicle"}, "write_off", "court_ruling",
         "河西区人民法院", "Assets held by a liquidated operator", "submitted"),
    ]  # fmt: skip
    for n, (channel, kinds, step, kind, issuer, why, stop) in enumerate(evidence, start=1):
        assets = _idle(seeder, kinds, 2)
        if not assets:
            continue
        p = _project(seeder, assets, channel, why)
        p = move(p, "submit", office, comment=why + ".", evidence_kind=kind,
                 evidence_ref=f"HX-{channel.upper()}-{year}-{n:03d}", evidence_issuer=issuer,
                 evidence_on=seeder.today - dt.timedelta(days=20))  # fmt: skip
        if stop == "submitted":
            continue
        p = move(p, "approve", head, comment="Approved at task-force meeting No. 42.")
        p = move(p, step, office)
        if stop == "closed":
            move(p, "close", fin, comment="Removed from the accounts.")

    _give_away_lease(seeder)


def _give_away_lease(seeder) -> None:
    """The reported abuse: a building of some 93 m yuan leased for 20 years at 1.00 yuan a year.
    The lease is approved (the head did not see the rent), and signing it is refused."""
    assets = _idle(seeder, {"building"}, 1)
    if not assets:
        return
    asset = assets[0]
    office = seeder.users["office"]
    yearly = max(Decimal("12000.00"), (asset.appraised_value or asset.book_value) * 5 / 100)
    valuation_create(
        actor=office, asset=asset, kind="rent", value=yearly.quantize(Decimal("0.01")),
        base_date=timezone.localdate() - dt.timedelta(days=20), method="market",
        appraiser="Qinghe Zhengxin Appraisal Co.", licence_number="11020045",
        report_number=f"QH-ZJ-{seeder.today.year}-0001",
    )  # fmt: skip
    p = _project(
        seeder, [asset], "lease", "Lease of the former tax office building", Decimal("1.00"),
        note="Tenant offers 1.00 yuan a year for 20 years. Signing is refused by the give-away "
        "gate (give_away_rent): see the Sign step.",
    )  # fmt: skip
    p = seeder.move(p, "submit", office, comment="Tenant found by the unit.")
    p = seeder.move(p, "approve", seeder.users["deputy"], comment="Approved at meeting No. 43.")
    start = seeder.today
    try:
        seeder.move(p, "sign", office, counterparty="河西友谊贸易有限公司",
                    term_start=start, term_end=start.replace(year=start.year + 20),
                    period_amount=Decimal("1.00"), frequency="yearly")  # fmt: skip
    except ValidationError as exc:
        if "give_away_rent" not in str(exc):
            raise
    else:  # pragma: no cover - the gate is broken
        raise AssertionError("The give-away lease was signed.")
