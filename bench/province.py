"""Province benchmark: debt risk indicators and the dashboard on a province-sized PostgreSQL
database, against hand-written SQL computing the same figures in the same run.

Run:  python bench/province.py [--scale 1.0] [--repeat 30] [--keep] [--who both|district|province]

It creates a fresh database (``panhuo_bench_province``, or ``..._s<scale>`` below full size),
migrates it with ``panhuo migrate`` and fills the real tables with ``COPY``:

  * 100 jurisdictions (a province, 9 cities, 90 districts), 20 holding units each, three users
    (the office of one district, the province's supervisor, a finance officer who recorded
    everything) with their role assignments;
  * 1,000,000 assets; 50,000 packages, one disposal project each (three in four past the deal);
  * 100,000 debts, nine in ten with a generated repayment schedule (``build_schedule``: bullet,
    equal principal or annuity; annual, semi-annual or quarterly), their outstanding amount what
    the schedule left after paying as due (one in twelve in arrears);
  * their repayment ledger as the services write it: a budget entry on each due date the
    budget paid (in arrears: part of what was due), one disposal entry per allocation and per
    reversal (linked to it, dated no earlier than the debt's issue); each debt's outstanding is
    its principal less the ledger (checked after generation);
  * 5,000,000 ledger rows: 2,000,000 receipts, 2,500,000 allocations of receipts to debts of the
    same jurisdiction (one in a hundred reversed by a later entry) and 500,000 expected
    receipts. Allocations never exceed what the receipt has left nor what the debt owes; each
    receipt's ``allocated`` and each debt's ``outstanding`` are what its allocations leave;
  * fiscal inputs (comprehensive fiscal capacity, budget expenditure) per jurisdiction and year.

``--scale`` multiplies every count but the jurisdictions, units and users. The audit chain is
left empty for generated rows (nothing here reads it). Then ``VACUUM ANALYZE``, as a live
database would have had from autovacuum.

Measured in the same run, for the district office and the province supervisor (roll-up over
all 100 jurisdictions), in-process with Django configured against that database:

  * the risk indicators: ``panhuo.finance.debts.indicators.indicators_for`` against one hand-written
    SQL statement computing every figure (asserted equal before timing), as of the generation
    date and as of a past date (``PAST``: debts issued later and ledger entries dated later
    left out, that year's fiscal figures);
  * the dashboard page (``/`` through Django's test ``Client``, logged in; the whole request:
    session, grants, queries, template) against hand-written SQL for the same figures (the
    figures of the dashboard's selectors asserted equal to the SQL's before timing).

Prints median and p95 in ms and the ratio to the SQL. The figures are recorded by hand in
docs/benchmarks.md. The generated database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.province_sql import (  # noqa: E402
    INDICATOR_KEYS,
    dashboard_figures,
    dashboard_sql,
    indicator_figures,
    indicators_sql,
)

PG = "postgres://postgres@127.0.0.1:5432/"
DATA_DIR = Path(tempfile.gettempdir()) / "panhuo-bench-province"
AS_OF = dt.date(2026, 6, 30)
#: A past date for the indicators (issue 15): debts issued later left out, the ledger's entries
#: dated later ignored, that year's fiscal figures.
PAST = dt.date(2023, 12, 31)
STAMP = "2026-06-30 08:00:00+00"
OFFICE_DISTRICT = 11  # /1/2/11/
OFFICE, SUPERVISOR, FINANCE = 1, 2, 3  # user ids


def database_name(scale: float) -> str:
    if scale == 1:
        return "panhuo_bench_province"
    return "panhuo_bench_province_s" + f"{scale:g}".replace(".", "_")


def configure(db_url: str) -> None:
    """Django against the benchmark database, production settings as a deployment has them."""
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "PANHUO_ENV": "production",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            "PANHUO_DATA_DIR": str(DATA_DIR),
            "STATIC_ROOT": str(DATA_DIR / "static"),
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "panhuo.settings",
        }
    )
    import django

    django.setup()


# --- generation --------------------------------------------------------------------------------


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def day(rnd: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rnd.randint(0, (end - start).days))


class Copier:
    """COPY rows (tab-separated text lines) into a table, in chunks."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.counts: dict[str, int] = {}

    def __call__(self, table: str, columns: str, lines) -> None:
        started = time.perf_counter()
        n = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
            buf: list[str] = []
            for line in lines:
                buf.append(line)
                if len(buf) >= 20000:
                    cp.write("\n".join(buf) + "\n")
                    n += len(buf)
                    buf.clear()
            if buf:
                cp.write("\n".join(buf) + "\n")
                n += len(buf)
        self.conn.commit()
        self.counts[table] = self.counts.get(table, 0) + n
        print(f"  {table}: {n:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def check_columns(conn, table: str, columns: str) -> None:
    """Fail clearly if the table gained a NOT NULL column without a default that we don't fill."""
    given = {c.strip() for c in columns.split(",")}
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    ).fetchall()
    missing = {r[0] for r in rows} - given - {"id"}
    if missing:
        raise SystemExit(f"{table}: the generator does not fill {sorted(missing)}; update it")


JURISDICTION_COLS = "id, code, name, name_en, level, path, parent_id"
UNIT_COLS = "id, code, name, name_en, credit_code, kind, jurisdiction_id"
USER_COLS = ("id, password, is_superuser, username, first_name, last_name, email, is_staff, "
             "is_active, date_joined, language, money_unit, must_change_password")  # fmt: skip
ROLE_COLS = "id, role, jurisdiction_id, user_id, unit_id, started_at"
ASSET_COLS = ("id, code, name, kind, address, latitude, longitude, area, book_value, "
              "appraised_value, status, criticality, version, created_at, updated_at, unit_id, "
              "accumulated_depreciation, acquired_on, annual_holding_cost, annual_income, "
              "attributes, certificate_number, idle_since, title_complete")  # fmt: skip
PACKAGE_COLS = "id, code, name, channel, status, created_at, created_by_id, jurisdiction_id"
PROJECT_COLS = ("id, code, channel, reserve_price, deal_price, buyer, status, note, created_at, "
                "updated_at, version, created_by_id, package_id")  # fmt: skip
DEBT_COLS = ("id, code, creditor, debt_type, principal, rate, issue_date, maturity_date, "
             "outstanding, created_at, version, jurisdiction_id, currency, rate_type, "
             "schedule_frequency, schedule_kind, void_reason, liability_class, borrower, "
             "borrower_credit_code, bond_code, bond_purpose, project_name, project_sector, "
             "repayment_source")  # fmt: skip
SCHEDULE_COLS = "debt_id, due_date, principal, interest"
REPAYMENT_COLS = ("id, debt_id, source, amount, repaid_on, document, note, created_at, "
                  "allocation_id, reverses_id")  # fmt: skip
RECEIPT_COLS = ("id, amount, allocated, received_on, voucher, budget_class, kind, created_at, "
                "project_id, recorded_by_id")  # fmt: skip
ALLOCATION_COLS = ("id, amount, allocated_on, created_at, allocated_by_id, debt_id, receipt_id, "
                   "reason, reverses_id")  # fmt: skip
EXPECTED_COLS = "due_date, amount, kind, label, cancelled, created_at, project_id"
FISCAL_COLS = (
    "year, comprehensive_fiscal_capacity, capacity_source, budget_expenditure, jurisdiction_id"
)

TABLES = {
    "organisation_jurisdiction": JURISDICTION_COLS,
    "organisation_unit": UNIT_COLS,
    "organisation_user": USER_COLS,
    "organisation_roleassignment": ROLE_COLS,
    "register_asset": ASSET_COLS,
    "disposal_package": PACKAGE_COLS,
    "disposal_disposalproject": PROJECT_COLS,
    "finance_debt": DEBT_COLS,
    "finance_repayment": REPAYMENT_COLS,
    "finance_schedulerow": SCHEDULE_COLS,
    "finance_receipt": RECEIPT_COLS,
    "finance_allocation": ALLOCATION_COLS,
    "finance_expectedreceipt": EXPECTED_COLS,
    "finance_fiscalinputs": FISCAL_COLS,
}


def tree() -> dict[int, tuple[int | None, str, str]]:
    """id → (parent, level, path): province 1, cities 2–10, ten districts per city 11–100."""
    nodes: dict[int, tuple[int | None, str, str]] = {1: (None, "province", "/1/")}
    for c in range(2, 11):
        nodes[c] = (1, "city", f"/1/{c}/")
    for d in range(11, 101):
        city = 2 + (d - 11) // 10
        nodes[d] = (city, "district", f"/1/{city}/{d}/")
    return nodes


def generate(conn, scale: float, seed: int = 5) -> dict[str, int]:
    from panhuo.disposal.models import Channel
    from panhuo.finance.debts.schedules import build_schedule
    from panhuo.finance.debts.system import default_class
    from panhuo.finance.models import DebtType
    from panhuo.register.models import AssetKind, AssetStatus, Criticality

    for table, cols in TABLES.items():
        check_columns(conn, table, cols)
    # Foreign keys are checked once at the end (``verify``), not row by row while copying:
    # per-row deferred checks made COPY several times slower.
    conn.execute("SET session_replication_role = replica")
    rnd = random.Random(seed)
    copy = Copier(conn)
    n_assets, n_packages = round(1_000_000 * scale), round(50_000 * scale)
    n_debts, n_receipts = round(100_000 * scale), round(2_000_000 * scale)
    n_alloc, n_expected = round(2_500_000 * scale), round(500_000 * scale)
    nodes = tree()
    jids = list(nodes)

    copy("organisation_jurisdiction", JURISDICTION_COLS,
         (f"{j}\tJ{j:03d}\t{level.title()} {j}\t\t{level}\t{path}\t{'\\N' if p is None else p}"
          for j, (p, level, path) in nodes.items()))  # fmt: skip
    units_per = 20
    unit_jur = {}
    kinds = ["department", "institution", "soe"]

    def unit_lines():
        for j in jids:
            for k in range(units_per):
                uid = (j - 1) * units_per + k + 1
                unit_jur[uid] = j
                yield f"{uid}\tU{j:03d}{k:02d}\tUnit {j}-{k}\t\t\t{kinds[k % 3]}\t{j}"

    copy("organisation_unit", UNIT_COLS, unit_lines())
    users = [(OFFICE, "bench_office"), (SUPERVISOR, "bench_supervisor"), (FINANCE, "bench_finance")]
    copy("organisation_user", USER_COLS,
         (f"{i}\t!\tf\t{name}\t\t\t\tf\tt\t{STAMP}\t\t\tf" for i, name in users))  # fmt: skip
    copy("organisation_roleassignment", ROLE_COLS,
         [f"1\toffice\t{OFFICE_DISTRICT}\t{OFFICE}\t\\N\t{STAMP}",
          f"2\tsupervisor\t1\t{SUPERVISOR}\t\\N\t{STAMP}",
          f"3\tfinance\t1\t{FINANCE}\t\\N\t{STAMP}"])  # fmt: skip

    # Assets.
    a_kinds = AssetKind.values
    statuses = [s for s in AssetStatus.values]
    s_weights = [60 if s == "in_use" else 8 for s in statuses]
    crits = Criticality.values
    n_units = len(jids) * units_per

    def asset_lines():
        status_pick = rnd.choices(statuses, s_weights, k=n_assets)
        for i in range(1, n_assets + 1):
            kind = a_kinds[i % len(a_kinds)]
            status = status_pick[i - 1]
            book = rnd.randint(1_000_000, 5_000_000_000)  # cents: 10 thousand to 50 million
            dep = rnd.randint(0, book // 2)
            appraised = "\\N" if i % 3 else money(book * rnd.randint(60, 180) // 100)
            idle = None
            if status in ("idle", "under_used"):
                idle = day(rnd, dt.date(2015, 1, 1), AS_OF)
            yield (f"{i}\tA{i:08d}\t{kind} {i}\t{kind}\t\t{30 + rnd.random():.6f}\t"
                   f"{120 + rnd.random():.6f}\t{rnd.randint(10, 20000)}.00\t{money(book)}\t"
                   f"{appraised}\t{status}\t{crits[i % 3]}\t1\t{STAMP}\t{STAMP}\t"
                   f"{rnd.randint(1, n_units)}\t{money(dep)}\t"
                   f"{day(rnd, dt.date(1995, 1, 1), dt.date(2024, 12, 31))}\t"
                   f"{money(book // 50)}\t{money(book // 30)}\t{{}}\tC{i:08d}\t"
                   f"{'\\N' if idle is None else idle}\t{'t' if i % 2 else 'f'}")  # fmt: skip

    copy("register_asset", ASSET_COLS, asset_lines())

    # Packages and projects: one project per package; three in four past the deal.
    channels = Channel.values
    after_deal = ["concluded", "paid", "published", "in_force", "closed", "ended"]
    before_deal = ["draft", "submitted", "approved", "listed"]
    pkg_jur = array("q", [0]) * (n_packages + 1)
    dealt: list[int] = []
    statuses_p = {}
    for p in range(1, n_packages + 1):
        pkg_jur[p] = rnd.choice(jids)
        if rnd.random() < 0.75:
            statuses_p[p] = rnd.choice(after_deal)
            dealt.append(p)
        else:
            statuses_p[p] = rnd.choice(before_deal)
    copy("disposal_package", PACKAGE_COLS,
         (f"{p}\tK{p:07d}\tPackage {p}\t{channels[p % len(channels)]}\t"
          f"{'disposed' if statuses_p[p] in after_deal else 'open'}\t{STAMP}\t{FINANCE}\t"
          f"{pkg_jur[p]}" for p in range(1, n_packages + 1)))  # fmt: skip

    def project_lines():
        for p in range(1, n_packages + 1):
            reserve = rnd.randint(10_000_000, 2_000_000_000)
            st = statuses_p[p]
            deal, buyer = (money(reserve * rnd.randint(100, 130) // 100), f"Buyer {p}") \
                if st in after_deal else ("\\N", "")  # fmt: skip
            yield (f"{p}\tP{p:07d}\t{channels[p % len(channels)]}\t{money(reserve)}\t{deal}\t"
                   f"{buyer}\t{st}\t\t{STAMP}\t{STAMP}\t1\t{FINANCE}\t{p}")  # fmt: skip

    copy("disposal_disposalproject", PROJECT_COLS, project_lines())

    # Debts and their schedules; outstanding = what paying as scheduled left (1 in 12 in arrears).
    types = DebtType.values
    t_weights = [30 if t in ("general_bond", "special_bond") else 8 for t in types]
    debt_jur = array("q", [0]) * (n_debts + 1)
    issued = array("q", [0]) * (n_debts + 1)  # issue date (ordinal)
    owed = array("q", [0]) * (n_debts + 1)  # cents still outstanding, falls with allocations
    debts: list[tuple] = []
    # The repayment ledger: what the budget paid as scheduled, on each due date (in arrears: the
    # first rows in full, then part of one), and one entry per allocation of proceeds (and per
    # reversal), as the services write them.
    repayments: list[str] = []

    def budget_paid(i: int, rows: list[tuple[dt.date, int]], paid: int) -> None:
        for due_on, cents in rows:
            if paid <= 0:
                return
            amount = min(cents, paid)
            if amount <= 0:  # a row of interest only
                continue
            paid -= amount
            repayments.append(f"{len(repayments) + 1}\t{i}\tbudget\t{money(amount)}\t{due_on}\t"
                              f"bench\t\t{STAMP}\t\\N\t\\N")  # fmt: skip

    def schedule_lines():
        methods = ["bullet", "equal_principal", "annuity"]
        freqs = ["annual", "annual", "annual", "semiannual", "semiannual", "quarterly"]
        for i in range(1, n_debts + 1):
            j = rnd.choice(jids)
            debt_jur[i] = j
            principal = rnd.randint(100_000_000, 10_000_000_000)  # 1 to 100 million yuan
            rate = rnd.randint(2000, 8000)  # thousandths of a percent
            issue = day(rnd, dt.date(2012, 1, 1), AS_OF - dt.timedelta(days=30))
            issued[i] = issue.toordinal()
            years = rnd.randint(1, 15)
            maturity = dt.date(issue.year + years, issue.month, min(issue.day, 28))
            arrears = rnd.random() < 1 / 12
            if rnd.random() < 0.9:
                method, freq = rnd.choice(methods), rnd.choice(freqs)
                rows = build_schedule(principal=Decimal(principal) / 100,
                                      rate=Decimal(rate) / 1000, issue=issue, maturity=maturity,
                                      method=method, frequency=freq)  # fmt: skip
                due_rows = [(r.due_date, int(r.principal * 100)) for r in rows
                            if r.due_date <= AS_OF]  # fmt: skip
                for r in rows:
                    yield f"{i}\t{r.due_date}\t{r.principal}\t{r.interest}"
            else:
                method = freq = ""
                due_rows = [(maturity, principal)] if maturity <= AS_OF else []
            due = sum(cents for _on, cents in due_rows)
            paid = due if not arrears else due * rnd.randint(0, 90) // 100
            budget_paid(i, due_rows, paid)
            owed[i] = principal - paid
            fixed = "fixed" if rnd.random() < 0.8 else "floating"
            debts.append((i, rnd.choices(types, t_weights)[0], principal, rate, issue, maturity,
                          j, fixed, freq, method))  # fmt: skip

    # Schedules reference debts, and debts' outstanding waits for the allocations: the first
    # pass keeps the rows in memory, the debts are written after the allocations are drawn.
    sched = list(schedule_lines())

    # Receipts of projects past the deal, and allocations to debts of the same jurisdiction.
    r_project = array("q", [0]) * (n_receipts + 1)
    r_amount = array("q", [0]) * (n_receipts + 1)
    r_alloc = array("q", [0]) * (n_receipts + 1)
    r_day = array("q", [0]) * (n_receipts + 1)
    start_ord, end_ord = dt.date(2019, 1, 1).toordinal(), AS_OF.toordinal()
    for r in range(1, n_receipts + 1):
        r_project[r] = rnd.choice(dealt)
        r_amount[r] = rnd.randint(1_000_000, 200_000_000)  # 10 thousand to 2 million yuan
        r_day[r] = rnd.randint(start_ord, end_ord)
    open_debts: dict[int, list[int]] = {j: [] for j in jids}
    for i in range(1, n_debts + 1):
        if owed[i] > 0:
            open_debts[debt_jur[i]].append(i)
    allocations: list[str] = []
    aid = 0
    while aid < n_alloc:
        r = rnd.randint(1, n_receipts)
        left = r_amount[r] - r_alloc[r]
        candidates = open_debts[pkg_jur[r_project[r]]]
        if left <= 0 or not candidates:
            continue
        d = candidates[rnd.randrange(len(candidates))]
        amount = min(rnd.randint(1, left), owed[d])
        if amount <= 0:
            continue
        on = dt.date.fromordinal(min(end_ord, r_day[r] + rnd.randint(0, 60)))
        aid += 1
        allocations.append(f"{aid}\t{money(amount)}\t{on}\t{STAMP}\t{FINANCE}\t{d}\t{r}\t\t\\N")
        # Its ledger entry, dated as the service dates it: not before the debt was issued.
        entry_on = dt.date.fromordinal(max(on.toordinal(), issued[d]))
        entry = len(repayments) + 1
        repayments.append(f"{entry}\t{d}\tdisposal\t{money(amount)}\t{entry_on}\tV{r:09d}\t\t"
                          f"{STAMP}\t{aid}\t\\N")  # fmt: skip
        r_alloc[r] += amount
        owed[d] -= amount
        if aid < n_alloc and rnd.random() < 0.01:  # reversed in full by a later entry
            aid += 1
            later = dt.date.fromordinal(min(end_ord, on.toordinal() + 7))
            allocations.append(f"{aid}\t{money(amount)}\t{later}\t{STAMP}\t{FINANCE}\t{d}\t{r}\t"
                               f"Allocated to the wrong debt\t{aid - 1}")  # fmt: skip
            later_on = dt.date.fromordinal(max(later.toordinal(), issued[d]))
            repayments.append(f"{len(repayments) + 1}\t{d}\tdisposal\t{money(amount)}\t"
                              f"{later_on}\tV{r:09d}\tAllocated to the wrong debt\t{STAMP}\t"
                              f"{aid}\t{entry}")  # fmt: skip
            r_alloc[r] -= amount
            owed[d] += amount

    copy("finance_debt", DEBT_COLS,
         (f"{i}\tD{i:07d}\tCreditor {i % 97}\t{t}\t{money(p)}\t{rate // 1000}.{rate % 1000:03d}\t"
          f"{iss}\t{mat}\t{money(owed[i])}\t{STAMP}\t1\t{j}\tCNY\t{fx}\t{freq}\t{method}\t"
          f"\t{default_class(t)}\t\t\t\t\t\t\t"
          for i, t, p, rate, iss, mat, j, fx, freq, method in debts))  # fmt: skip
    copy("finance_schedulerow", SCHEDULE_COLS, sched)
    del sched
    budget = ["non_tax", "government_fund"]
    copy("finance_receipt", RECEIPT_COLS,
         (f"{r}\t{money(r_amount[r])}\t{money(r_alloc[r])}\t{dt.date.fromordinal(r_day[r])}\t"
          f"V{r:09d}\t{budget[r % 2]}\t{'rent' if r % 10 == 0 else 'sale_price'}\t{STAMP}\t"
          f"{r_project[r]}\t{FINANCE}"
          for r in range(1, n_receipts + 1)))  # fmt: skip
    copy("finance_allocation", ALLOCATION_COLS, allocations)
    del allocations
    copy("finance_repayment", REPAYMENT_COLS, repayments)
    repayments.clear()
    e_kinds = ["rent", "instalment", "fee", "tranche", "deposit"]
    copy("finance_expectedreceipt", EXPECTED_COLS,
         (f"{day(rnd, dt.date(2019, 1, 1), dt.date(2028, 12, 31))}\t"
          f"{money(rnd.randint(1_000_000, 100_000_000))}\t{e_kinds[e % 5]}\t\t"
          f"{'t' if e % 20 == 0 else 'f'}\t{STAMP}\t{rnd.choice(dealt)}"
          for e in range(n_expected)))  # fmt: skip

    # Fiscal inputs: districts 8–30 billion yuan (times the scale), cities and the province
    # a little more than what is below them.
    capacity: dict[tuple[int, int], int] = {}
    for year in range(2019, AS_OF.year + 1):
        for j in range(100, 0, -1):
            below = sum(capacity[(c, year)] for c, (p, _l, _p) in nodes.items() if p == j)
            own = round(rnd.randint(800_000_000_000, 3_000_000_000_000) * scale)
            capacity[(j, year)] = own if not below else below * rnd.randint(110, 130) // 100
    copy("finance_fiscalinputs", FISCAL_COLS,
         (f"{y}\t{money(c)}\tentered\t{money(c * rnd.randint(70, 95) // 100)}\t{j}"
          for (j, y), c in capacity.items()))  # fmt: skip

    for table in TABLES:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f"(SELECT max(id) FROM {table}))")  # fmt: skip
    conn.commit()
    return copy.counts


FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
  JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
"""


def verify(conn) -> None:
    """The generated rows hold together: every foreign key resolves (they were not checked
    while copying), and each receipt's ``allocated`` is what its allocations add up to."""
    conn.execute("SET session_replication_role = DEFAULT")
    for table, column, target, target_column in conn.execute(FOREIGN_KEYS, [list(TABLES)]):
        orphans = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        ).fetchone()[0]
        if orphans:
            raise SystemExit(f"{orphans} rows of {table}.{column} point nowhere in {target}")
    bad = conn.execute("""
        SELECT count(*) FROM finance_receipt r LEFT JOIN (
          SELECT receipt_id, sum(CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) s
          FROM finance_allocation GROUP BY receipt_id) a ON a.receipt_id = r.id
        WHERE r.allocated <> coalesce(a.s, 0)""").fetchone()[0]  # fmt: skip
    if bad:
        raise SystemExit(f"{bad} receipts' allocated differs from their allocations")
    bad = conn.execute("""
        SELECT count(*) FROM finance_debt d LEFT JOIN (
          SELECT debt_id, sum(CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) s
          FROM finance_repayment GROUP BY debt_id) p ON p.debt_id = d.id
        WHERE d.outstanding <> d.principal - coalesce(p.s, 0)""").fetchone()[0]  # fmt: skip
    if bad:
        raise SystemExit(f"{bad} debts' outstanding differs from their repayment ledger")


def prepare(scale: float, keep: bool) -> str:
    import psycopg

    name = database_name(scale)
    url = PG + name
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if keep and exists:
        with psycopg.connect(url) as conn:
            done = conn.execute("SELECT to_regclass('bench_province_done')").fetchone()[0]
        if done:
            print(f"reusing {name}")
            return url
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    started = time.perf_counter()
    print(f"migrating {name}…", flush=True)
    subprocess.run([sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"],
                   env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=True)  # fmt: skip
    print(f"generating at scale {scale:g}…", flush=True)
    with psycopg.connect(url) as conn:
        generate(conn, scale)
        verify(conn)
        conn.execute("CREATE TABLE bench_province_done (scale float)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s (migrate included)", flush=True)
    return url


def drop(scale: float) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database_name(scale)}")


# --- measurement -------------------------------------------------------------------------------


def timed(fn, repeat: int) -> tuple[list[float], object]:
    fn()  # warm-up: connections, compiled templates, caches
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def summary(times: list[float]) -> tuple[float, float]:
    s = sorted(times)
    return statistics.median(s), s[max(0, round(0.95 * len(s)) - 1)]


def measure_indicators(sql, repeat: int, label: str, who, jurisdiction, on, what) -> dict:
    """Panhuo's indicators of ``jurisdiction`` as of ``on`` against the hand-written SQL, equal
    before they are timed."""
    from panhuo.finance.debts.indicators import indicators_for

    def panhuo_indicators():
        # The user is loaded (as a request's is), its grants are not: looking them up is
        # part of how Panhuo scopes the figures.
        who.__dict__.pop("_panhuo_grants", None)
        return indicators_for(who, jurisdiction, on)

    def sql_indicators():
        return sql.execute(
            indicators_sql(),
            {"path": jurisdiction.path + "%", "as_of": on,
             "year_end": on + dt.timedelta(days=365), "year": on.year,
             "jurisdiction": jurisdiction.pk},
        ).fetchone()  # fmt: skip

    mine = indicator_figures(panhuo_indicators())
    theirs = dict(zip(INDICATOR_KEYS, sql_indicators(), strict=True))
    if mine != theirs:
        diff = {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}
        raise SystemExit(f"{label}, {what}: indicators differ from the SQL's: {diff}")
    t_sql, _ = timed(sql_indicators, repeat)
    t_app, _ = timed(panhuo_indicators, repeat)
    return {"who": label, "what": what, "sql": t_sql, "app": t_app,
            "note": f"{mine['debts']:,} debts"}  # fmt: skip


def measure(db_url: str, repeat: int, users: slice = slice(None)) -> list[dict]:
    import psycopg
    from django.test import Client

    from panhuo.organisation.models import Jurisdiction, User

    rows = []
    # Planned at every execution with its values, as Django's queries are (psycopg would
    # otherwise prepare a statement run five times and reuse a generic plan blind to the path).
    sql = psycopg.connect(db_url, autocommit=True, prepare_threshold=None)
    for label, user_id, jid in [("district office", OFFICE, OFFICE_DISTRICT),
                                ("province supervisor", SUPERVISOR, 1)][users]:  # fmt: skip
        jurisdiction = Jurisdiction.objects.get(pk=jid)

        who = User.objects.get(pk=user_id)

        for on, what in ((AS_OF, "risk indicators"),
                         (PAST, f"risk indicators as of {PAST} (past)")):  # fmt: skip
            rows.append(measure_indicators(sql, repeat, label, who, jurisdiction, on, what))

        user = User.objects.get(pk=user_id)
        client = Client()
        client.force_login(user)

        def page(client=client):
            response = client.get("/", secure=True)
            if response.status_code != 200:
                raise SystemExit(f"dashboard answered {response.status_code}")
            return response

        def sql_dashboard(jurisdiction=jurisdiction):
            return dashboard_sql(sql, jurisdiction.path + "%")

        def selectors(who=who):
            who.__dict__.pop("_panhuo_grants", None)
            return dashboard_figures(who)

        mine = selectors()
        theirs = sql_dashboard()
        if mine != theirs:
            raise SystemExit(f"{label}: dashboard figures differ:\n{mine}\n{theirs}")
        t_sql, _ = timed(sql_dashboard, repeat)
        t_sel, _ = timed(selectors, repeat)
        t_app, _ = timed(page, repeat)
        note = f"{mine['assets_total']:,} assets"
        rows.append({"who": label, "what": "dashboard figures (its selectors)", "sql": t_sql,
                     "app": t_sel, "note": note})  # fmt: skip
        rows.append({"who": label, "what": "dashboard page (whole request)", "sql": t_sql,
                     "app": t_app, "note": note})  # fmt: skip
        print(f"[{label}] measured", flush=True)
    sql.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| user | measure | scope | SQL median (ms) | SQL p95 (ms) | Panhuo median (ms) "
        "| Panhuo p95 (ms) | Panhuo ÷ SQL (median) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s50, s95 = summary(r["sql"])
        a50, a95 = summary(r["app"])
        lines.append(f"| {r['who']} | {r['what']} | {r['note']} | {s50:.1f} | {s95:.1f} "
                     f"| {a50:.1f} | {a95:.1f} | {a50 / s50:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="Reuse / keep the generated DB.")
    parser.add_argument(
        "--who",
        choices=["both", "district", "province"],
        default="both",
        help="Measure for the district office, the province supervisor or both.",
    )
    args = parser.parse_args()
    url = PG + database_name(args.scale)
    configure(url)
    prepare(args.scale, args.keep)
    # Production settings serve hashed static names from the manifest collectstatic writes.
    subprocess.run([sys.executable, "-m", "panhuo.cli", "collectstatic", "--no-input", "-v0"],
                   cwd=ROOT, check=True)  # fmt: skip
    load = os.getloadavg()
    users = {"both": slice(None), "district": slice(0, 1), "province": slice(1, 2)}[args.who]
    rows = measure(url, args.repeat, users)
    load_after = os.getloadavg()
    print()
    print(f"scale {args.scale:g}; {args.repeat} repetitions after one warm-up; CPU cores: "
          f"{os.cpu_count()}; load average (1 min) {load[0]:.1f} before, "
          f"{load_after[0]:.1f} after measuring")  # fmt: skip
    print(table(rows))
    if not args.keep:
        drop(args.scale)


if __name__ == "__main__":
    main()
