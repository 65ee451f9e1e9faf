"""What the province benchmark's database holds (bench/province.py; its life, created, migrated,
checked and dropped: bench/province_data.py): 100 jurisdictions, their units, users and roles,
assets, packages and projects, debts with schedules and repayments, receipts, allocations and
expected receipts, generated from a seed and written with ``COPY``."""

from __future__ import annotations

import datetime as dt
import random
import time
from array import array
from decimal import Decimal

AS_OF = dt.date(2026, 6, 30)
#: A past date for the indicators (issue 15): debts issued later left out, the ledger's entries
#: dated later ignored, that year's fiscal figures.
PAST = dt.date(2023, 12, 31)
STAMP = "2026-06-30 08:00:00+00"
OFFICE_DISTRICT = 11  # /1/2/11/
OFFICE, SUPERVISOR, FINANCE = 1, 2, 3  # user ids


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
