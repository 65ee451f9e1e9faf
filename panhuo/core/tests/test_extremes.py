"""No 500 from extreme values (issue 13, item 4): boundary and out-of-range amounts and dates
through the main write endpoints, then every list, detail and export read back.

Hypothesis draws each write from the bounds of ``core.bounds`` (the largest amount, one cent
more, 1e18, negatives; 1900-01-01 and a day before it, 2100-12-31 and a day after, 0001-01-01,
9999-12-31) and from anywhere in between; the writes pile up in one database, as they would in
a place, and after each one the lists of the records written are read as the supervisor. At
the end the supervisor, the office and finance walk every page reachable by a link, and every
other role of the world reads the lists, summaries, exports and some details. Every answer
must be below 500: a refused value is a 4xx naming its field, an accepted one must read back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.bounds import FIRST_DATE, LARGEST_AMOUNT, LAST_DATE, MAX_AMOUNT
from panhuo.core.testing import build_world
from panhuo.core.tests import authz_discovery
from panhuo.core.tests import authz_support as az
from panhuo.core.tests.api_support import build_api_world, call, client_for
from panhuo.core.tests.authz_records import (
    BODY_REFS,
    BODY_VALUES,
    _resolve_ref,
    build_records,
    example,
    url_for,
)
from panhuo.core.tests.crawl import crawl
from panhuo.core.tests.examples import examples
from panhuo.disposal import amounts
from panhuo.finance.models import Debt, Receipt
from panhuo.register.models import Asset

# Tier: see the markers in pyproject.toml (each example is a few requests; the crawl is long).
pytestmark = pytest.mark.fuzz

DAY = dt.timedelta(days=1)
EDGE_AMOUNTS = [
    str(LARGEST_AMOUNT),
    str(MAX_AMOUNT),
    str(MAX_AMOUNT + Decimal("0.01")),
    str(-LARGEST_AMOUNT),
    "999999999999999999.99",
    "99999999999999999999",
    "0.01",
    "0",
    "-0.01",
    "0.001",
]
AMOUNTS = st.one_of(
    st.sampled_from(EDGE_AMOUNTS),
    st.decimals(min_value=-(10**20), max_value=10**20, places=2).map(str),
)
EDGE_DATES = [
    FIRST_DATE,
    FIRST_DATE - DAY,
    LAST_DATE,
    LAST_DATE + DAY,
    dt.date.min,
    dt.date.max,
    dt.date(2026, 1, 5),
]
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates()).map(dt.date.isoformat)
WRITES = [
    "asset_create",
    "asset_patch",
    "debt_create",
    "receipt",
    "valuation",
    "reserve",
    "schedule",
    "deposit",
    "revenue",
]

#: The reads whose answer depends on the write's date ({day}): after every write.
DAY_READS = [
    "/api/v1/indicators?jurisdiction={district}&as_of={day}",
    "/api/v1/allocations?allocated_from={day}&allocated_to={day}",
    "/api/v1/audit?date_from={day}&date_to={day}",
    "risk-indicators?as_of={day}",
    "audit-list?date_from={day}&date_to={day}",
]
#: The lists that show what each kind of write stored: after every write of that kind.
KIND_READS = {
    "asset_create": ["/api/v1/assets", "asset-list"],
    "asset_patch": ["/api/v1/assets", "asset-list"],
    "debt_create": ["/api/v1/debts", "debt-list", "risk-indicators"],
    "receipt": ["/api/v1/receipts", "receipt-list"],
    "valuation": ["/api/v1/valuations"],
    "reserve": ["/api/v1/projects", "/api/v1/packages"],
    "schedule": ["/api/v1/debts/{debt}/schedule", "/api/v1/debts", "debt-list"],
    "deposit": ["/api/v1/deposits"],
    "revenue": ["/api/v1/revenue", "/api/v1/indicators"],
}
#: Every list and summary the supervisor reads (API and pages): every ``FULL_READ_EVERY``
#: writes and at the end, so that what earlier writes stored is read back by every list, not
#: only by its own (reading all of them after each write tripled the test's time for nothing
#: the periodic and final reads miss: stored values stay stored).
READS = sorted(
    {*DAY_READS, *(r for reads in KIND_READS.values() for r in reads)}
    | {
        "/api/v1/indicators",
        "allocation-list",
        "risk-indicators",
        "dashboard",
    }
)
FULL_READ_EVERY = 10


def _url(read: str) -> str:
    """A page's path from its URL name (the query string kept)."""
    if read.startswith("/"):
        return read
    name, _, query = read.partition("?")
    return reverse(name) + (f"?{query}" if query else "")


def _write(aw, kind: str, amount: str, day: str, n: int):
    """One write of ``kind`` carrying ``amount`` and ``day``: (caller, method, url, body)."""
    w = aw.w
    if kind == "asset_create":
        body = {
            "code": f"X-{n}",
            "name": "Extreme",
            "kind": "building",
            "unit": w.unit.pk,
            "book_value": amount,
            "appraised_value": amount,
            "annual_income": amount,
            "idle_since": day,
            "acquired_on": day,
        }
        return "office", "POST", "/api/v1/assets", body
    if kind == "asset_patch":
        body = {"book_value": amount, "accumulated_depreciation": amount, "acquired_on": day}
        return "office", "PATCH", f"/api/v1/assets/{aw.asset_free.pk}", body
    if kind == "debt_create":
        body = {
            "jurisdiction": w.district.pk,
            "creditor": "Bank",
            "debt_type": "bank_loan",
            "principal": amount,
            "outstanding": amount,
            "rate": "4.000",
            "issue_date": day,
            "maturity_date": day,
        }
        return "finance", "POST", "/api/v1/debts", body
    if kind == "receipt":
        body = {
            "project": aw.concluded.pk,
            "amount": amount,
            "received_on": day,
            "voucher": f"V-X{n}",
            "budget_class": "non_tax",
        }
        return "finance", "POST", "/api/v1/receipts", body
    if kind == "valuation":
        body = {
            "asset": aw.asset_free.pk,
            "kind": "appraisal",
            "value": amount,
            "base_date": day,
            "valid_until": day,
            "method": "market",
            "appraiser": "Appraiser",
            "licence_number": "L-1",
            "report_number": f"R-{n}",
        }
        return "office", "POST", "/api/v1/valuations", body
    if kind == "schedule":
        body = {"method": "custom", "rows": [{"due_date": day, "principal": amount}]}
        return "finance", "PUT", f"/api/v1/debts/{aw.debt.pk}/schedule", body
    if kind == "deposit":
        body = {
            "project": aw.project.pk,
            "bidder": "Bidder",
            "amount": amount,
            "received_on": day,
            "voucher": f"D-{n}",
        }
        return "finance", "POST", "/api/v1/deposits", body
    if kind == "revenue":
        body = {
            "jurisdiction": w.district.pk,
            "month": day[:7],
            "category": "vat",
            "amount": amount,
        }
        return "finance", "PUT", "/api/v1/revenue", body
    body = {"reserve_price": amount, "confirm_amount": True}
    return "office", "PATCH", f"/api/v1/projects/{aw.project.pk}", body


def test_extreme_amounts_and_dates_never_answer_500(world):
    aw = build_api_world(world)
    clients = {who: client_for(world, who) for who in ("office", "finance", "supervisor")}
    counter = itertools.count()
    accepted: list[tuple[str, int]] = []

    @settings(
        max_examples=examples(90),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(kind=st.sampled_from(WRITES), amount=AMOUNTS, day=DATES)
    def one_write(kind, amount, day):
        n = next(counter)
        who, method, url, body = _write(aw, kind, amount, day, n)
        r = call(clients[who], method, url, body)
        assert r.status_code < 500, (kind, amount, day, r.status_code, r.content[:300])
        if r.status_code >= 400:
            assert r.json()["errors"], (kind, amount, day, r.content[:300])
        else:
            accepted.append((kind, r.status_code))
        reads = READS if (n + 1) % FULL_READ_EVERY == 0 else DAY_READS + KIND_READS[kind]
        read_back(reads, day, (kind, amount, day))

    def read_back(reads, day, context):
        for read in reads:
            answer = clients["supervisor"].get(
                _url(read).format(debt=aw.debt.pk, district=world.district.pk, day=day)
            )
            assert answer.status_code < 500, (*context, read, answer.status_code)
            assert answer.status_code != 404, (read, "a read that finds nothing tests nothing")

    one_write()
    read_back(READS, "2026-01-05", ("after every write",))
    assert accepted, "some boundary values are accepted (the largest amount, the bounds' dates)"
    for who in ("supervisor", "office", "finance"):
        for page in crawl(clients[who], per_route=1):
            assert page.status < 500, (who, page.url, page.status)
    # The detail of every record the extremes touched, page and API, and the exports.
    details = [
        reverse("asset-detail", args=[pk]) for pk in Asset.objects.values_list("pk", flat=True)
    ]
    details += [
        reverse("debt-detail", args=[pk]) for pk in Debt.objects.values_list("pk", flat=True)
    ]
    details += [
        reverse("receipt-detail", args=[pk]) for pk in Receipt.objects.values_list("pk", flat=True)
    ]
    details += [f"/api/v1/assets/{pk}" for pk in Asset.objects.values_list("pk", flat=True)]
    details += [f"/api/v1/debts/{pk}" for pk in Debt.objects.values_list("pk", flat=True)]
    details += [reverse(name) for name in ("asset-export", "debt-export")]
    for url in details:
        answer = clients["supervisor"].get(url)
        assert answer.status_code < 500, (url, answer.status_code)
    # Every other role of the world reads the lists, summaries, exports and a few details of
    # each kind too (a 500 may hide behind a role's own scope or menu): never a 500.
    few = [*details[:3], *[u for u in details if "/debts/" in u][:3], *details[-8:]]
    for who in sorted(set(world.users) - {"supervisor", "office", "finance"}):
        reader = client_for(world, who)
        for url in [*(_url(r).format(debt=aw.debt.pk, district=world.district.pk,
                                     day="2026-01-05") for r in READS), *few]:  # fmt: skip
            answer = reader.get(url)
            assert answer.status_code < 500, (who, url, answer.status_code)


# --- Every write endpoint, every caller it lets through ---------------------------------------

#: How each kind of value is pushed past its limits: far too large (amounts of 10^18, 10,000
#: characters of text in every text field, integers beyond 64 bits, dates at the end of the
#: calendar), and below zero (negative amounts, counts and rates; dates at its start). The text
#: keeps the whole body under Django's request size limit (DATA_UPLOAD_MAX_MEMORY_SIZE), which
#: answers a larger one before the API reads it.
HUGE_TEXT = "长" * 10_000
EXTREMES = {
    "huge": {"decimal": "999999999999999999.99", "integer": 2**63, "number": 1e300,
             "text": HUGE_TEXT, "date": "9999-12-31"},
    "negative": {"decimal": "-1.00", "integer": -1, "number": -1, "text": "-1",
                 "date": "0001-01-01"},
}  # fmt: skip


def _extreme(name: str, schema: dict, components: dict, rec, mode: str):
    """A value of ``schema`` pushed to ``mode``'s extreme; record references and the values a
    body needs to reach its checks (``authz_records``) stay as the matrix's example has them,
    so the extremes meet the validation and the services, not a missing record."""
    schema = _resolve_ref(schema, components)
    values = EXTREMES[mode]
    if name in BODY_VALUES or name in BODY_REFS or "enum" in schema:
        return example(name, schema, components, rec)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _extreme(name, options[0], components, rec, mode)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return values[kind]
    if kind == "array":
        return [_extreme(name, schema.get("items", {}), components, rec, mode)]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _extreme(k, v, components, rec, mode) for k, v in props.items()}
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return values["date"]
        if fmt in ("date-time", "binary"):
            return example(name, schema, components, rec)
        return values["decimal"] if "pattern" in schema else values["text"]
    return example(name, schema, components, rec)


def test_every_write_endpoint_answers_extremes_with_a_named_field_never_500(db, settings, tmp_path):
    """Every API write with a JSON body, as every caller the authorization matrix lets through,
    with every field of its body (optional ones included) pushed to the extremes: the answer is
    a success or a 4xx whose errors name a field, never a 500. Each call is rolled back."""
    started = time.monotonic()
    settings.DATA_DIR = tmp_path
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(amounts, "check", lambda *args, **kwargs: [])
        rec = build_records(build_world())
    built = time.monotonic()
    callers = az.clients(rec.w)
    rows, _ = az.load_table()
    components = authz_discovery.openapi()["components"]["schemas"]
    writes = [
        e
        for e in authz_discovery.discover()[0]
        if e.api is not None
        and e.method in ("POST", "PUT", "PATCH")
        and "application/json" in (e.api.get("requestBody") or {}).get("content", {})
    ]
    assert len(writes) > 40
    failures, answered = [], 0
    quiet = logging.getLogger("django.request")  # hundreds of expected 4xx: no log lines
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    for endpoint in writes:
        row = rows[endpoint.key]
        through = [c for c, cell in row.expected.items() if cell in ("ok", "400", "422")]
        url = url_for(endpoint, row.args, rec)
        schema = endpoint.api["requestBody"]["content"]["application/json"]["schema"]
        for mode in EXTREMES:
            body = json.dumps(_extreme("body", schema, components, rec, mode))
            # Too large meets each caller's own path (a unit officer's unit, the office's
            # jurisdiction); below zero is refused the same way for all: one caller is enough.
            for caller in through if mode == "huge" else through[:1]:
                with transaction.atomic():
                    response = getattr(callers[caller], endpoint.method.lower())(
                        url, body, content_type="application/json"
                    )
                    transaction.set_rollback(True)
                answered += 1
                where = f"{endpoint.method} {endpoint.route} {mode} as {caller}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}{az.error_of(response)}")
                elif response.status_code in (400, 422) and not response.json().get("errors"):
                    failures.append(f"{where}: {response.status_code} names no field")
    quiet.setLevel(level)
    print(f"records {built - started:.1f} s, {answered} calls {time.monotonic() - built:.1f} s")
    assert answered > 100
    assert failures == []
