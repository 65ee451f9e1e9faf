"""Setting figures, thresholds and importing files: who may, what is written, what is refused."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.errors import ValidationError
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.monitor.importing import parse_month, revenue_import
from panhuo.monitor.models import MonitorThresholds, RevenueCategory, RevenueRecord
from panhuo.monitor.services import revenue_set, thresholds_set
from panhuo.organisation.policy import NotPermitted
from panhuo.register.importing.readers import FileRejected

pytestmark = pytest.mark.django_db


def cat(code: str) -> RevenueCategory:
    return RevenueCategory.objects.get(code=code)


def state():
    return sorted(
        RevenueRecord.objects.values_list("jurisdiction_id", "month", "category__code", "amount")
    )


def test_categories_are_seeded_as_a_tree():
    tops = RevenueCategory.objects.filter(parent__isnull=True)
    assert sorted(tops.values_list("code", flat=True)) == ["fund", "non_tax", "tax"]
    assert cat("fines").parent.code == "non_tax" and cat("fines").name_zh == "罚没收入"
    assert cat("land_sales").budget == "fund"
    assert cat("tax").children.count() == 8


def test_finance_sets_corrects_and_leaves_unchanged(world):
    fin = world.user("finance")
    record, outcome = revenue_set(
        actor=fin, jurisdiction=world.district, month="2024-03", category=cat("vat"),
        amount="1234.50",
    )  # fmt: skip
    assert outcome == "new" and record.month == dt.date(2024, 3, 1)
    assert record.amount == Decimal("1234.50")
    _r, outcome = revenue_set(
        actor=fin, jurisdiction=world.district, month=dt.date(2024, 3, 17),
        category=cat("vat"), amount="1300",
    )  # fmt: skip
    assert outcome == "updated"
    entries = AuditEntry.objects.filter(object_type="monitor.revenuerecord")
    assert entries.count() == 2
    assert entries.order_by("seq").last().before["amount"] == "1234.50"
    _r, outcome = revenue_set(
        actor=fin, jurisdiction=world.district, month="2024-03", category=cat("vat"),
        amount="1300.00",
    )  # fmt: skip
    assert outcome == "unchanged" and entries.count() == 2
    assert RevenueRecord.objects.get().amount == Decimal("1300.00")


@pytest.mark.parametrize(
    "who",
    ["head", "deputy", "office", "auditor", "supervisor", "unit_officer", "bidder", "norole",
     "outsider_finance"],
)  # fmt: skip
def test_only_finance_of_the_place_sets_figures(world, who):
    with pytest.raises(NotPermitted):
        revenue_set(
            actor=world.user(who), jurisdiction=world.district, month="2024-03",
            category=cat("vat"), amount="1",
        )  # fmt: skip
    assert state() == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"month": "2024-13"}, "month"),
        ({"month": "1989-12"}, "month"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"category": "tax"}, "category"),
    ],
)
def test_bad_figures_are_named_and_nothing_written(world, kw, field):
    args = {"month": "2024-03", "category": "vat", "amount": "10"} | kw
    with pytest.raises(ValidationError) as exc:
        revenue_set(
            actor=world.user("finance"), jurisdiction=world.district, month=args["month"],
            category=cat(args["category"]), amount=args["amount"],
        )  # fmt: skip
    assert field in exc.value.message_dict
    assert state() == []


def test_thresholds_by_head_deputy_finance_only(world):
    t = thresholds_set(
        actor=world.user("head"), jurisdiction=world.district, land_dependence_pct="35",
        growth_margin_pct="2.5",
    )  # fmt: skip
    assert t.land_dependence_pct == Decimal("35.00")
    for who in ("office", "auditor", "supervisor", "outsider_head"):
        with pytest.raises(NotPermitted):
            thresholds_set(
                actor=world.user(who), jurisdiction=world.district, land_dependence_pct="1",
                growth_margin_pct="0",
            )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        thresholds_set(
            actor=world.user("finance"), jurisdiction=world.district, land_dependence_pct="101",
            growth_margin_pct="x",
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"land_dependence_pct", "growth_margin_pct"}
    assert MonitorThresholds.objects.get().land_dependence_pct == Decimal("35.00")


# --- Import --------------------------------------------------------------------------------


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


LONG = """jurisdiction,month,category,amount
D1,2024-01,vat,"1,000.00"
D1,2024年2月,增值税,12.5万元
District A,202403,Fines and confiscations,300
"""


def test_long_layout_dry_run_commit_and_idempotent(world):
    fin = world.user("finance")
    report = revenue_import(actor=fin, stream=csv_file(LONG))
    assert (report.rows, report.new, report.rejected, report.committed) == (3, 3, 0, False)
    assert state() == []
    report = revenue_import(actor=fin, stream=csv_file(LONG), commit=True)
    assert report.committed and report.new == 3
    assert state() == [
        (world.district.pk, dt.date(2024, 1, 1), "vat", Decimal("1000.00")),
        (world.district.pk, dt.date(2024, 2, 1), "vat", Decimal("125000.00")),
        (world.district.pk, dt.date(2024, 3, 1), "fines", Decimal("300.00")),
    ]
    audited = AuditEntry.objects.filter(action="revenue.create").count()
    assert audited == 3
    again = revenue_import(actor=fin, stream=csv_file(LONG), commit=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.filter(action__startswith="revenue.").count() == 3
    changed = LONG.replace(",300", ",301")
    report = revenue_import(actor=fin, stream=csv_file(changed), commit=True)
    assert (report.updated, report.unchanged) == (1, 2)
    assert RevenueRecord.objects.get(category__code="fines").amount == Decimal("301.00")


def test_a_dry_run_opens_no_transaction(world):
    """On SQLite a transaction takes the write lock: a dry run must not hold up other users."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        report = revenue_import(actor=world.user("finance"), stream=csv_file(LONG))
    assert report.new == 3 and not report.committed
    opened = [q["sql"] for q in ctx.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]
    assert not opened


def test_rejected_rows_are_named_and_nothing_is_half_written(world):
    fin = world.user("finance")
    text = LONG + "D2,2024-01,vat,5\nD1,2024-01,tax,5\nD1,2024-01,nonsense,5\nD1,2024-14,vat,5\n"
    text += "D1,2024-01,vat,7\nD1,2024-04,vat,abc\n"
    report = revenue_import(actor=fin, stream=csv_file(text), commit=True)
    assert not report.committed and state() == []
    got = {(e.row, e.column) for e in report.errors}
    assert got == {
        (5, "jurisdiction"),
        (6, "category"),
        (7, "category"),
        (8, "month"),
        (9, "amount"),
        (10, "amount"),
    }
    messages = " ".join(e.message for e in report.errors)
    assert "unknown jurisdiction “D2”" in messages and "unknown category “nonsense”" in messages
    assert "also given in row 2" in messages and "is a total" in messages
    assert report.rejected == 6 and report.new == 3
    report = revenue_import(actor=fin, stream=csv_file(text), commit=True, valid_only=True)
    assert report.committed and len(state()) == 3


def test_wide_layout_gb18030_with_unit_in_header(world):
    text = "地区,月份,增值税（万元）,罚没收入（万元）,land_sales,备注\n"
    text += "D1,2024-01,1.5,0.2,1000000,x\nD1,2024-02,2,,3亿,\n"
    report = revenue_import(
        actor=world.user("finance"), stream=csv_file(text, "gb18030"), commit=True
    )
    assert report.committed and report.ignored_headers == ["备注"]
    assert (report.rows, report.new) == (5, 5)
    got = {(m.month, c): a for _j, m, c, a in state() for m in [dt.date(m.year, m.month, 1)]}
    assert got[(2, "vat")] == Decimal("20000.00")
    assert got[(1, "fines")] == Decimal("2000.00")
    assert got[(2, "land_sales")] == Decimal("300000000.00")


def test_wide_layout_from_xlsx_second_sheet(world):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "notes"
    ws = wb.create_sheet("figures")
    ws.append(["jurisdiction", "month", "vat", "deed_tax"])
    ws.append(["D1", dt.datetime(2024, 5, 1), 100.25, 7])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    report = revenue_import(
        actor=world.user("finance"), stream=buf, sheet="figures", commit=True, filename="x.xlsx"
    )
    assert report.committed and report.new == 2
    assert RevenueRecord.objects.get(category__code="vat").amount == Decimal("100.25")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("month,category,amount\n2024-01,vat,1\n", "No jurisdiction column"),
        ("jurisdiction,month,foo\nD1,2024-01,1\n", "neither category and amount"),
        ("jurisdiction,month,tax\nD1,2024-01,1\n", "is a total"),
        ("", "empty"),
    ],
)
def test_files_that_cannot_be_read_are_refused(world, text, message):
    with pytest.raises(FileRejected, match=message):
        revenue_import(actor=world.user("finance"), stream=csv_file(text), commit=True)
    assert state() == []


@per_caller(["office", "auditor", "supervisor", "head", "norole"])
def test_import_refused_without_the_right(world, who):
    with pytest.raises(NotPermitted):
        revenue_import(actor=world.user(who), stream=csv_file(LONG), commit=True)
    assert state() == []


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024/3", dt.date(2024, 3, 1)),
        ("2024年3月", dt.date(2024, 3, 1)),
        ("202403", dt.date(2024, 3, 1)),
        ("2024-03-15", dt.date(2024, 3, 1)),
        ("15/03/2024", dt.date(2024, 3, 1)),
    ],
)
def test_months_read_in_every_usual_form(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["", "2024-13", "March", "1980-01", "2024年0月"])
def test_bad_months_are_refused(text):
    with pytest.raises(ValueError):
        parse_month(text)


CODES = ["vat", "deed_tax", "fines", "fees", "land_sales", "other_fund"]
figures = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.integers(1, 12),
        st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False),
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=figures)
def test_import_is_idempotent(world, rows):
    RevenueRecord.objects.all().delete()
    text = "jurisdiction,month,category,amount\n" + "".join(
        f"D1,2023-{m:02d},{c},{a}\n" for c, m, a in rows
    )
    fin = world.user("finance")
    first = revenue_import(actor=fin, stream=csv_file(text), commit=True)
    assert first.committed and first.new == len(rows)
    after_first = state()
    second = revenue_import(actor=fin, stream=csv_file(text), commit=True)
    assert (second.new, second.updated, second.unchanged) == (0, 0, len(rows))
    assert state() == after_first
    assert sorted((c, m, a) for _j, m, c, a in after_first) == sorted(
        (c, dt.date(2023, mo, 1), a) for c, mo, a in rows
    )


def test_cli_import_revenue_dry_run_then_commit(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "revenue.csv"
    path.write_text(LONG, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "revenue", str(path), user="finance", stdout=out)
    assert "new 3" in out.getvalue() and "Dry run" in out.getvalue() and state() == []
    out = io.StringIO()
    call_command("import", "revenue", str(path), user="finance", commit=True, stdout=out)
    assert "Committed." in out.getvalue() and len(state()) == 3
    path.write_text(LONG + "D1,2024-04,bogus,1\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import", "revenue", str(path), user="finance", commit=True, stdout=out)
    assert "row 5, column category: unknown category “bogus”" in out.getvalue()
    with pytest.raises(CommandError, match="may not"):
        call_command("import", "revenue", str(path), user="office", commit=True)


def test_thresholds_nearest_ancestor_wins(world):
    from panhuo.monitor.selectors import thresholds_for

    assert thresholds_for(world.district) == (Decimal("40.00"), Decimal("0.00"), None)
    MonitorThresholds.objects.create(jurisdiction=world.province, land_dependence_pct=30)
    MonitorThresholds.objects.create(jurisdiction=world.city, land_dependence_pct=35)
    MonitorThresholds.objects.create(jurisdiction=world.district, land_dependence_pct=50)
    assert thresholds_for(world.district)[0] == 50 and thresholds_for(world.district)[2] == (
        world.district
    )
    assert thresholds_for(world.other_district)[0] == 35
    assert thresholds_for(world.other_district)[2] == world.city
    assert thresholds_for(world.province)[0] == 30
