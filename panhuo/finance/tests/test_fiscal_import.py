"""The fiscal panel import's bad input: units read from the header, blanks kept missing, an
implausible magnitude and a limit below its balance flagged (imported), bad rows refused
naming row and column in both languages with nothing written; who may import."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import make_user
from panhuo.core.tests.api_support import client_for
from panhuo.finance.debts.models import FiscalInputs
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role
from panhuo.register.importing.engine import Mapping, run_import, target_for
from panhuo.register.importing.report import shown_error

FISCAL = target_for("fiscal")
D = Decimal


def _run(world, text: str, who="finance", **kw):
    return run_import(FISCAL, actor=world.user(who), stream=io.BytesIO(text.encode("utf-8")),
                      mapping=kw.pop("mapping", Mapping()), **kw)  # fmt: skip


def test_english_headers_and_a_wan_yuan_header_are_read_exactly(world):
    text = (
        "Jurisdiction code,Year,General budget revenue (万元),GDP (yi),Fund revenue\n"
        "D1,2024,1234567.89,12.3456789,3亿元\n"
        "D1,2023年,,11.5,\n"
    )
    report = _run(world, text, commit=True)
    assert report.committed and report.new == 2, report.errors
    rows = {f.year: f for f in FiscalInputs.objects.filter(jurisdiction=world.district)}
    assert rows[2024].general_budget_revenue == D("12345678900.00")
    assert rows[2024].gdp == D("1234567890.00") and rows[2024].fund_revenue == D("300000000.00")
    # Blank cells are missing, never 0; capacity is missing while a part is.
    assert rows[2023].general_budget_revenue is None and rows[2023].fund_revenue is None
    assert rows[2023].comprehensive_fiscal_capacity is None


def test_a_figure_far_from_its_other_years_is_flagged_and_imported(world):
    text = (
        "地区,年度,一般公共预算收入（亿元）,政府性基金收入（亿元）\n"
        "D1,2021,20.5,10.1\n"
        "D1,2022,21.3,98000\n"  # fund revenue in 万元 under a 亿元 header
        "D1,2023,22.0,9.8\n"
    )
    report = _run(world, text, commit=True)
    assert report.committed and report.rejected == 0
    assert [(f.row, f.column, f.msg.code) for f in report.flags] == [
        (3, "政府性基金收入（亿元）", "implausible_magnitude")
    ]
    shown = report.flags[0].as_dict()
    with translation.override("zh-hans"):
        zh = shown_error(shown)["message"]
    with translation.override("en"):
        en = shown_error(shown)["message"]
    assert "unit" in en and zh != en and "单位" in zh
    assert FiscalInputs.objects.get(jurisdiction=world.district, year=2022).fund_revenue == D(
        "9800000000000.00"
    )


def test_a_limit_below_its_balance_and_a_part_above_gdp_are_flagged(world):
    text = (
        "地区,年度,一般债务限额（亿元）,一般债务余额（亿元）,地区生产总值（亿元）,"
        "上级补助收入（亿元）\n"
        "D1,2024,50,60.5,300,400\n"
    )
    report = _run(world, text)
    assert sorted(f.msg.code for f in report.flags) == [
        "general_limit_below_balance", "part_above_gdp"
    ]  # fmt: skip
    assert report.new == 1 and report.rejected == 0 and not FiscalInputs.objects.exists()


@pytest.mark.parametrize(
    "row, column, code",
    [
        ("D1,20x9,1,2", "年度", "not_a_year"),
        ("D1,1989,1,2", "年度", "not_a_year"),
        ("D1,,1,2", "年度", "year_required"),
        ("D9,2024,1,2", "地区", "unknown_jurisdiction"),
        ("D1,2024,-1,2", "一般公共预算收入（亿元）", "negative"),
        ("D1,2024,1,0", "地区生产总值（亿元）", "figure_zero"),
        ("D1,2024,abc,2", "一般公共预算收入（亿元）", "not_a_number"),
    ],
)
def test_bad_rows_name_row_and_column_and_nothing_is_written(world, row, column, code):
    text = f"地区,年度,一般公共预算收入（亿元）,地区生产总值（亿元）\nD1,2020,1,2\n{row}\n"
    report = _run(world, text, commit=True)
    assert not report.committed and report.rejected == 1
    assert [(e.row, e.column, e.msg.code if e.msg else None) for e in report.errors] == [
        (3, column, code)
    ]
    with translation.override("zh-hans"):
        zh = shown_error(report.errors[0].as_dict())["message"]
    assert zh and zh != report.errors[0].msg.english()
    assert not FiscalInputs.objects.exists()
    assert not AuditEntry.objects.filter(action="fiscal_inputs.import").exists()


def test_a_capacity_not_its_parts_and_a_year_twice_are_refused(world):
    header = ("地区,年度,综合财力（亿元）,一般公共预算收入（亿元）,政府性基金收入（亿元）,"
              "国有资本经营收入（亿元）,上级补助收入（亿元）,上解上级支出（亿元）\n")  # fmt: skip
    report = _run(world, header + "D1,2024,100,50,30,1,20,2\nD1,2024,99,50,30,1,20,2\n")
    codes = [(e.row, e.msg.code) for e in report.errors]
    assert codes == [(3, "duplicate_year"), (2, "capacity_not_its_parts")]
    ok = _run(world, header + "D1,2024,99,50,30,1,20,2\nD1,2025,,50,30,1,20,2\n", commit=True)
    assert ok.committed, ok.errors
    derived = FiscalInputs.objects.get(year=2025)
    assert derived.comprehensive_fiscal_capacity == D("9900000000.00")
    assert derived.capacity_source == "derived"


def test_a_row_without_any_figure_writes_nothing_and_says_so(world):
    report = _run(world, "地区,年度,地区生产总值（亿元）\nD1,2024,\n", commit=True)
    assert report.committed and report.unchanged == 1
    assert [f.msg.code for f in report.flags] == ["no_figures"]
    assert not FiscalInputs.objects.exists()


def test_only_jurisdictions_whose_debts_one_may_edit(world):
    report = _run(world, "地区,年度,地区生产总值（亿元）\nC1,2024,5\n", commit=True)
    assert [e.msg.code for e in report.errors] == ["unknown_jurisdiction"]
    world.users["city_fin"] = make_user("city_fin", Role.FINANCE, world.city)
    text = "地区,年度,地区生产总值（亿元）\nC1,2024,5\n"
    assert _run(world, text, "city_fin", commit=True).committed


@pytest.mark.parametrize("who, status", [("finance", 200), ("office", 403), ("auditor", 403)])
def test_the_upload_page_and_the_risk_page_link(world, who, status):
    c = client_for(world, who)
    assert c.get(reverse("fiscal-import")).status_code == status
    assert c.get(reverse("fiscal-import-mapping-list")).status_code == status
    linked = reverse("fiscal-import") in c.get(reverse("risk-indicators")).content.decode()
    assert linked == (status == 200)


def test_the_compare_api_is_scoped_and_read_only(world):
    assert (
        client_for(world, "outsider_finance")
        .get("/api/v1/risk/compare", {"jurisdiction": world.district.pk})
        .status_code
        == 404
    )
    c = client_for(world, "supervisor")
    query = {"jurisdiction": world.city.pk, "from_year": 2024, "to_year": 2025}
    body = c.get("/api/v1/risk/compare", query).json()
    assert [p["code"] for p in body["places"]] == ["C1", "D1", "D2"]
    assert all(cell["debt_ratio"] is None for p in body["places"] for cell in p["cells"])
    bad = c.get("/api/v1/risk/compare", {"from_year": 2025, "to_year": 2010})
    assert bad.status_code == 400 and "to_year" in bad.content.decode()
    assert c.post("/api/v1/risk/compare").status_code == 405


def test_the_command_dry_runs_then_commits_and_prints_the_flags(world, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "panel.csv"
    path.write_text(
        "地区,年度,一般债务限额（亿元）,一般债务余额（亿元）\nD1,2024,50,60\n", encoding="utf-8"
    )
    call_command("import", "fiscal", str(path), user="finance", no_progress=True)
    out = capsys.readouterr().out
    assert "5,000,000,000.00" in out and "6,000,000,000.00" in out  # the flag, printed
    assert not FiscalInputs.objects.exists()
    call_command("import", "fiscal", str(path), user="finance", commit=True, no_progress=True)
    assert FiscalInputs.objects.get().general_debt_balance == D("6000000000.00")


_YI_TEXT = st.one_of(
    st.just(""),
    st.decimals(min_value=0, max_value=D("99999.9999"), places=4, allow_nan=False).map(str),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(cells=st.lists(st.tuples(_YI_TEXT, _YI_TEXT), min_size=1, max_size=4))
def test_any_yi_yuan_cell_is_stored_exactly_and_a_blank_stays_missing(world, cells):
    FiscalInputs.objects.all().delete()
    lines = ["地区,年度,一般债务余额（亿元）,专项债务余额（亿元）"]
    lines += [f"D1,{2001 + i},{a},{b}" for i, (a, b) in enumerate(cells)]
    report = _run(world, "\n".join(lines) + "\n", commit=True)
    assert report.committed, report.errors
    stored = {f.year: f for f in FiscalInputs.objects.all()}
    for i, (a, b) in enumerate(cells):
        if not a and not b:
            assert 2001 + i not in stored  # no figure: nothing written
            continue
        row = stored[2001 + i]
        for text, value in ((a, row.general_debt_balance), (b, row.special_debt_balance)):
            assert value == (D(text) * 100_000_000 if text else None)


def test_reported_balances_are_entered_through_the_api_and_read_on_the_risk_page(world):
    c = client_for(world, "finance")
    url = f"/api/v1/fiscal-inputs?jurisdiction={world.district.pk}&year=2024"
    r = c.put(url, {"comprehensive_fiscal_capacity": "1000.00", "general_debt_balance": "600.00",
                    "special_debt_balance": "0"}, content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["general_debt_balance"] == "600.00"
    assert r.json()["special_debt_balance"] == "0.00"
    bad = c.put(url, {"general_debt_balance": "-1"}, content_type="application/json")
    assert bad.status_code in (400, 422) and "general_debt_balance" in bad.content.decode()
    page = c.get(reverse("risk-indicators"),
                 {"jurisdiction": world.district.pk, "as_of": "2024-12-31"})  # fmt: skip
    ind = page.context["ind"]
    assert ind.debt_source == "reported" and ind.debt_ratio == D("60.0000")
    assert ind.overdue_ratio is None and ind.broad_debt_ratio is None
    assert "No debt register for this place" in page.content.decode()
