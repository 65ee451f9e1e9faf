"""Debt import: the debt register read through the asset import's machinery (mapping, value
words, 万元/亿元 amounts, Chinese dates, row errors, dry run, all-or-nothing or valid rows only).

The natural key is the debt code (unique). Rows name their jurisdiction by code or name; only
jurisdictions where the importer may edit debts (policy ``debt``/``edit``) are known. On an
update the outstanding amount is the repayment ledger's business: a changed principal moves it
by the same difference, and a file may not set it to anything else. A new debt imported with an
outstanding amount below its principal gets an explicit opening entry for the difference. A
schedule kind (bullet, equal principal, annuity) generates the schedule when the debt is new or
its terms or kind changed; custom schedules are entered on the debt page. A voided debt is not
changed by an import.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg
from panhuo.finance import rollups
from panhuo.finance.debts import importing_system as system
from panhuo.finance.debts import risk_rollups
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.debts.schedules import build_schedule
from panhuo.finance.models import Debt, DebtType, RateType, ScheduleFrequency, ScheduleKind
from panhuo.integrity.services import audit_insert, audit_record, changed, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.register.importing.engine import Target, repeated
from panhuo.register.importing.fields import FieldSpec, _norm, choices_of, match_headers

#: The debt list's export columns (finance.views.debt_export), in order, with the field each
#: imports into: the built-in mapping that reads an export back unchanged.
EXPORT_COLUMNS: list[tuple[Any, str | None]] = [
    (_("Code"), "code"),
    (_("Jurisdiction code"), "jurisdiction"),
    (_("Jurisdiction"), None),
    (_("Creditor"), "creditor"),
    (_("Type"), "debt_type"),
    (_("Principal (yuan)"), "principal"),
    (_("Outstanding (yuan)"), "outstanding"),
    (_("Currency"), "currency"),
    (_("Interest rate (%)"), "rate"),
    (_("Rate type"), "rate_type"),
    (_("Issue date"), "issue_date"),
    (_("Maturity date"), "maturity_date"),
    (_("Schedule"), "schedule_kind"),
    (_("Schedule frequency"), "schedule_frequency"),
    *system.EXPORT_COLUMNS,
]

DEBT_FIELDS: list[FieldSpec] = [
    FieldSpec("code", "text", True, ("debt code", "债务编码", "债务编号", "编号", "编码"), 32),
    FieldSpec("jurisdiction", "text", True,
              ("jurisdiction code", "地区编码", "行政区划代码", "地区", "行政区划", "辖区")),
    FieldSpec("creditor", "text", False, ("债权人", "债权单位"), 200),
    FieldSpec("debt_type", "choice", False,
              ("type", "debt type", "债务类型", "债券类型", "类型", "种类"), choices="DebtType"),
    FieldSpec("principal", "amount", False, ("principal (yuan)", "本金", "本金(元)", "债务本金")),
    FieldSpec("outstanding", "amount", False,
              ("outstanding (yuan)", "余额", "债务余额", "未偿余额")),
    FieldSpec("currency", "text", False, ("币种",), 3),
    FieldSpec("rate", "percent", False, ("interest rate (%)", "interest rate", "利率", "利率(%)",
                                         "年利率"), extra={"places": 3}),
    FieldSpec("rate_type", "choice", False, ("rate type", "利率类型", "计息方式"),
              choices="RateType"),
    FieldSpec("issue_date", "date", False, ("issue date", "发行日期", "起息日", "借款日期")),
    FieldSpec("maturity_date", "date", False, ("maturity date", "到期日", "到期日期")),
    FieldSpec("schedule_kind", "choice", False, ("schedule", "还款方式", "偿还方式"),
              choices="ScheduleKind"),
    FieldSpec("schedule_frequency", "choice", False, ("schedule frequency", "还款频率"),
              choices="ScheduleFrequency"),
    *system.FIELDS,
]  # fmt: skip
FIELD_NAMES = [f.name for f in DEBT_FIELDS]
CHOICES = {**choices_of(DebtType, RateType, ScheduleKind, ScheduleFrequency), **system.CHOICES}
#: Words real registers use for the coded values, beyond Panhuo's labels.
WORDS = {
    "debt_type": {
        "一般债券": "general_bond", "一般债": "general_bond", "专项债券": "special_bond",
        "专项债": "special_bond", "银行贷款": "bank_loan", "贷款": "bank_loan",
        "城投债": "lgfv_bond", "城投债券": "lgfv_bond", "融资平台债券": "lgfv_bond",
        "信托": "trust_leasing", "融资租赁": "trust_leasing", "信托和租赁": "trust_leasing",
        "拖欠企业账款": "arrears", "欠款": "arrears", "隐性债务": "hidden",
    },
    "rate_type": {"固定": "fixed", "固定利率": "fixed", "浮动": "floating", "浮动利率": "floating"},
    "schedule_kind": {"到期一次还本": "bullet", "等额本金": "equal_principal",
                      "等额本息": "annuity", "自定义": "custom"},
    "schedule_frequency": {"每年": "annual", "按年": "annual", "半年": "semiannual",
                           "按季": "quarterly", "每季": "quarterly", "按月": "monthly"},
}  # fmt: skip
WORDS = {k: {**WORDS.get(k, {}), **system.WORDS.get(k, {})} for k in {*WORDS, *system.WORDS}}
NEW_REQUIRED = ("creditor", "debt_type", "principal", "rate", "issue_date", "maturity_date")
COMPARED = ["jurisdiction_id", "creditor", "debt_type", "principal", "outstanding", "currency",
            "rate", "rate_type", "issue_date", "maturity_date", "schedule_kind",
            "schedule_frequency", *system.NAMES]  # fmt: skip
TERMS = ("principal", "rate", "issue_date", "maturity_date", "schedule_kind", "schedule_frequency")


def _words() -> dict[str, dict[str, str]]:
    """WORDS plus every choice label in every language Panhuo speaks (an export made in
    Chinese imports on an English machine and the other way round)."""
    out = {k: dict(v) for k, v in WORDS.items()}
    for spec in DEBT_FIELDS:
        if spec.kind != "choice":
            continue
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                for code, label in CHOICES[spec.choices].items():
                    out.setdefault(spec.name, {}).setdefault(str(label), code)
    return out


def auto_columns(headers: list[str]) -> dict[str, str]:
    """Headers naming a field (its name, an alias, or an export header in any language)."""
    lookup: dict[str, str] = {}
    for header, name in EXPORT_COLUMNS:
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                lookup.setdefault(_norm(str(header)), name or "")
    for header, name in system.SYSTEM_COLUMNS:
        if name is not None or header == "地区名称":
            lookup.setdefault(_norm(header), name or "")
    for spec in DEBT_FIELDS:
        for w in (spec.name, *spec.aliases):
            lookup.setdefault(_norm(w), spec.name)
    return match_headers(headers, lookup)


def _context(actor) -> dict[str, Any]:
    allowed = [
        j
        for j in Jurisdiction.objects.all()
        if policy.allowed(actor, "debt", "edit", jurisdiction=j)
    ]
    by_word: dict[str, Jurisdiction | None] = {}
    for j in allowed:
        by_word[j.code.lower()] = j
    for j in allowed:
        key = j.name.lower()
        if key in by_word and by_word[key] is not j and key != j.code.lower():
            by_word[key] = None  # two places of that name: the code is needed
        else:
            by_word.setdefault(key, j)
    return {"jurisdictions": by_word, "allowed": {j.pk for j in allowed}, "bond_codes": {}}


def place_of(out: dict[str, Any], jurisdictions: dict, bad) -> None:
    """The row's jurisdiction (by code or name, among those ``_context`` found) as
    ``out["jurisdiction_id"]``; a missing, unknown or ambiguous one is the row's error."""
    word = out.pop("jurisdiction", "") or ""
    if not word:
        bad("jurisdiction", Msg("jurisdiction_required",
                                gettext_noop("the jurisdiction is required")))  # fmt: skip
    elif word.lower() not in jurisdictions:
        bad("jurisdiction", Msg(
            "unknown_jurisdiction",
            gettext_noop("unknown jurisdiction “%(word)s” (or not one whose debts you may edit)"),
            word=word,
        ))  # fmt: skip
    elif jurisdictions[word.lower()] is None:
        bad("jurisdiction", Msg(
            "ambiguous_jurisdiction",
            gettext_noop("several jurisdictions are called “%(word)s”: give its code"),
            word=word,
        ))  # fmt: skip
    else:
        out["jurisdiction_id"] = jurisdictions[word.lower()].pk


def _check(reader, out: dict[str, Any], rownum: int, report, bad) -> dict[str, Any] | None:
    errors_before = report.error_count
    for name in ("code", "creditor", "currency", "jurisdiction"):
        if "\x00" in (out.get(name) or ""):
            bad(name, Msg("nul_character", gettext_noop("contains a NUL character")))
    system.check_row(reader, out, bad)
    if report.error_count > errors_before:
        return None
    if not out.get("code"):
        bad("code", Msg("debt_code_required", gettext_noop("the debt code is required")))
    place_of(out, reader.ctx["jurisdictions"], bad)
    for name in ("principal", "outstanding"):
        value = out.get(name)
        if value is not None and value < 0:
            bad(name, Msg("negative", gettext_noop("%(value)s is negative"), value=value))
    if out.get("principal") == 0:
        bad("principal", Msg("principal_zero",
                             gettext_noop("the principal must be above zero")))  # fmt: skip
    rate = out.get("rate")
    if rate is not None and not (0 <= rate <= 100):
        bad("rate", Msg("rate_out_of_range",
                        gettext_noop("%(rate)s is not a rate between 0 and 100 %%"),
                        rate=rate))  # fmt: skip
    if "currency" in out:
        out["currency"] = (out["currency"] or "").upper()
        if out["currency"] and not (len(out["currency"]) == 3 and out["currency"].isalpha()):
            bad("currency", Msg(
                "not_a_currency",
                gettext_noop("“%(currency)s” is not a three-letter currency code"),
                currency=out["currency"],
            ))  # fmt: skip
        if not out["currency"]:
            out.pop("currency")
    # A blank cell of a field every debt has means "not given": required for a new debt
    # (``_merged`` says so), the stored value for an update; never a NULL or an empty creditor.
    for name in ("rate_type", "schedule_kind", "schedule_frequency", *NEW_REQUIRED):
        if name in out and out[name] in (None, ""):
            out.pop(name)
    if report.error_count > errors_before:
        return None
    return out


def _merged(values: dict[str, Any], base: Debt | None, rownum: int, report, header_of) -> bool:
    """Rules on the whole record (stored values merged in for an update)."""
    errors_before = report.error_count

    def bad(name: str, message: Msg) -> None:
        report.add_error(rownum, header_of.get(name, name), message)

    def get(name):
        if name in values:
            return values[name]
        return getattr(base, name) if base is not None else None

    if base is None:
        for name in NEW_REQUIRED:
            if values.get(name) in (None, ""):
                bad(name, Msg("required_for_new_debt",
                              gettext_noop("the %(field)s is required for a new debt"),
                              field=Debt._meta.get_field(name).verbose_name))  # fmt: skip
    issue, maturity = get("issue_date"), get("maturity_date")
    if issue and maturity and maturity <= issue:
        bad("maturity_date", Msg(
            "maturity_before_issue",
            gettext_noop("maturity %(maturity)s is not after issue %(issue)s"),
            maturity=maturity.isoformat(), issue=issue.isoformat(),
        ))  # fmt: skip
    principal = get("principal")
    if base is None:
        outstanding = values.get("outstanding")
        if outstanding is None:
            values["outstanding"] = principal
        elif principal is not None and outstanding > principal:
            bad("outstanding", Msg(
                "outstanding_exceeds_principal",
                gettext_noop("outstanding %(outstanding)s exceeds the principal %(principal)s"),
                outstanding=outstanding, principal=principal,
            ))  # fmt: skip
    else:
        moved = base.outstanding + ((principal or base.principal) - base.principal)
        given = values.get("outstanding")
        if moved < 0:
            bad("principal", Msg(
                "principal_below_repaid",
                gettext_noop("principal %(principal)s is below what was already repaid "
                             "(%(repaid)s)"),
                principal=principal, repaid=base.principal - base.outstanding,
            ))  # fmt: skip
        elif given is not None and given != moved:
            bad("outstanding", Msg(
                "outstanding_follows_allocations",
                gettext_noop("outstanding follows the allocations: it is %(moved)s, not "
                             "%(given)s"),
                moved=moved, given=given,
            ))  # fmt: skip
        else:
            values["outstanding"] = moved
    system.check_merged(values, base, get, bad)
    kind = get("schedule_kind")
    if kind == ScheduleKind.CUSTOM and (base is None or base.schedule_kind != kind):
        bad("schedule_kind", Msg("custom_schedule", gettext_noop(
            "custom schedules are entered on the debt page")))  # fmt: skip
    return report.error_count == errors_before


def _flush(batch, actor, report, reader, commit: bool, source) -> None:
    if not batch:
        return
    existing = {d.code: d for d in Debt.objects.filter(code__in=[v["code"] for _r, v in batch])}
    allowed = reader.ctx["allowed"]
    clashing = system.bond_code_clashes(
        batch, existing, report, reader.header_of, reader.ctx["bond_codes"]
    )
    for rownum, v in batch:
        base = existing.get(v["code"])
        if rownum in clashing:
            report.rejected += 1
            continue
        if base is not None and base.jurisdiction_id not in allowed:
            report.add_error(rownum, reader.header_of["code"], Msg(
                "debt_not_editable",
                gettext_noop("debt %(code)s exists in a jurisdiction whose debts you may not "
                             "edit"),
                code=v["code"],
            ))  # fmt: skip
            report.rejected += 1
            continue
        if base is not None and base.voided_at is not None:
            report.add_error(rownum, reader.header_of["code"], Msg(
                "debt_voided",
                gettext_noop("debt %(code)s is voided; an import does not change it"),
                code=v["code"],
            ))  # fmt: skip
            report.rejected += 1
            continue
        if base is not None and v.get("jurisdiction_id", base.jurisdiction_id) != (
            base.jurisdiction_id
        ):
            report.add_error(rownum, reader.header_of["jurisdiction"], Msg(
                "debt_not_moved",
                gettext_noop("debt %(code)s belongs to %(jurisdiction)s; an import does not "
                             "move a debt"),
                code=v["code"], jurisdiction=str(base.jurisdiction),
            ))  # fmt: skip
            report.rejected += 1
            continue
        if not _merged(v, base, rownum, report, reader.header_of):
            report.rejected += 1
            continue
        if base is None:
            report.new += 1
            if commit:
                _create(actor, v, source)
            continue
        diff = {n: v[n] for n in COMPARED if n in v and getattr(base, n) != v[n]}
        if not diff:
            report.unchanged += 1
            continue
        report.updated += 1
        if commit:
            _update(actor, base, diff, source)


def _schedule(debt: Debt) -> None:
    if debt.schedule_kind in ("", ScheduleKind.CUSTOM):
        return
    rows = build_schedule(
        principal=debt.principal, rate=debt.rate, issue=debt.issue_date,
        maturity=debt.maturity_date, method=debt.schedule_kind,
        frequency=debt.schedule_frequency or "annual",
    )  # fmt: skip
    debt.schedule.all().delete()
    ScheduleRow.objects.bulk_create(
        ScheduleRow(debt=debt, due_date=r.due_date, principal=r.principal, interest=r.interest)
        for r in rows
    )


def _create(actor, v: dict[str, Any], source) -> None:
    data = {k: v[k] for k in COMPARED if k in v and v[k] is not None}
    if data.get("schedule_kind") and not data.get("schedule_frequency"):
        data["schedule_frequency"] = ScheduleFrequency.ANNUAL
    debt = Debt(code=v["code"], **data)
    with risk_rollups.changing() as risk:
        audit_insert(
            debt,
            actor=actor,
            action="debt.import_create",
            jurisdiction_path=debt.jurisdiction.path,
            after={**snapshot(debt), "source": source},
        )
        risk.created(debt.pk)
        repaid = debt.principal - debt.outstanding
        if repaid > 0:
            # A debt imported part-repaid: the gap is an explicit opening entry of its ledger.
            from panhuo.finance.debts.repayments import opening_entry

            debt.outstanding = debt.principal
            opening_entry(actor=actor, debt=debt, repaid=repaid)
        _schedule(debt)
    rollups.refresh_debts([debt.jurisdiction_id])


def _update(actor, debt: Debt, diff: dict[str, Any], source) -> None:
    before = snapshot(debt)
    was = debt.jurisdiction_id
    for name, value in diff.items():
        setattr(debt, name, value)
    if debt.schedule_kind and not debt.schedule_frequency:
        debt.schedule_frequency = ScheduleFrequency.ANNUAL
    debt.version += 1
    debt.full_clean()
    with risk_rollups.changing([debt.pk]):
        debt.save()
        if set(diff) & set(TERMS):
            _schedule(debt)
    rollups.refresh_debts([was, debt.jurisdiction_id])
    before, after = changed(before, snapshot(debt))
    audit_record(actor=actor, action="debt.import_update", obj=debt,
                 before=before, after={**after, "source": source},
                 jurisdiction_path=debt.jurisdiction.path)  # fmt: skip


DEBTS = Target(
    name="debts",
    fields=DEBT_FIELDS,
    choices=CHOICES,
    required=("code", "jurisdiction"),
    auto_columns=auto_columns,
    context=_context,
    check=_check,
    key=lambda v: (v["code"],),
    duplicate=repeated(
        "duplicate_debt", gettext_noop("debt %(code)s already appears in row %(row)s"), code="code"
    ),
    key_column="code",
    flush=_flush,
    words=_words(),
    model=Debt,
)


def export_row(d: Debt) -> list:
    """One debt as the export writes it (the columns of EXPORT_COLUMNS)."""
    return [
        d.code, d.jurisdiction.code, d.jurisdiction.name, d.creditor, d.get_debt_type_display(),
        d.principal, d.outstanding, d.currency, d.rate, d.get_rate_type_display(),
        d.issue_date.isoformat(), d.maturity_date.isoformat(),
        d.get_schedule_kind_display() if d.schedule_kind else "",
        d.get_schedule_frequency_display() if d.schedule_frequency else "",
        *system.export_cells(d),
    ]  # fmt: skip
