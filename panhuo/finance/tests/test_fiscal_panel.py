"""Issue 15, done when: a city's published balances, limits, revenue and GDP for several years
import through the product's own import (upload, worker, report) and every indicator equals a
hand calculation from the source to the cent, missing years missing in the page, the API (null)
and the export.

The expected values are computed here from the fixture's own text with Decimal (亿元 × 10⁸),
never by Panhuo's code."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panhuo.core.testing import make_user
from panhuo.core.tests.api_support import client_for
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.models import FiscalInputs
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role
from panhuo.register.import_models import ImportRun
from panhuo.register.imports import execute_import

D = Decimal
YI = D(100_000_000)
Q4 = D("0.0001")

HEADER = ["地区", "年度"] + [
    f"{name}（亿元）"
    for name in ("一般公共预算收入", "政府性基金收入", "国有资本经营收入", "上级补助收入",
                 "上解上级支出", "一般公共预算支出", "政府性基金支出", "地区生产总值",
                 "一般债务限额", "专项债务限额", "一般债务余额", "专项债务余额")
]  # fmt: skip
FIELDS = ["general_budget_revenue", "fund_revenue", "state_capital_revenue", "transfers_in",
          "remittances_up", "budget_expenditure", "fund_expenditure", "gdp",
          "general_debt_limit", "special_debt_limit", "general_debt_balance",
          "special_debt_balance"]  # fmt: skip
# A prefecture-level city's panel, 2019–2025, 亿元, blank where the city published nothing:
# 2022 no GDP, 2023 no state capital revenue, 2024 no general balance, 2025 no revenue at all.
PANEL = {
    2019: "215.37,180.52,3.08,120.44,8.15,410.26,190.33,2650.18,260.5,420.8,248.71,395.62",
    2020: "208.11,201.47,2.96,151.09,8.4,452.73,215.06,2711.42,285.5,520.8,270.15,488.09",
    2021: "231.86,176.3,3.41,138.72,8.62,439.58,188.91,2930.77,300.5,610.8,291.44,575.13",
    2022: "224.09,112.58,4.27,162.35,8.9,468.12,130.46,,318.5,720.8,305.92,689.47",
    2023: "236.45,98.73,,149.81,9.05,471.9,112.37,3105.66,330.5,835.8,322.08,801.26",
    2024: "241.12,85.64,5.0237,155.28,9.31,480.35,101.89,3187.24,345.5,930.8,,905.77",
    2025: ",,,,,,,,360.5,1030.8,368.4,1012.55",
}


def _source() -> dict[int, dict[str, Decimal | None]]:
    """The panel as a hand calculation reads it: yuan, exact; blank is None."""
    out = {}
    for year, line in PANEL.items():
        cells = line.split(",")
        out[year] = {f: (D(c) * YI if c else None) for f, c in zip(FIELDS, cells, strict=True)}
    return out


def _pct(part, whole):
    if part is None or whole is None:
        return None
    return (D(100) * part / whole).quantize(Q4, ROUND_HALF_UP)


def _expected(year: int) -> dict:
    s = _source()[year]
    parts = [s["general_budget_revenue"], s["fund_revenue"], s["state_capital_revenue"],
             s["transfers_in"], s["remittances_up"]]  # fmt: skip
    capacity = None if None in parts else sum(parts[:4]) - parts[4]
    general, special = s["general_debt_balance"], s["special_debt_balance"]
    government = None if general is None or special is None else general + special
    ratio = _pct(government, capacity)
    tier = None
    if ratio is not None:
        tier = ("green" if ratio < 120 else "yellow" if ratio < 200
                else "orange" if ratio < 300 else "red")  # fmt: skip
    limits = s["general_debt_limit"] + s["special_debt_limit"]
    return {
        "capacity": capacity, "government_debt": government, "debt_ratio": ratio,
        "debt_ratio_tier": tier, "debt_to_gdp": _pct(government, s["gdp"]),
        "limit_use_general": _pct(general, s["general_debt_limit"]),
        "limit_use_special": _pct(special, s["special_debt_limit"]),
        "limit_use_total": _pct(government, limits), "gdp": s["gdp"],
        "budget_expenditure": s["budget_expenditure"], "fund_expenditure": s["fund_expenditure"],
    }  # fmt: skip


def _csv(rows=None, header=HEADER, place="C1") -> bytes:
    lines = [",".join(header)]
    for year, line in (rows or PANEL).items():
        lines.append(f"{place},{year},{line}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def data_dir(settings, tmp_path):
    # A cache of its own: run ids restart per test, and another test's cancel flag must not
    # stop this run.
    settings.DATA_DIR = tmp_path
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }}  # fmt: skip
    return tmp_path


@pytest.fixture
def city_finance(world):
    world.users["city_finance"] = make_user("city_finance", Role.FINANCE, world.city)
    return world.users["city_finance"]


def _upload(world, who, data: bytes, *, commit: bool) -> ImportRun:
    """Through the API, as a debt office would; the worker's own function runs it."""
    c = client_for(world, who)
    r = c.post(
        "/api/v1/fiscal-imports",
        {"file": SimpleUploadedFile("panel.csv", data, content_type="text/csv"),
         "commit": "true" if commit else "false"},
    )  # fmt: skip
    assert r.status_code == 202, r.content
    run = execute_import(ImportRun.objects.get(pk=r.json()["id"]))
    return run


def test_the_city_panel_imports_and_every_indicator_is_the_hand_calculation(
    world, data_dir, city_finance
):
    dry = _upload(world, "city_finance", _csv(), commit=False)
    assert dry.status == "succeeded" and dry.report["new"] == 7, dry.report
    assert (
        not FiscalInputs.objects.exists()
        and not AuditEntry.objects.filter(action="fiscal_inputs.import").exists()
    )
    run = _upload(world, "city_finance", _csv(), commit=True)
    assert run.status == "succeeded" and run.report["new"] == 7, run.report
    # 2025 (row 8): the published general balance is above its limit: imported, flagged.
    assert [(f["row"], f["code"]) for f in run.report["flags"]] == [
        (8, "general_limit_below_balance")
    ]
    stored = {f.year: f for f in FiscalInputs.objects.filter(jurisdiction=world.city)}
    source = _source()
    for year, row in stored.items():
        for name in FIELDS:  # exact, and a blank cell is NULL, never 0
            assert getattr(row, name) == source[year][name], (year, name)
    assert stored[2024].state_capital_revenue == D("502370000.00")  # 5.0237 亿元, exactly
    assert stored[2023].comprehensive_fiscal_capacity is None and stored[2023].capacity_source == ""
    assert stored[2019].capacity_source == "derived"

    supervisor = world.user("supervisor")
    import datetime as dt

    for year in PANEL:
        want = _expected(year)
        got = indicators_for(supervisor, world.city, dt.date(year, 12, 31))
        assert got.debt_source == "reported" and got.balance_date == dt.date(year, 12, 31)
        assert got.over_limit == (year == 2025)
        for name, value in want.items():
            assert getattr(got, name) == value, (year, name, getattr(got, name), value)
        # A published panel has no implicit debt, arrears or schedules: missing, never 0.
        for name in ("broad_debt_ratio", "overdue_ratio", "interest_burden",
                     "interest_burden_special", "weighted_rate", "average_years_to_maturity",
                     "share_within_year", "overdue"):  # fmt: skip
            assert getattr(got, name) is None, (year, name)
    # The hand calculation is not vacuous: the figures it gives exist and differ by year.
    assert _expected(2019)["debt_ratio"] == D("126.0279")
    assert _expected(2021)["debt_ratio_tier"] == "yellow"
    missing = {y for y in PANEL if _expected(y)["debt_ratio"] is None}
    assert missing == {2023, 2024, 2025}

    # The API: each year end's indicators, null where missing.
    c = client_for(world, "supervisor")
    for year in PANEL:
        body = c.get("/api/v1/indicators",
                     {"jurisdiction": world.city.pk, "as_of": f"{year}-12-31"}).json()  # fmt: skip
        want = _expected(year)
        for name in ("debt_ratio", "debt_to_gdp", "limit_use_total", "limit_use_general",
                     "limit_use_special", "capacity", "government_debt"):  # fmt: skip
            assert (None if body[name] is None else D(body[name])) == want[name], (year, name)
        assert body["debt_source"] == "reported" and body["overdue_ratio"] is None
        assert body["broad_debt_ratio"] is None and body["interest_burden"] is None

    # The comparison: page, API and CSV, the missing years missing.
    query = {"jurisdiction": world.city.pk, "from_year": 2019, "to_year": 2025}
    page = c.get(reverse("risk-compare"), query)
    own = next(r for r in page.context["table"] if r["own"])
    assert [cell["ratio"] for cell in own["cells"]] == [_expected(y)["debt_ratio"] for y in PANEL]
    assert all(own["cells"][i]["missing"] for i in (4, 5, 6))  # the reason, on the page
    html = page.content.decode()
    city_row = html[html.index('data-jurisdiction="C1"') :].split("</tr>")[0]
    assert city_row.count(">—<") == 3
    assert city_row.count("published balances") == 4  # the years with a ratio say so
    api = c.get("/api/v1/risk/compare", query)
    assert api.status_code == 200, api.content
    city = next(p for p in api.json()["places"] if p["own"])
    assert [cell["year"] for cell in city["cells"]] == list(PANEL)
    for cell in city["cells"]:
        want = _expected(cell["year"])
        got = None if cell["debt_ratio"] is None else D(cell["debt_ratio"])
        assert got == want["debt_ratio"] and cell["debt_ratio_tier"] == want["debt_ratio_tier"]
        assert cell["debt_source"] == "reported"
        if got is None:
            assert cell["notes"], cell
    export = c.get(reverse("risk-compare"), {**query, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    line = next(r for r in rows if r[0] == "C1")
    # The export shows two decimals, as a debt office reports: the hand calculation's ratio
    # rounded half up to 0.01 %, straight from the source.
    want = []
    for y in PANEL:
        s, e = _source()[y], _expected(y)
        if e["debt_ratio"] is None:
            want.append("")
            continue
        ratio = D(100) * (s["general_debt_balance"] + s["special_debt_balance"]) / e["capacity"]
        want.append(str(ratio.quantize(D("0.01"), ROUND_HALF_UP)))
    assert line[2:] == want


def test_importing_a_year_again_updates_it_audited_never_a_second_row(
    world, data_dir, city_finance
):
    _upload(world, "city_finance", _csv(), commit=True)
    assert FiscalInputs.objects.count() == 7
    again = _upload(world, "city_finance", _csv(), commit=True)
    assert (again.report["new"], again.report["updated"], again.report["unchanged"]) == (0, 0, 7)
    changed = dict(PANEL)
    changed[2024] = PANEL[2024].replace(",,905.77", ",333.33,905.77")  # the balance published
    run = _upload(world, "city_finance", _csv(changed), commit=True)
    assert (run.report["new"], run.report["updated"], run.report["unchanged"]) == (0, 1, 6)
    assert FiscalInputs.objects.count() == 7
    row = FiscalInputs.objects.get(jurisdiction=world.city, year=2024)
    assert row.general_debt_balance == D("33333000000.00")
    entry = AuditEntry.objects.filter(action="fiscal_inputs.import").latest("seq")
    assert entry.before["general_debt_balance"] is None
    assert entry.after["general_debt_balance"] == "33333000000.00"
    assert entry.after["source"]["import"] == run.pk
    # A file without a column keeps that figure: only GDP given for 2024.
    only = _csv({2024: "3200"}, header=["地区", "年度", "GDP（亿元）"])
    _upload(world, "city_finance", only, commit=True)
    row.refresh_from_db()
    assert row.gdp == D("320000000000.00") and row.general_debt_balance == D("33333000000.00")


def test_a_register_wins_over_reported_balances(world, data_dir, city_finance):
    """Where debts are registered below the place, the indicators read the register."""
    import datetime as dt

    from panhuo.finance.models import Debt

    _upload(world, "city_finance", _csv(), commit=True)
    Debt.objects.create(
        code="G1", jurisdiction=world.district, creditor="c", debt_type="general_bond",
        principal=D("1000000.00"), outstanding=D("1000000.00"), rate=D("3"),
        rate_type="fixed", issue_date=dt.date(2018, 1, 1), maturity_date=dt.date(2040, 1, 1),
    )  # fmt: skip
    got = indicators_for(world.user("supervisor"), world.city, dt.date(2019, 12, 31))
    assert got.debt_source == "register" and got.government_debt == D("1000000.00")
    assert got.debt_ratio == _pct(D("1000000.00"), _expected(2019)["capacity"])


def test_the_upload_page_queues_and_the_run_page_shows_the_flags(world, data_dir, city_finance):
    c = client_for(world, "city_finance")
    upload = SimpleUploadedFile("panel.csv", _csv(), content_type="text/csv")
    r = c.post(reverse("fiscal-import"), {"file": upload, "run": "dry_run", "mode": "all"})
    assert r.status_code == 302, r.content
    run = execute_import(ImportRun.objects.get(target="fiscal"))
    assert run.status == "succeeded" and not FiscalInputs.objects.exists()
    page = c.get(run.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and 'id="flagged"' in html
    assert "36,050,000,000.00" in html and reverse("fiscal-import") in html
    # Another finance officer's run is not theirs to read (refused as from the import section,
    # as for debt runs), nor an asset importer's (as if it did not exist).
    assert client_for(world, "finance").get(run.get_absolute_url()).status_code == 403
    assert client_for(world, "office").get(run.get_absolute_url()).status_code == 404
