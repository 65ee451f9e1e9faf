"""The comparison as data: ``GET /api/v1/risk/compare``, the places of ``/risk/compare/``
(the place and each place directly below it that the caller may see) with each year end's
statutory debt ratio and tier, read only. A missing ratio is null with the reason."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from panhuo.core.api import actor, require_any
from panhuo.core.schemas import DecimalOut, Id
from panhuo.finance.api import ERRORS, debt_place, router
from panhuo.finance.debts.compare import compare


class CompareQuery(Schema):
    jurisdiction: Id | None = Field(None, description="Defaults to the widest one visible.")
    from_year: int | None = Field(None, description="Defaults to four years before to_year.")
    to_year: int | None = Field(None, description="Defaults to this year.")


class CompareCellOut(Schema):
    year: int
    as_of: dt.date = Field(description="31 December, or today for the year under way.")
    debt_ratio: DecimalOut | None = Field(description="Statutory debt ratio, %; null: missing.")
    debt_ratio_tier: str | None = Field(description="green, yellow, orange, red; null: missing.")
    broad_debt_ratio: DecimalOut | None
    debt_to_gdp: DecimalOut | None
    limit_use_total: DecimalOut | None
    fiscal_year: int | None = Field(description="The year whose fiscal figures were used.")
    debt_source: str = Field(description='"register" or "reported" (published balances).')
    notes: list[str] = Field(description="Why a figure is missing, which year was used.")


class ComparePlaceOut(Schema):
    jurisdiction_id: int
    code: str
    name: str
    own: bool = Field(description="The place asked about (all of it), not one below it.")
    cells: list[CompareCellOut]


class CompareOut(Schema):
    jurisdiction_id: int
    from_year: int
    to_year: int
    places: list[ComparePlaceOut]


@router.get("/risk/compare", response={200: CompareOut, **ERRORS}, tags=["risk"])
def risk_compare(request: HttpRequest, query: Query[CompareQuery]):
    """A place and each place directly below it that you may see, side by side: the statutory
    debt ratio and its tier at the end of each year (at most 10 years)."""
    require_any(request, "debt", "view")
    user = actor(request)
    jurisdiction = debt_place(user, query.jurisdiction)
    last = query.to_year or timezone.localdate().year
    first = query.from_year or last - 4
    places = compare(user, jurisdiction, first, last)
    return {
        "jurisdiction_id": jurisdiction.pk,
        "from_year": first,
        "to_year": last,
        "places": [
            {
                "jurisdiction_id": p.jurisdiction.pk,
                "code": p.jurisdiction.code,
                "name": p.jurisdiction.name,
                "own": p.own,
                "cells": [
                    {"year": year, **c.__dict__}
                    for year, c in zip(range(first, last + 1), p.cells, strict=True)
                ],
            }
            for p in places
        ],
    }
