"""The debt import: the asset import's machinery with debts' fields, rules and permission.

Bad rows are reported naming row and column and nothing is written unless asked for the valid
rows only; a re-import changes nothing; the debt list's export imports back unchanged."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.tests.api_support import client_for
from panhuo.core.tests.per_caller import per_caller
from panhuo.finance import services as fs
from panhuo.finance.models import Debt
from panhuo.integrity.models import AuditEntry
from panhuo.register.importing.engine import Mapping, run_import, target_for
from panhuo.register.importing.readers import FileRejected

DEBTS = target_for("debts")
HEADER = "债务编码,地区,债权人,债务类型,本金,币种,利率(%),利率类型,发行日期,到期日,还款方式\n"
ROWS = [
    "ZQ-2020-01,D1,省财政厅,一般债券,1.5亿元,CNY,3.25%,固定,2020年6月1日,2030年6月1日,到期一次还本",
    "DK-007,District A,农业银行,银行贷款,5000万,CNY,4.35,浮动,2021-01-15,2026-01-15,等额本金",
    'PT-3,D1,城投公司,城投债,"12,000,000.00",,5.1,,2022/3/1,2027/3/1,',
]


def _file(rows, header=HEADER, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO((header + "".join(r + "\n" for r in rows)).encode(encoding))


def _run(world, rows, who="finance", **kw):
    return run_import(DEBTS, actor=world.user(who), stream=_file(rows, **kw.pop("file", {})),
                      mapping=kw.pop("mapping", Mapping()), **kw)  # fmt: skip


def test_dry_run_counts_and_writes_nothing(world):
    report = _run(world, ROWS)
    assert (report.rows, report.new, report.rejected, report.committed) == (3, 3, 0, False)
    assert report.columns["债务编码"] == "code" and report.columns["地区"] == "jurisdiction"
    assert not Debt.objects.exists() and not AuditEntry.objects.exists()


def test_commit_reads_chinese_words_units_and_dates_then_reimport_is_idempotent(world):
    report = _run(world, ROWS, commit=True)
    assert report.committed and report.new == 3, report.errors
    bond = Debt.objects.get(code="ZQ-2020-01")
    assert bond.debt_type == "general_bond" and bond.principal == Decimal("150000000.00")
    assert bond.outstanding == bond.principal and bond.rate == Decimal("3.250")
    assert bond.issue_date == dt.date(2020, 6, 1) and bond.jurisdiction == world.district
    assert bond.schedule_kind == "bullet" and bond.schedule.count() == 10
    loan = Debt.objects.get(code="DK-007")
    assert loan.rate_type == "floating" and loan.principal == Decimal("50000000.00")
    assert sum(r.principal for r in loan.schedule.all()) == loan.principal
    assert Debt.objects.get(code="PT-3").debt_type == "lgfv_bond"
    assert AuditEntry.objects.filter(action="debt.import_create").count() == 3
    n_audit = AuditEntry.objects.count()
    again = _run(world, ROWS, commit=True)
    assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert AuditEntry.objects.count() == n_audit


def test_update_changes_only_what_differs_and_keeps_the_repaid_part(world):
    _run(world, ROWS, commit=True)
    Debt.objects.filter(code="PT-3").update(outstanding=Decimal("10000000.00"))  # 2 m repaid
    rows = [ROWS[0], ROWS[1], ROWS[2].replace('"12,000,000.00"', "1300万")]
    report = _run(world, rows, commit=True)
    assert (report.updated, report.unchanged) == (1, 2)
    debt = Debt.objects.get(code="PT-3")
    assert debt.principal == Decimal("13000000.00") and debt.outstanding == Decimal("11000000.00")
    assert debt.version == 2
    entry = AuditEntry.objects.get(action="debt.import_update")
    assert entry.before["principal"] == "12000000.00"


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("X1,D1,Bank,一般债券,100,CNY,3,,2030-01-01,2020-01-01,", "到期日", "not after issue"),
        ("X1,NOWHERE,Bank,一般债券,100,CNY,3,,2020-01-01,2030-01-01,", "地区", "unknown"),
        ("X1,D2,Bank,一般债券,100,CNY,3,,2020-01-01,2030-01-01,", "地区", "unknown"),
        ("X1,D1,Bank,彩票,100,CNY,3,,2020-01-01,2030-01-01,", "债务类型", "is not one of"),
        ("X1,D1,Bank,一般债券,-100,CNY,3,,2020-01-01,2030-01-01,", "本金", "negative"),
        ("X1,D1,Bank,一般债券,100,CNY,3,,2020-02-30,2030-01-01,", "发行日期", ""),
        ("X1,D1,Bank,一般债券,100,CNY,300,,2020-01-01,2030-01-01,", "利率(%)", "between 0"),
        ("X1,D1,,一般债券,100,CNY,3,,2020-01-01,2030-01-01,", "债权人", "required"),
        ("X1,D1,Bank,一般债券,100,CNY,3,,2020-01-01,2030-01-01,自定义", "还款方式", "custom"),
    ],
)  # fmt: skip
def test_bad_rows_name_row_and_column_and_nothing_is_written(world, row, column, words):
    report = _run(world, [ROWS[0], row], commit=True)
    assert report.rejected == 1 and not report.committed
    (error,) = report.errors
    assert (error.row, error.column) == (3, column) and words in error.message
    assert not Debt.objects.exists()


def test_duplicate_code_in_the_file(world):
    report = _run(world, [ROWS[0], ROWS[1], ROWS[0]])
    (error,) = report.errors
    assert (error.row, error.column) == (4, "债务编码") and "row 2" in error.message


def test_valid_rows_only_writes_the_good_ones(world):
    bad = "X1,D1,Bank,一般债券,-1,CNY,3,,2020-01-01,2030-01-01,"
    report = _run(world, [ROWS[0], bad, ROWS[1]], commit=True, valid_only=True)
    assert report.committed and (report.new, report.rejected) == (2, 1)
    assert set(Debt.objects.values_list("code", flat=True)) == {"ZQ-2020-01", "DK-007"}


@per_caller(["head", "office", "auditor", "unit_officer", "outsider_finance"])
def test_only_who_may_edit_the_jurisdictions_debts(world, who):
    report = _run(world, ROWS, who=who, commit=True)
    assert report.rejected == 3 and not Debt.objects.exists()
    assert all(e.column == "地区" for e in report.errors)


def test_a_debt_of_another_jurisdiction_is_not_touched(world):
    fs.debt_create(actor=world.user("outsider_finance"), jurisdiction=world.other_district,
                   data={"code": "DK-007", "creditor": "B bank", "debt_type": "bank_loan",
                         "principal": "5", "rate": Decimal("1"), "issue_date": dt.date(2020, 1, 1),
                         "maturity_date": dt.date(2021, 1, 1)})  # fmt: skip
    report = _run(world, [ROWS[1]], commit=True)
    assert report.rejected == 1 and "may not edit" in report.errors[0].message
    assert Debt.objects.get(code="DK-007").creditor == "B bank"


def test_the_export_imports_back_unchanged(world):
    _run(world, ROWS, commit=True)
    fs.debt_create(actor=world.user("finance"), jurisdiction=world.district,
                   data={"code": "HAND-1", "creditor": "Supplier, Ltd", "debt_type": "arrears",
                         "principal": "1234.56", "outstanding": "1000", "rate": Decimal("0"),
                         "issue_date": dt.date(2024, 2, 29),
                         "maturity_date": dt.date(2025, 2, 28)})  # fmt: skip
    before = {d.code: (d.version, d.outstanding) for d in Debt.objects.all()}
    export = client_for(world, "finance").get(reverse("debt-export"))
    data = b"".join(export.streaming_content)
    report = run_import(DEBTS, actor=world.user("finance"), stream=io.BytesIO(data),
                        filename="debts.csv", commit=True)  # fmt: skip
    assert (report.rows, report.unchanged, report.rejected) == (4, 4, 0), report.errors
    assert {d.code: (d.version, d.outstanding) for d in Debt.objects.all()} == before


def test_cli_dry_run_by_default_then_commit(world, tmp_path, capsys):
    path = tmp_path / "debts.csv"
    path.write_bytes(_file(ROWS).getvalue())
    call_command("import", "debts", str(path), "--user", "finance", "--no-progress")
    assert "Dry run" in capsys.readouterr().out and not Debt.objects.exists()
    call_command("import", "debts", str(path), "--user", "finance", "--no-progress", "--commit")
    assert Debt.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("import", "debts", str(path), "--user", "nobody", "--no-progress")


def test_a_file_without_the_key_columns_is_rejected(world):
    with pytest.raises(FileRejected, match="jurisdiction"):
        _run(world, ["X,Bank"], file={"header": "债务编码,债权人\n"})


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "一般债券", "1.5亿元", "-3", "3.25%", "2020年2月30日", "D1", "1e400",
                     "NaN", "=1+1", "2030-01-01", "万元", "固定", "等额本息", "\x00"]),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELL, min_size=11, max_size=11), min_size=1, max_size=4))
def test_the_parser_never_crashes_only_reports(world, rows):
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows([r for r in rows])
    try:
        data = io.BytesIO((HEADER + buf.getvalue()).encode())
        report = run_import(DEBTS, actor=world.user("finance"), stream=data, commit=True)
    except FileRejected:
        return  # e.g. every row blank: the whole file is refused, with a reason
    assert report.rows == report.new + report.updated + report.unchanged + report.rejected
    assert all(e.row >= 2 and e.column and e.message for e in report.errors)
    assert report.committed == (report.rejected == 0)
    if not report.committed:
        assert not Debt.objects.exists()
    Debt.objects.all().delete()


# --- Background runs: page and API ------------------------------------------------------------


@pytest.fixture
def data_dir(settings, tmp_path):
    # A cache of its own: run ids restart per test, and another test's cancel flag must not
    # stop this run.
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return tmp_path


def _upload(name="debts.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, _file(ROWS).getvalue(), content_type="text/csv")


@pytest.mark.parametrize(
    "who, status",
    [("finance", 302), ("outsider_finance", 302), ("office", 403), ("auditor", 403),
     ("unit_officer", 403), ("head", 403)],
)  # fmt: skip
def test_upload_page(world, data_dir, who, status):
    from panhuo.register.import_models import ImportRun
    from panhuo.register.imports import execute_import

    c = client_for(world, who)
    assert c.get(reverse("debt-import")).status_code == (200 if status == 302 else 403)
    r = c.post(reverse("debt-import"), {"file": _upload(), "run": "commit", "mode": "all"})
    assert r.status_code == status
    if status != 302:
        assert not ImportRun.objects.exists()
        return
    run = execute_import(ImportRun.objects.get(target="debts"))
    assert run.status == ("succeeded" if who == "finance" else "rejected")
    assert Debt.objects.count() == (3 if who == "finance" else 0)
    page = c.get(run.get_absolute_url())
    assert page.status_code == 200 and "债务编码" in page.content.decode()
    # An asset importer may not open someone's debt run; the debt importer not an asset run.
    assert client_for(world, "office").get(run.get_absolute_url()).status_code == 404


def test_debt_list_links_the_import_for_debt_editors_only(world):
    assert (
        reverse("debt-import")
        in client_for(world, "finance").get(reverse("debt-list")).content.decode()
    )
    assert (
        reverse("debt-import")
        not in client_for(world, "auditor").get(reverse("debt-list")).content.decode()
    )


@pytest.mark.parametrize(
    "who, status", [("finance", 202), ("office", 403), ("auditor", 403), ("anonymous", 401)]
)
def test_api_upload_and_follow(world, data_dir, who, status):
    from panhuo.register.import_models import ImportRun
    from panhuo.register.imports import execute_import

    c = client_for(world, who) if who != "anonymous" else __import__("django").test.Client()
    r = c.post("/api/v1/debt-imports", {"file": _upload(), "commit": "false"})
    assert r.status_code == status, r.content
    if status != 202:
        assert not ImportRun.objects.exists()
        return
    run = execute_import(ImportRun.objects.get(pk=r.json()["id"]))
    out = c.get(f"/api/v1/debt-imports/{run.pk}").json()
    assert out["status"] == "succeeded" and out["report"]["new"] == 3
    assert not Debt.objects.exists()  # a dry run
    assert [x["id"] for x in c.get("/api/v1/debt-imports").json()["results"]] == [run.pk]
    assert (
        client_for(world, "outsider_finance").get(f"/api/v1/debt-imports/{run.pk}").status_code
        == 404
    )


# --- Saved column mappings for debt files (issue 14: they had no page) ----------------------

SOURCE = (
    "编号,行政区划,出借人,种类,金额,利率,发行日期,到期日\n"
    "JK-1,D1,省财政厅,转贷资金,300万元,3.2,2021-01-01,2031-01-01\n"
    "JK-2,D1,农业银行,银行贷款,200万元,4.1,2022-06-01,2027-06-01\n"
)


def test_debt_mappings_page_reads_a_sample_saves_and_imports(world, data_dir):
    from panhuo.register.import_models import ImportMapping, ImportRun
    from panhuo.register.imports import execute_import

    c = client_for(world, "finance")
    f = io.BytesIO(SOURCE.encode())
    f.name = "loans.csv"
    page = c.post(reverse("debt-import-mapping-create"), {"action": "read", "sample": f})
    assert page.status_code == 200
    form = page.context["form"]
    # Debt fields to choose from, no coordinate system to ask for.
    assert "crs" not in form.fields
    assert {v for v, _label in form.fields["col_0"].choices} >= {"code", "jurisdiction"}
    assert form["col_0"].value() == "code"  # 编号 matched by itself
    # 转贷资金 is a word the import does not know: offered under the debt type.
    words = [form[s].value() for s, _d in form.value_names["debt_type"]]
    assert "转贷资金" in words and "银行贷款" not in words
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"action": "save", "name": "Treasury loans", "col_1": "jurisdiction",
                 "date_order": "dmy", "amount_unit": "yuan",
                 "col_2": "creditor", "col_3": "debt_type", "col_4": "principal"})  # fmt: skip
    for s, d in form.value_names["debt_type"]:
        data[s] = form[s].value() or ""
        data[d] = "general_bond" if data[s] == "转贷资金" else ""
    response = c.post(reverse("debt-import-mapping-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    saved = ImportMapping.objects.get(owner=world.user("finance"))
    assert saved.target == "debts" and saved.columns["出借人"] == "creditor"
    assert saved.values == {"debt_type": {"转贷资金": "general_bond"}}
    listing = c.get(reverse("debt-import-mapping-list")).content.decode()
    assert "Treasury loans" in listing
    assert reverse("debt-import-mapping-edit", args=[saved.pk]) in listing
    # Offered on the debt upload page, and it reads the source's file.
    assert "Treasury loans" in c.get(reverse("debt-import")).content.decode()
    upload = io.BytesIO(SOURCE.encode())
    upload.name = "loans.csv"
    r = c.post(reverse("debt-import"), {"file": upload, "run": "commit", "mode": "all",
                                        "mapping": "Treasury loans"})  # fmt: skip
    assert r.status_code == 302
    run = execute_import(ImportRun.objects.get(target="debts"))
    assert run.status == "succeeded", run.report.get("errors")
    assert Debt.objects.get(code="JK-1").debt_type == "general_bond"
    assert Debt.objects.get(code="JK-1").principal == Decimal("3000000.00")


def test_debt_mappings_are_the_debt_importers_alone(world, data_dir):
    from panhuo.register.import_mappings import mapping_save

    mapping = mapping_save(actor=world.user("finance"), name="Mine", target="debts",
                           columns={"编号": "code", "行政区划": "jurisdiction"})  # fmt: skip
    for who, status in [("office", 403), ("auditor", 403), ("finance", 200)]:
        c = client_for(world, who)
        assert c.get(reverse("debt-import-mapping-list")).status_code == status, who
        edit = c.get(reverse("debt-import-mapping-edit", args=[mapping.pk]))
        assert edit.status_code == status, who
    # Another district's finance officer: someone else's mapping looks missing.
    other = client_for(world, "outsider_finance")
    assert other.get(reverse("debt-import-mapping-edit", args=[mapping.pk])).status_code == 404
    # The asset importer may not keep debt mappings, by page or API.
    with pytest.raises(Exception, match="may not edit debts"):
        mapping_save(actor=world.user("office"), name="X", target="debts", columns={})
    r = client_for(world, "office").post(
        "/api/v1/import-mappings", {"name": "X", "target": "debts", "columns": {}},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 403
    api = client_for(world, "finance")
    got = api.get("/api/v1/import-mappings?target=debts").json()["results"]
    assert [m["name"] for m in got] == ["Mine"] and got[0]["target"] == "debts"


def test_a_debt_imported_part_repaid_gets_an_opening_entry(world):
    """Issue 15: a debt registered part-repaid has an explicit record of it; a voided debt is
    not changed by a later import."""
    from panhuo.finance.debts.repayments import debt_void, ledger_mismatches

    header = "债务编码,地区,债权人,债务类型,本金,债务余额,利率(%),发行日期,到期日\n"
    row = "DK-9,D1,农业银行,银行贷款,1000万,600万,4.35,2021-01-15,2031-01-15"
    report = _run(world, [row], commit=True, file={"header": header})
    assert report.new == 1, report.errors
    debt = Debt.objects.get(code="DK-9")
    assert debt.outstanding == Decimal("6000000.00")
    (entry,) = debt.repayments.all()
    assert (entry.source, entry.amount) == ("opening", Decimal("4000000.00"))
    assert ledger_mismatches(Debt.objects.all()) == []
    debt_void(actor=world.user("finance"), debt=debt, reason="entered twice")
    report = _run(world, [row.replace("农业银行", "工商银行")], commit=True,
                  file={"header": header})  # fmt: skip
    assert report.rejected == 1 and "voided" in str(report.errors)
    assert Debt.objects.get(code="DK-9").creditor == "农业银行"
