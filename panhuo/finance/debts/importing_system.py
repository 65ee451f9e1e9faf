"""The debt import's and export's share of the debt management system's fields
(``finance.debts.system``): the columns, the Chinese headers that system exports, the words its
cells use, and the row rules (a credit code's check character, a bond code once per
jurisdiction, a purpose only for bonds, a class that fits the type).

``SYSTEM_COLUMNS`` is the export in that system's layout: Chinese headers and Chinese values,
whatever the reader's language; the debt import reads it back unchanged.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg
from panhuo.finance.debts.system import (
    BOND_TYPES,
    BondPurpose,
    LiabilityClass,
    ProjectSector,
    RepaymentFunds,
    default_class,
)
from panhuo.organisation.credit_code import credit_code_valid, normalise_credit_code
from panhuo.register.importing.fields import FieldSpec, choices_of

#: The export's columns of these fields (after the register's own), headers translated.
EXPORT_COLUMNS: list[tuple[Any, str]] = [
    (_("Liability class"), "liability_class"),
    (_("Borrowing unit"), "borrower"),
    (_("Credit code"), "borrower_credit_code"),
    (_("Bond code"), "bond_code"),
    (_("Bond purpose"), "bond_purpose"),
    (_("Project name"), "project_name"),
    (_("Project sector"), "project_sector"),
    (_("Repayment source"), "repayment_source"),
]

#: The layout of the debt management system's export: its Chinese headers, in its order, and
#: the field each reads into (None: written, not read back). 债券类型 repeats the general /
#: special split of a bond (blank for other debts); 债务类型, before it, carries every type.
SYSTEM_COLUMNS: list[tuple[str, str | None]] = [
    ("债务编码", "code"),
    ("地区编码", "jurisdiction"),
    ("地区名称", None),
    ("债务单位", "borrower"),
    ("统一社会信用代码", "borrower_credit_code"),
    ("债权人", "creditor"),
    ("债务类别", "liability_class"),
    ("债务类型", "debt_type"),
    ("债券类型", None),
    ("债券代码", "bond_code"),
    ("债券性质", "bond_purpose"),
    ("项目名称", "project_name"),
    ("项目领域", "project_sector"),
    ("偿还资金来源", "repayment_source"),
    ("债务本金(元)", "principal"),
    ("债务余额(元)", "outstanding"),
    ("币种", "currency"),
    ("利率(%)", "rate"),
    ("利率类型", "rate_type"),
    ("发行日期", "issue_date"),
    ("到期日期", "maturity_date"),
    ("还款方式", "schedule_kind"),
    ("还款频率", "schedule_frequency"),
]

FIELDS: list[FieldSpec] = [
    FieldSpec("liability_class", "choice", False,
              ("liability class", "债务类别", "债务分类", "债务性质"), choices="LiabilityClass"),
    FieldSpec("borrower", "text", False,
              ("borrowing unit", "borrower", "债务单位", "债务单位名称", "借款单位", "债务人"),
              200),
    FieldSpec("borrower_credit_code", "text", False,
              ("credit code", "unified social credit code", "统一社会信用代码",
               "债务单位统一社会信用代码", "信用代码"), 40),
    FieldSpec("bond_code", "text", False, ("bond code", "债券代码", "债券编码"), 32),
    FieldSpec("bond_purpose", "choice", False, ("bond purpose", "债券性质", "债券用途"),
              choices="BondPurpose"),
    FieldSpec("project_name", "text", False, ("project", "项目名称", "项目"), 200),
    FieldSpec("project_sector", "choice", False,
              ("project sector", "sector", "项目领域", "项目行业", "行业", "领域", "投向领域"),
              choices="ProjectSector"),
    FieldSpec("repayment_source", "choice", False,
              ("repayment source", "偿还资金来源", "还款资金来源", "偿债资金来源", "还款来源"),
              choices="RepaymentFunds"),
]  # fmt: skip
CHOICES = choices_of(LiabilityClass, BondPurpose, ProjectSector, RepaymentFunds)
#: The words the debt management system and local registers write, beyond Panhuo's labels.
WORDS = {
    "liability_class": {
        "政府债务": "government", "政府负有偿还责任的债务": "government",
        "负有偿还责任": "government", "或有债务": "contingent",
        "政府负有担保责任的债务": "contingent", "负有担保责任": "contingent",
        "政府可能承担一定救助责任的债务": "contingent", "可能承担一定救助责任": "contingent",
        "隐性债务": "implicit", "政府隐性债务": "implicit",
    },
    "bond_purpose": {
        "新增": "new", "新增债券": "new", "新增债": "new", "再融资": "refinancing",
        "再融资债券": "refinancing", "再融资债": "refinancing", "置换": "replacement",
        "置换债券": "replacement", "置换债": "replacement",
    },
    "project_sector": {
        "交通": "transport", "交通运输": "transport", "交通基础设施": "transport",
        "能源": "energy", "农林水利": "agri_water", "水利": "agri_water",
        "生态环保": "environment", "生态环境": "environment", "社会事业": "social",
        "冷链物流": "logistics", "物流": "logistics", "城乡冷链等物流基础设施": "logistics",
        "市政": "municipal", "市政基础设施": "municipal", "产业园区": "municipal",
        "市政和产业园区基础设施": "municipal", "保障性安居工程": "housing",
        "保障性住房": "housing", "新型基础设施": "new_infra", "新基建": "new_infra",
        "国家重大战略项目": "strategic", "土地储备": "land_reserve",
        "棚户区改造": "shanty_town", "棚改": "shanty_town", "其他": "other",
    },
    "repayment_source": {
        "一般公共预算": "general_budget", "一般公共预算收入": "general_budget",
        "一般预算收入": "general_budget", "政府性基金": "fund_budget",
        "政府性基金收入": "fund_budget", "政府性基金预算收入": "fund_budget",
        "项目收益": "project_income", "项目收入": "project_income", "专项收入": "project_income",
        "国有资本经营预算收入": "state_capital", "国有资本经营收入": "state_capital",
        "单位自有资金": "own_funds", "自有资金": "own_funds", "其他": "other",
    },
    "debt_type": {"政府债券": "government_bond", "地方政府债券": "government_bond"},
}  # fmt: skip
NAMES = [f.name for f in FIELDS]
TEXTS = ("borrower", "borrower_credit_code", "bond_code", "project_name")
OPTIONAL_CHOICES = ("bond_purpose", "project_sector", "repayment_source")


def check_row(reader, out: dict[str, Any], bad) -> None:
    """The row's own values: a credit code well formed; a blank optional cell means blank; a
    blank class means "not given" (a new debt takes its type's)."""
    for name in TEXTS:
        if "\x00" in (out.get(name) or ""):
            bad(name, Msg("nul_character", gettext_noop("contains a NUL character")))
            return
    if "borrower_credit_code" in out:
        code = normalise_credit_code(out["borrower_credit_code"] or "")
        out["borrower_credit_code"] = code
        if code and not credit_code_valid(code):
            bad("borrower_credit_code", Msg(
                "credit_code_invalid",
                gettext_noop("“%(code)s” is not a unified social credit code (GB 32100: 18 "
                             "characters, the last a check character)"),
                code=code,
            ))  # fmt: skip
    for name in OPTIONAL_CHOICES:
        if name in out and out[name] is None:
            out[name] = ""
    if "liability_class" in out and not out["liability_class"]:
        out.pop("liability_class")


def check_merged(values: dict[str, Any], base, get, bad) -> None:
    """Rules on the whole record (stored values merged in for an update)."""
    kind = get("debt_type")
    # A new debt, or one whose type the file changes, given no class: its type's.
    if "liability_class" not in values and kind and (base is None or base.debt_type != kind):
        values["liability_class"] = default_class(kind)
    klass = get("liability_class")
    if kind in BOND_TYPES and klass and klass != LiabilityClass.GOVERNMENT:
        bad("liability_class", Msg(
            "bond_is_government_debt",
            gettext_noop("a local government bond is government debt (its class cannot be "
                         "contingent or implicit)"),
        ))  # fmt: skip
    if kind == "hidden" and klass and klass != LiabilityClass.IMPLICIT:
        bad("liability_class", Msg(
            "hidden_is_implicit",
            gettext_noop("hidden debt is of the class implicit debt"),
        ))  # fmt: skip
    if get("bond_purpose") and kind not in BOND_TYPES:
        bad("bond_purpose", Msg(
            "purpose_only_for_bonds",
            gettext_noop("only a local government bond is new, refinancing or replacement"),
        ))  # fmt: skip
    if get("borrower_credit_code") and not get("borrower"):
        bad("borrower", Msg(
            "credit_code_needs_borrower",
            gettext_noop("a credit code needs the borrowing unit's name"),
        ))  # fmt: skip


def bond_code_clashes(batch, existing: dict, report, header_of, seen: dict) -> set[int]:
    """Rows whose bond code another debt of the same jurisdiction has (in the database, or an
    earlier row of the file): reported, and their row numbers returned."""
    from panhuo.finance.models import Debt

    wanted = {v.get("bond_code") for _r, v in batch if v.get("bond_code")}
    taken = {
        (j, b): c
        for j, b, c in Debt.objects.filter(bond_code__in=wanted).values_list(
            "jurisdiction_id", "bond_code", "code"
        )
    }
    clashing: set[int] = set()
    for rownum, v in batch:
        base = existing.get(v["code"])
        bond = v["bond_code"] if "bond_code" in v else getattr(base, "bond_code", "")
        where = v.get("jurisdiction_id") or getattr(base, "jurisdiction_id", None)
        if not bond or where is None:
            continue
        other = taken.get((where, bond))
        first = seen.setdefault((where, bond), (rownum, v["code"]))
        if other is not None and other != v["code"]:
            message = Msg("bond_code_taken", gettext_noop(
                "bond code %(bond)s is already debt %(code)s's in this jurisdiction"),
                bond=bond, code=other)  # fmt: skip
        elif first[1] != v["code"]:
            message = Msg("bond_code_repeated", gettext_noop(
                "bond code %(bond)s is already in row %(row)s for this jurisdiction"),
                bond=bond, row=first[0])  # fmt: skip
        else:
            continue
        report.add_error(rownum, header_of.get("bond_code", "bond_code"), message)
        clashing.add(rownum)
    return clashing


def system_row(d) -> list:
    """One debt in the debt management system's layout (call in Chinese: the labels are)."""
    bond_split = d.get_debt_type_display() if d.debt_type in BOND_TYPES else ""
    return [
        d.code, d.jurisdiction.code, d.jurisdiction.name, d.borrower, d.borrower_credit_code,
        d.creditor, d.get_liability_class_display(), d.get_debt_type_display(), bond_split,
        d.bond_code, _label(d, "bond_purpose"), d.project_name, _label(d, "project_sector"),
        _label(d, "repayment_source"), d.principal, d.outstanding, d.currency, d.rate,
        d.get_rate_type_display(), d.issue_date.isoformat(), d.maturity_date.isoformat(),
        _label(d, "schedule_kind"), _label(d, "schedule_frequency"),
    ]  # fmt: skip


def _label(d, name: str) -> str:
    return getattr(d, f"get_{name}_display")() if getattr(d, name) else ""


def export_cells(d) -> list:
    """These fields' cells of the register's own export (after its columns)."""
    return [
        d.get_liability_class_display(), d.borrower, d.borrower_credit_code, d.bond_code,
        _label(d, "bond_purpose"), d.project_name, _label(d, "project_sector"),
        _label(d, "repayment_source"),
    ]  # fmt: skip
