"""Hold, lease or sell for many assets, as a list (issue 20, item 1): the assets the reader sees
in a place whose debts they read (the widest by default) and below it, searched by code or
name, filtered by kind and by the recommendation, sorted by a column, a page at a time and
exported whole. The figures are ``decisions.many``'s, the same as each asset's own page.

The rows are decided lazily: sorted by a register column (code, name, place, kind) and not
filtered by the recommendation, only the page shown is decided (and the export a batch at a
time); sorted or filtered by a figure, every asset the filters keep is decided once per
request, then sorted in Python (an asset refused has no figures and sorts last either way)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import batched

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.querying import narrowed
from panhuo.decisions.many import BATCH, decide_assets
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.register.models import Asset

#: What the list may be filtered by: the best option, a value-destroying sale, or refused.
RECOMMENDATIONS = [
    ("hold", _("Hold")),
    ("lease", _("Lease")),
    ("sell", _("Sell")),
    ("destroying", _("Selling destroys value")),
    ("refused", _("Not decided (an input is missing)")),
]
#: Register columns (sorted in SQL) and figures (sorted after deciding).
SQL_ORDERINGS = {"code": "code", "name": "name", "place": "unit__jurisdiction__path",
                 "kind": "kind"}  # fmt: skip
FIGURES = ("best", "hold", "lease", "sell", "proceeds", "interest_saved", "value_destroyed")
ORDERINGS = {**SQL_ORDERINGS, **{f: f for f in FIGURES}}


@dataclass
class DecisionRow:
    """One asset's figures (None where it was refused, with why)."""

    pk: int
    code: str
    name: str
    kind: str
    place: str
    best: str = ""
    hold: Decimal | None = None
    lease: Decimal | None = None
    sell: Decimal | None = None
    proceeds: Decimal | None = None
    interest_saved: Decimal | None = None
    value_destroyed: Decimal | None = None
    refused: str = ""

    @property
    def best_label(self) -> str:
        return str(dict(RECOMMENDATIONS).get(self.best, ""))

    @property
    def kind_label(self) -> str:
        from panhuo.register.models import AssetKind

        return str(AssetKind(self.kind).label) if self.kind in AssetKind.values else self.kind

    def matches(self, recommendation: str) -> bool:
        if recommendation == "refused":
            return bool(self.refused)
        if recommendation == "destroying":
            return bool(self.value_destroyed)
        return self.best == recommendation


def _row(asset: tuple, result) -> DecisionRow:
    row = DecisionRow(*asset)
    if isinstance(result, ValidationError):
        row.refused = " ".join(
            f"{field}: {m}" for field, msgs in result.message_dict.items() for m in msgs
        )
        return row
    row.best, row.hold, row.lease, row.sell = result.best, result.hold, result.lease, result.sell
    row.proceeds, row.interest_saved = result.proceeds, result.interest_saved
    row.value_destroyed = result.value_destroyed
    return row


class DecidedAssets(Sequence):
    """The rows as the paginator and the export read them (``len``, slices, iteration)."""

    def __init__(self, user, assets, *, on: dt.date, ordering: str, recommendation: str):
        self.user, self.on, self.recommendation = user, on, recommendation
        key = ordering.lstrip("-")
        self.desc = ordering.startswith("-")
        self.figure = key if key in FIGURES else ""
        sql = SQL_ORDERINGS.get(key, "code")
        order = ("-" if self.desc and not self.figure else "") + sql
        self.assets = assets.order_by(order, "pk")
        self.lazy = not self.figure and not recommendation

    def _decide(self, assets: list[tuple]) -> list[DecisionRow]:
        found = dict(decide_assets(self.user, Asset.objects.filter(pk__in=[a[0] for a in assets]),
                                   on=self.on))  # fmt: skip
        return [_row(a, found[a[0]]) for a in assets]

    def _values(self):
        return self.assets.values_list("pk", "code", "name", "kind", "unit__jurisdiction__name")

    @cached_property
    def _all(self) -> list[DecisionRow]:
        rows = [r for batch in batched(self._values().iterator(chunk_size=BATCH), BATCH)
                for r in self._decide(list(batch))]  # fmt: skip
        if self.recommendation:
            rows = [r for r in rows if r.matches(self.recommendation)]
        if self.figure:
            known = [r for r in rows if getattr(r, self.figure) not in (None, "")]
            unknown = [r for r in rows if getattr(r, self.figure) in (None, "")]
            known.sort(key=lambda r: getattr(r, self.figure), reverse=self.desc)
            rows = known + unknown
        return rows

    @cached_property
    def _count(self) -> int:
        return self.assets.count() if self.lazy else len(self._all)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if not self.lazy:
            return self._all[index]
        if isinstance(index, slice):
            return self._decide(list(self._values()[index]))
        return self._decide([self._values()[index]])[0]

    def __iter__(self) -> Iterator[DecisionRow]:
        if not self.lazy:
            yield from self._all
            return
        for batch in batched(self._values().iterator(chunk_size=BATCH), BATCH):
            yield from self._decide(list(batch))


def asset_decision_list(user, *, q: str = "", jurisdiction: int | None = None, kind: str = "",
                        recommendation: str = "", on: dt.date | None = None,
                        ordering: str = "code") -> DecidedAssets:  # fmt: skip
    """The reader's assets in the place (``jurisdiction``, one whose debts they read; else the
    widest such) and below, with their figures as of ``on`` (today)."""
    place = place_of(user, jurisdiction)
    assets = Asset.objects.visible_to(user)
    if place is None:
        assets = assets.none()
    else:
        assets = assets.filter(unit__jurisdiction__path__startswith=place.path)
    assets = narrowed(assets, q=q, search=("code", "name"), kind=kind or None)
    return DecidedAssets(user, assets, on=on or timezone.localdate(), ordering=ordering,
                         recommendation=recommendation)  # fmt: skip


def place_of(user, jurisdiction: int | None) -> Jurisdiction | None:
    """The place asked for among those whose debts ``user`` reads, else the widest of them."""
    places = policy.jurisdictions_for(user, "debt", "view").order_by("path")
    return places.filter(pk=jurisdiction).first() if jurisdiction else places.first()
