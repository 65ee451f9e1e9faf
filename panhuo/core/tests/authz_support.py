"""The authorization matrix (test_authz_matrix.py): what it calls, as whom, with what.

Nothing here lists the endpoints to test. ``authz_discovery.discover`` walks the URL resolver
for the pages and reads the OpenAPI schema for the API operations; the expected outcome of
each one, per caller, is a row of ``authz_matrix.csv``. What is hand-written is only how to
fill a request: which fixture record stands for a path parameter, and a request body that
passes the schema (so that the view's own permission check is what answers, not the schema's 422).

The calls are split into test items of similar size, one per group of endpoints (by the
route's first segment, see ``authz_discovery.endpoint_groups``), so that pytest-xdist spreads
them over its workers. Run
``PANHUO_AUTHZ_OBSERVED=/tmp/observed.csv pytest panhuo/core/tests/test_authz_matrix.py``
to also write the observed matrix, in the table's format, for review: each item merges its rows
into that one file (see :func:`merge_observed`).
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client

from panhuo.core.testing import World
from panhuo.core.tests.authz_discovery import Endpoint, discover
from panhuo.core.tests.authz_records import Records, request_kwargs, url_for
from panhuo.organisation.models import Role

TABLE = Path(__file__).with_name("authz_matrix.csv")

#: The callers, one column each: anonymous, one user per role of district A (unit U1 for the
#: unit officer), a unit officer of another unit of district A, and a user of district B who
#: holds every task-force role there (the strongest outsider: whatever district A answers them
#: is what district A's records answer to any outsider). ``siteadmin`` keeps district A's
#: organisation and users, and nothing else.
CALLERS: dict[str, str | None] = {
    "anon": None,
    "head": "head",
    "deputy": "deputy",
    "office": "office",
    "unit": "unit_officer",
    "finance": "finance",
    "auditor": "auditor",
    "supervisor": "supervisor",
    "bidder": "bidder",
    "siteadmin": "siteadmin",
    "norole": "norole",
    "other_unit": "other_unit_officer",
    "other_jur": "outsider_all",
}
OUTSIDER_ROLES = (Role.HEAD, Role.DEPUTY, Role.OFFICE, Role.FINANCE, Role.AUDITOR)

#: A path parameter's record when the row does not name one (by parameter name).
DEFAULT_ARGS = {
    # API operations (the schema's names).
    "token_id": "token",
    "asset_id": "asset",
    "encumbrance_id": "encumbrance",
    "mapping_id": "mapping",
    "run_id": "run",
    "decision_id": "decision",
    "filter_id": "saved_filter",
    "package_id": "package",
    "project_id": "project",
    "receipt_id": "receipt",
    "debt_id": "debt",
    "allocation_id": "allocation",
    "repayment_id": "repayment",
    "valuation_id": "valuation",
    "jurisdiction_id": "district",
    "request_id": "approval",
    "chain_id": "chain",
    "delegation_id": "delegation",
    "document_id": "document",
    "deposit_id": "deposit",
    "lot_id": "lot",
    "security_id": "security",
    "security_pk": "security",
    "day_id": "calendar_day",
    "notice_id": "calendar_notice",
    "unit_id": "unit",
    "user_id": "managed_user",
    "assignment_id": "assignment",
    "member_id": "tf_member",
    "bidder_id": "bidder_record",
    "relation_id": "bidder_relation",
    "finding_id": "finding",
    "flag_id": "flag",
    # Pages (``pk`` always named in the row, as it means a different record on each).
    "encumbrance_pk": "encumbrance",
    "asset_pk": "asset",
    "package_pk": "package_free",
    "project_pk": "concluded",
    "repayment_pk": "repayment",
}

#: For the recorder only (a new page's first row): the record a page's ``pk`` most likely
#: means, by the route's start. The table's ``args`` column is what the test uses.
GUESS_PK = [
    ("/jurisdictions/", "district"),
    ("/units/", "unit"),
    ("/assets/import/runs/", "run"),
    ("/assets/import/mappings/", "mapping"),
    ("/assets/", "asset"),
    ("/scope/decisions/", "decision"),
    ("/filters/", "saved_filter"),
    ("/packages/", "package"),
    ("/projects/", "project"),
    ("/debts/", "debt"),
    ("/trace/debts/", "debt"),
    ("/trace/assets/", "asset"),
    ("/receipts/", "receipt"),
    ("/allocations/", "allocation"),
    ("/approvals/chains/", "chain"),
    ("/approvals/delegations/", "delegation"),
    ("/approvals/", "approval"),
    ("/valuations/", "valuation"),
    ("/documents/", "document"),
    ("/deposits/", "deposit"),
    ("/bidders/account/relations/", "bidder_relation"),
    ("/bidders/", "bidder_record"),
    ("/auctions/", "lot"),
    ("/findings/", "finding"),
    ("/calendar/days/", "calendar_day"),
    ("/calendar/notices/", "calendar_notice"),
    ("/flags/", "flag"),
]
GUESS_OTHER = {"target_type": "'asset'", "target_id": "asset", "name": "'submit'"}


def guess_args(endpoint: Endpoint) -> dict[str, str]:
    args = {}
    for name in endpoint.params:
        if name == "pk":
            args[name] = next(
                (ref for start, ref in GUESS_PK if endpoint.route.startswith(start)), "?"
            )
        elif name in GUESS_OTHER:
            args[name] = GUESS_OTHER[name]
    return args


# --- The table ---------------------------------------------------------------------------------


@dataclass
class Row:
    method: str
    route: str
    args: dict[str, str]
    expected: dict[str, str]
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.route)


def _parse_args(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if part.strip())


def load_table(path: Path = TABLE) -> tuple[dict[tuple[str, str], Row], list[str]]:
    rows: dict[tuple[str, str], Row] = {}
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    wanted = ["method", "route", "args", *CALLERS, "note"]
    if header != wanted:
        problems.append(f"table header {header} is not {wanted}")
        return rows, problems
    for n, rec in enumerate(reader, start=2):
        row = Row(
            rec["method"],
            rec["route"],
            _parse_args(rec["args"]),
            {c: rec[c].strip() for c in CALLERS},
            rec["note"],
        )
        if row.key in rows:
            problems.append(f"line {n}: {row.key} appears twice")
        bad = {c: v for c, v in row.expected.items() if v not in OUTCOMES}
        if bad:
            problems.append(f"line {n}: {row.key} has unknown outcomes {bad}")
        rows[row.key] = row
    return rows, problems


def write_table(path: Path, rows: list[Row], comment: str = "") -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        if comment:
            for line in comment.splitlines():
                f.write(f"# {line}\n".replace("# \n", "#\n"))
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["method", "route", "args", *CALLERS, "note"])
        for r in rows:
            args = ";".join(f"{k}={v}" for k, v in r.args.items())
            writer.writerow([r.method, r.route, args, *(r.expected[c] for c in CALLERS), r.note])


#: This run's id: pytest-xdist gives all the workers of one run the same; without xdist the
#: run is this process.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
_RUN_LINE = "observed by test run "


def merge_observed(path: Path, observed: list[Row]) -> None:
    """Merge one item's observed rows into the observed table at ``path``.

    The items of one run (in any worker) each add their rows, under a file lock; a file left
    by an earlier run is started afresh. When the run ends the file holds every endpoint the
    run called, in discovery order, in the table's format.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows: dict[tuple[str, str], Row] = {}
        if path.exists():
            with path.open(encoding="utf-8") as f:
                same_run = f.readline().strip() == f"# {_RUN_LINE}{RUN_ID}"
            if same_run:
                rows = load_table(path)[0]
        rows.update((r.key, r) for r in observed)
        order = {e.key: i for i, e in enumerate(discover()[0])}
        ordered = sorted(rows.values(), key=lambda r: order.get(r.key, len(order)))
        write_table(path, ordered, comment=f"{_RUN_LINE}{RUN_ID}")


# --- Outcomes ----------------------------------------------------------------------------------

#: ``ok`` 2xx; ``login`` a redirect to the sign-in page; ``redirect`` any other redirect; else
#: the status code (``500`` also when the view raised).
OUTCOMES = {"ok", "login", "redirect", "400", "401", "403", "404", "405", "409", "422", "500"}
#: Outcomes that say the caller was let through (a write then may have written).
PASSED = {"ok", "redirect", "400", "409"}


def outcome(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "ok"
    if code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "login" if location.startswith(resolve_url(settings.LOGIN_URL)) else "redirect"
    return str(code)


def error_of(response) -> str:
    """What a 500 raised, for the failure message."""
    exc = getattr(response, "exc_info", None)
    return f" ({exc[0].__name__}: {str(exc[1])[:200]})" if exc else ""


class WriteWatch:
    """Notes whether a request sent any statement that changes rows (outside the session
    table). Cheap enough for every call: only then is the full :func:`fingerprint` taken."""

    _WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self) -> None:
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        head = sql.lstrip().upper()
        if head.startswith(self._WRITES) and "DJANGO_SESSION" not in head[:80]:
            self.wrote = True
        return execute(sql, params, many, context)


def clients(w: World) -> dict[str, Client]:
    """One signed-in client per caller (sessions made once, outside the calls)."""
    out = {}
    for column, username in CALLERS.items():
        client = Client(raise_request_exception=False)
        if username is not None:
            client.force_login(w.user(username))
        out[column] = client
    return out


def saved_cookies(client: Client) -> dict[str, str]:
    return {key: morsel.value for key, morsel in client.cookies.items()}


def reset_cookies(client: Client, saved: dict[str, str]) -> None:
    """Back to the caller's own session cookie (a call may have signed out or set a language)."""
    client.cookies = SimpleCookie()
    for key, value in saved.items():
        client.cookies[key] = value


# --- The database's state ----------------------------------------------------------------------

#: Apps whose rows a request could change (the project's, and users).
_APPS = {"auth", "organisation", "register", "disposal", "finance", "pricing", "approvals"}
_APPS |= {"integrity", "core", "monitor", "bidders"}
#: Columns that change on any sign-in, not by an endpoint's decision.
_VOLATILE = {"last_login"}


def fingerprint() -> dict[str, str]:
    """Every row of every model of the project, hashed per table (the tests' world is small).

    A refused write must leave this exactly as it was: no row added, removed or changed.
    """
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in _APPS or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in _VOLATILE]
        digest = hashlib.sha256()
        n = 0
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            n += 1
        state[model._meta.label] = f"{n}:{digest.hexdigest()[:16]}"
    return state


# --- The run -----------------------------------------------------------------------------------


def _call(client: Client, endpoint: Endpoint, url: str, kwargs: dict):
    kwargs = dict(kwargs)
    query = kwargs.pop("QUERY_STRING", "")
    if query:
        url = f"{url}?{query}"
    return getattr(client, endpoint.method.lower())(url, **kwargs)


def run_matrix(
    rec: Records,
    endpoints: list[Endpoint],
    rows: dict[tuple[str, str], Row],
    callers: dict[str, Client] | None = None,
) -> tuple[list[str], list[Row]]:
    """Call every endpoint as every caller, each call in a savepoint rolled back afterwards.

    Returns the mismatches with the table (one line each: route, caller, expected, got) and
    the observed matrix. A refused call that changed any row is a mismatch too. ``callers``:
    the signed-in clients of :func:`clients`, made once outside the calls' transaction by whoever
    calls several groups (made here when not given).
    """
    # Thousands of expected 4xx answers: their log lines (with tracebacks) only cost time.
    # 500s are still logged.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return _run(rec, endpoints, rows, callers if callers is not None else clients(rec.w))
    finally:
        quiet.setLevel(level)


def _run(rec, endpoints, rows, clients_):
    cookies = {c: saved_cookies(client) for c, client in clients_.items()}
    # The rows every call starts from (each call is rolled back): taken only when a refused
    # call wrote, after its rollback, which leaves the same rows as before it.
    baseline = None
    mismatches: list[str] = []
    observed: list[Row] = []
    for endpoint in endpoints:
        row = rows.get(endpoint.key)
        args = row.args if row is not None else guess_args(endpoint)
        try:
            url = url_for(endpoint, args, rec)
        except KeyError as exc:
            mismatches.append(str(exc))
            continue
        kwargs = request_kwargs(endpoint, args, rec)
        got: dict[str, str] = {}
        for caller, client in clients_.items():
            reset_cookies(client, cookies[caller])
            watch = WriteWatch()
            changed = after = None
            with transaction.atomic(), connection.execute_wrapper(watch):
                response = _call(client, endpoint, url, kwargs)
                result = got[caller] = outcome(response)
                if watch.wrote and result not in PASSED:
                    after = fingerprint()
                transaction.set_rollback(True)
            if after is not None:
                baseline = baseline or fingerprint()
                changed = sorted(k for k in after if after[k] != baseline.get(k))
            where = f"{endpoint.method} {endpoint.route} as {caller}"
            if row is not None and result != row.expected[caller]:
                mismatches.append(
                    f"{where}: expected {row.expected[caller]}, got {result}{error_of(response)}"
                )
            if changed:
                mismatches.append(f"{where}: refused ({result}) but changed {changed}")
        observed.append(Row(endpoint.method, endpoint.route, args, got, row.note if row else ""))
    return mismatches, observed
