"""The debt management system's fields through import, export and the API: Chinese headers as
that system exports them, bad rows named in both languages with nothing written, the export in
its layout reading back unchanged, and who may change a debt's details."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from panhuo.core.tests.api_support import call, client_for
from panhuo.core.tests.per_caller import per_caller
from panhuo.finance import services as fs
from panhuo.finance.models import Debt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.credit_code import credit_code_check_char
from panhuo.register.importing.engine import Mapping, run_import, target_for

DEBTS = target_for("debts")
FIRST17 = "91330100MA27XK0Q1"
CREDIT = FIRST17 + credit_code_check_char(FIRST17)
WRONG = FIRST17 + ("0" if CREDIT[-1] != "0" else "1")
HEADER = ("债务编码,地区编码,债务单位,统一社会信用代码,债权人,债券类型,债券代码,债券性质,项目名称,"
          "项目领域,偿还资金来源,债务类别,债务本金(万元),利率(%),发行日期,到期日期\n")  # fmt: skip
BOND = ("ZQ-1,D1,城投集团,{credit},省财政厅,专项债券,2119001,新增,城东片区棚户区改造项目,"
        "保障性安居工程,政府性基金收入,政府债务,5000,3.1,2021-04-01,2031-04-01")  # fmt: skip
ROWS = [
    BOND.format(credit=CREDIT),
    "ZQ-2,D1,,,省财政厅,一般债券,2119002,再融资,,,一般公共预算收入,,8000,2.9,2022-06-01,2029-06-01",
    "ZQ-3,D1,,,省财政厅,政府债券,2119003,置换,,,,,1200,3.5,2016-01-01,2026-12-01",
    "DK-1,D1,交通投资公司,,农业银行,银行贷款,,,环城公路,交通运输,项目收益,隐性债务,3000,4.2,2020-01-01,2028-01-01",
    "DK-2,D1,水务公司,,建设银行,银行贷款,,,,,单位自有资金,或有债务,900,4.0,2020-01-01,2027-01-01",
]  # fmt: skip


def _run(world, rows, who="finance", **kw):
    data = (HEADER + "".join(r + "\n" for r in rows)).encode()
    return run_import(DEBTS, actor=world.user(who), stream=io.BytesIO(data),
                      mapping=Mapping(), **kw)  # fmt: skip


def test_the_debt_systems_headers_and_words_import(world):
    report = _run(world, ROWS, commit=True)
    assert report.committed and report.new == 5, report.errors
    assert report.columns["统一社会信用代码"] == "borrower_credit_code"
    assert (
        report.columns["债券类型"] == "debt_type"
        and report.columns["债务类别"] == "liability_class"
    )
    bond = Debt.objects.get(code="ZQ-1")
    assert (bond.debt_type, bond.liability_class, bond.bond_purpose) == (
        "special_bond", "government", "new")  # fmt: skip
    assert (bond.borrower, bond.borrower_credit_code, bond.bond_code) == ("城投集团", CREDIT,
                                                                          "2119001")  # fmt: skip
    assert (bond.project_name, bond.project_sector, bond.repayment_source) == (
        "城东片区棚户区改造项目", "housing", "fund_budget")  # fmt: skip
    assert bond.principal == Decimal("50000000.00")
    refi = Debt.objects.get(code="ZQ-2")
    assert (refi.liability_class, refi.bond_purpose, refi.repayment_source) == (
        "government", "refinancing", "general_budget")  # fmt: skip
    unsplit = Debt.objects.get(code="ZQ-3")
    assert (unsplit.debt_type, unsplit.liability_class) == ("government_bond", "government")
    loan = Debt.objects.get(code="DK-1")
    assert (loan.liability_class, loan.project_sector, loan.repayment_source) == (
        "implicit", "transport", "project_income")  # fmt: skip
    assert Debt.objects.get(code="DK-2").liability_class == "contingent"
    # A second time: nothing changes.
    again = _run(world, ROWS, commit=True)
    assert (again.unchanged, again.updated, again.new) == (5, 0, 0), again.errors


@pytest.mark.parametrize(
    "row, column, english, chinese",
    [
        (BOND.format(credit=WRONG), "统一社会信用代码", "not a unified social credit code",
         "不是有效的统一社会信用代码"),
        (BOND.format(credit="9133"), "统一社会信用代码", "not a unified social credit code",
         "统一社会信用代码"),
        (BOND.format(credit=CREDIT).replace(",政府债务,", ",或有债务,"), "债务类别",
         "government debt", "属于政府债务"),
        (BOND.format(credit=CREDIT).replace(",专项债券,", ",银行贷款,"), "债券性质",
         "only a local government bond", "只有地方政府债券"),
        (BOND.format(credit=CREDIT).replace(",城投集团,", ",,"), "债务单位",
         "borrowing unit's name", "债务单位名称"),
        (BOND.format(credit=CREDIT).replace(",新增,", ",展期,"), "债券性质", "is not one of", ""),
        (BOND.format(credit=CREDIT).replace(",保障性安居工程,", ",采矿,"), "项目领域",
         "is not one of", ""),
        (BOND.format(credit=CREDIT).replace(",政府性基金收入,", ",彩票,"), "偿还资金来源",
         "is not one of", ""),
        (BOND.format(credit=CREDIT).replace("ZQ-1,", "ZQ-9,").replace(",2119001,", ",2119002,"),
         "债券代码", "already in row 2", "已见于第 2 行"),
        (ROWS[3].replace("银行贷款", "隐性债务").replace(",隐性债务,3000", ",政府债务,3000"),
         "债务类别", "implicit debt", "隐性债务"),
    ],
)  # fmt: skip
def test_bad_rows_are_named_in_both_languages_and_nothing_is_written(
    world, row, column, english, chinese
):
    report = _run(world, [ROWS[1], row], commit=True)
    assert report.rejected == 1 and not report.committed
    (error,) = report.errors
    assert (error.row, error.column) == (3, column) and english in error.message, error
    with translation.override("zh-hans"):
        assert chinese in str(error.said)
    assert not Debt.objects.exists() and not AuditEntry.objects.exists()


def test_a_bond_code_another_debt_of_the_jurisdiction_has_is_refused(world):
    _run(world, ROWS[:1], commit=True)
    clash = ROWS[1].replace(",2119002,", ",2119001,")
    report = _run(world, [clash], commit=True)
    (error,) = report.errors
    assert error.column == "债券代码" and "already debt ZQ-1's" in error.message
    assert not Debt.objects.filter(code="ZQ-2").exists()


def test_the_system_layout_export_has_its_headers_and_reads_back_unchanged(world):
    _run(world, ROWS, commit=True)
    before = {d.code: (d.version, d.outstanding) for d in Debt.objects.all()}
    # An English reader's export in that layout is in Chinese all the same.
    c = client_for(world, "finance", headers={"accept-language": "en"})
    export = c.get(reverse("debt-list"), {"export": "csv", "layout": "system"})
    data = b"".join(export.streaming_content)
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[:9] == ["债务编码", "地区编码", "地区名称", "债务单位", "统一社会信用代码",
                          "债权人", "债务类别", "债务类型", "债券类型"]  # fmt: skip
    assert "专项债券" in text and "新增债券" in text and "保障性安居工程" in text
    assert "隐性债务" in text and "政府性基金预算收入" in text, text
    report = run_import(DEBTS, actor=world.user("finance"), stream=io.BytesIO(data),
                        filename="debts.csv", commit=True)  # fmt: skip
    assert (report.rows, report.unchanged, report.rejected) == (5, 5, 0), report.errors
    assert {d.code: (d.version, d.outstanding) for d in Debt.objects.all()} == before
    # The register's own export carries the fields too, and reads back unchanged.
    own = b"".join(client_for(world, "finance").get(reverse("debt-export")).streaming_content)
    assert "Liability class" in own.decode("utf-8-sig").splitlines()[0]
    report = run_import(DEBTS, actor=world.user("finance"), stream=io.BytesIO(own),
                        filename="debts.csv", commit=True)  # fmt: skip
    assert (report.rows, report.unchanged, report.rejected) == (5, 5, 0), report.errors


def test_the_list_filters_and_searches_the_fields(world):
    _run(world, ROWS, commit=True)
    c = client_for(world, "finance")

    def codes(**query):
        r = call(c, "GET", "/api/v1/debts?" + "&".join(f"{k}={v}" for k, v in query.items()))
        assert r.status_code == 200, r.content
        return sorted(d["code"] for d in r.json()["results"])

    assert codes(liability_class="government") == ["ZQ-1", "ZQ-2", "ZQ-3"]
    assert codes(liability_class="implicit") == ["DK-1"]
    assert codes(bond_purpose="refinancing") == ["ZQ-2"]
    assert codes(project_sector="transport") == ["DK-1"]
    assert codes(repayment_source="own_funds") == ["DK-2"]
    assert codes(q="2119003") == ["ZQ-3"]
    page = c.get(reverse("debt-list"), {"liability_class": "contingent"}).content.decode()
    assert "DK-2" in page and "ZQ-1" not in page


def _api_debt(world, **extra):
    body = {"jurisdiction": world.district.pk, "creditor": "省财政厅", "debt_type": "general_bond",
            "principal": "1000000.00", "rate": "3.1", "issue_date": "2022-01-01",
            "maturity_date": "2032-01-01", **extra}  # fmt: skip
    return call(client_for(world, "finance"), "POST", "/api/v1/debts", body)


def test_the_api_registers_a_debt_with_its_details(world):
    r = _api_debt(world, bond_code="2119555", bond_purpose="new", borrower="城投集团",
                  borrower_credit_code=CREDIT.lower(), project_name="污水处理厂",
                  project_sector="environment", repayment_source="general_budget")  # fmt: skip
    assert r.status_code == 201, r.content
    got = r.json()
    assert (got["liability_class"], got["bond_code"], got["borrower_credit_code"]) == (
        "government", "2119555", CREDIT)  # fmt: skip
    bad = _api_debt(world, borrower="城投集团", borrower_credit_code=WRONG)
    assert bad.status_code in (400, 422) and "borrower_credit_code" in bad.content.decode()
    clash = _api_debt(world, bond_code="2119555")
    assert clash.status_code in (400, 422) and "already registered" in clash.content.decode()
    loan = _api_debt(world, debt_type="bank_loan", bond_purpose="new")
    assert (
        loan.status_code in (400, 422) and "Only a local government bond" in loan.content.decode()
    )
    assert Debt.objects.count() == 1


@per_caller(["finance", "head", "office", "auditor", "unit_officer", "outsider_finance",
             "supervisor"])  # fmt: skip
def test_who_may_change_a_debts_details(world, who):
    debt = fs.debt_create(actor=world.user("finance"), jurisdiction=world.district,
                          data={"code": "D-1", "creditor": "Bank", "debt_type": "bank_loan",
                                "principal": "100", "rate": Decimal("4"),
                                "issue_date": dt.date(2020, 1, 1),
                                "maturity_date": dt.date(2030, 1, 1)})  # fmt: skip
    r = call(client_for(world, who), "PATCH", f"/api/v1/debts/{debt.pk}",
             {"liability_class": "implicit", "project_name": "环城公路"})  # fmt: skip
    debt.refresh_from_db()
    if who == "finance":
        assert r.status_code == 200, r.content
        assert (debt.liability_class, debt.project_name, debt.version) == (
            "implicit",
            "环城公路",
            2,
        )
        entry = AuditEntry.objects.filter(action="debt.update").get()
        assert entry.after == {"liability_class": "implicit", "project_name": "环城公路"}
    else:
        assert r.status_code in (403, 404), (who, r.status_code)
        assert (debt.liability_class, debt.version) == ("contingent", 1)


def test_a_details_change_checks_version_rules_and_terms(world):
    debt = fs.debt_create(actor=world.user("finance"), jurisdiction=world.district,
                          data={"code": "B-1", "creditor": "省财政厅", "debt_type": "general_bond",
                                "principal": "100", "rate": Decimal("3"),
                                "issue_date": dt.date(2020, 1, 1),
                                "maturity_date": dt.date(2030, 1, 1)})  # fmt: skip
    c = client_for(world, "finance")
    url = f"/api/v1/debts/{debt.pk}"
    assert call(c, "PATCH", url, {"version": 7, "bond_code": "1"}).status_code == 409
    refused = call(c, "PATCH", url, {"liability_class": "contingent"})
    assert refused.status_code in (400, 422) and "government debt" in refused.content.decode()
    assert call(c, "PATCH", url, {"principal": "5"}).status_code in (400, 422)
    ok = call(c, "PATCH", url, {"version": 1, "bond_purpose": "replacement", "bond_code": "2119"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    debt.refresh_from_db()
    assert (debt.bond_purpose, debt.bond_code, debt.principal) == (
        "replacement", "2119", Decimal("100.00"))  # fmt: skip


def test_the_debt_pages_register_show_and_change_the_details(world):
    c = client_for(world, "finance")
    form = {"jurisdiction": world.district.pk, "creditor": "省财政厅", "debt_type": "special_bond",
            "principal": "1000000", "rate": "3.2", "issue_date": "2023-05-01",
            "maturity_date": "2038-05-01", "bond_code": "2319888", "bond_purpose": "new",
            "project_name": "清河冷链物流园项目", "project_sector": "logistics",
            "repayment_source": "project_income", "liability_class": ""}  # fmt: skip
    r = c.post(reverse("debt-create"), form)
    assert r.status_code == 302, r.content.decode()[:2000]
    debt = Debt.objects.get(bond_code="2319888")
    assert (debt.liability_class, debt.project_sector) == ("government", "logistics")
    page = c.get(debt.get_absolute_url()).content.decode()
    assert "清河冷链物流园项目" in page and "Cold-chain and logistics infrastructure" in page
    assert reverse("debt-details", args=[debt.pk]) in page
    url = reverse("debt-details", args=[debt.pk])
    bad = c.post(url, {"borrower": "城投集团", "borrower_credit_code": WRONG})
    assert bad.status_code == 400 and "Not a unified social credit code" in bad.content.decode()
    with translation.override("zh-hans"):
        zh = client_for(world, "finance", headers={"accept-language": "zh-hans"})
        refused = zh.post(url, {"liability_class": "implicit"})
        assert refused.status_code == 400 and "地方政府债券属于政府债务" in refused.content.decode()
    debt.refresh_from_db()
    assert (debt.borrower, debt.version) == ("", 1)
    details = {"borrower": "城投集团", "borrower_credit_code": CREDIT, "bond_code": "2319888",
               "bond_purpose": "refinancing", "project_name": "", "project_sector": "",
               "repayment_source": "fund_budget", "liability_class": "government"}  # fmt: skip
    ok = c.post(url, details)
    assert ok.status_code == 302
    debt.refresh_from_db()
    assert (debt.borrower_credit_code, debt.bond_purpose, debt.project_name) == (
        CREDIT, "refinancing", "")  # fmt: skip
    assert AuditEntry.objects.filter(action="debt.update", object_id=str(debt.pk)).count() == 1
    assert client_for(world, "auditor").post(url, {"borrower": "x"}).status_code == 403
