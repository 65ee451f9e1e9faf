"""Import of a place's published fiscal panel: one row per jurisdiction and year with its
revenue parts, expenditure, GDP, debt limits and (for a place without a debt-by-debt register)
its reported year-end debt balances, through the register's import machinery (mapping, dry
run, commit in the worker, row errors, all or nothing).

Headers in Chinese or English (``一般公共预算收入（亿元）``, ``GDP (yi)``): a unit in the header
is the unit of its column, converted exactly (Decimal). A blank cell is a missing figure
(NULL), never zero; a column the file does not have keeps the stored figure. The key is the
jurisdiction and the year: importing a year again updates that year's row (audited,
``fiscal_inputs.import``), never a second one. Capacity is derived from its five parts when
the file gives them and not the total (as ``fiscal_inputs_set``).

Flagged, not rejected (the row is imported and the report names it): a figure 1,000 times (or
a thousandth of) the median of the same figure over the place's years, likely a unit mistake;
a capacity part above the year's GDP; a limit below its balance.
"""

from __future__ import annotations

import re
import statistics
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg
from panhuo.finance.debts.fiscal import (
    FIGURES,
    ZERO_OR_MORE_FIGURES,
    fiscal_inputs_save,
    settle_capacity,
)
from panhuo.finance.debts.importing import _context, place_of
from panhuo.finance.debts.models import CAPACITY_PARTS, CapacitySource, FiscalInputs
from panhuo.organisation.models import Jurisdiction
from panhuo.register.importing.engine import Target, repeated
from panhuo.register.importing.fields import FieldSpec, _norm, match_headers

#: How far from its other years a figure is flagged (a 万元 figure read as 亿元 is 10,000 out).
MAGNITUDE = Decimal(1000)

#: The words published panels use for each figure (the model's labels in every language are
#: known too).
FIGURE_WORDS: dict[str, tuple[str, ...]] = {
    "comprehensive_fiscal_capacity": ("综合财力", "fiscal capacity", "capacity"),
    "general_budget_revenue": ("一般公共预算收入", "一般预算收入", "地方一般公共预算收入",
                               "general public budget revenue"),
    "fund_revenue": ("政府性基金收入", "政府性基金预算收入", "基金收入", "fund revenue",
                     "government fund revenue"),
    "state_capital_revenue": ("国有资本经营收入", "国有资本经营预算收入", "state capital revenue"),
    "transfers_in": ("上级补助收入", "转移性收入", "转移支付收入", "transfers in"),
    "remittances_up": ("上解上级支出", "上解支出", "remittances up"),
    "budget_expenditure": ("一般公共预算支出", "一般预算支出", "general budget expenditure",
                           "general public budget expenditure"),
    "fund_expenditure": ("政府性基金支出", "政府性基金预算支出", "基金支出", "fund expenditure",
                         "government fund expenditure"),
    "gdp": ("地区生产总值", "生产总值", "国内生产总值"),
    "general_debt_limit": ("一般债务限额", "一般债务余额限额"),
    "special_debt_limit": ("专项债务限额", "专项债务余额限额"),
    "general_debt_balance": ("一般债务余额", "general debt balance", "general debt"),
    "special_debt_balance": ("专项债务余额", "special debt balance", "special debt"),
}  # fmt: skip

FISCAL_FIELDS: list[FieldSpec] = [
    FieldSpec("jurisdiction", "text", True,
              ("jurisdiction code", "地区编码", "行政区划代码", "地区", "行政区划", "城市",
               "city")),
    FieldSpec("year", "text", True, ("年度", "年份", "年")),
    *(FieldSpec(name, "amount", False, FIGURE_WORDS[name]) for name in FIGURES),
]  # fmt: skip
FIELD_NAMES = [f.name for f in FISCAL_FIELDS]


def auto_columns(headers: list[str]) -> dict[str, str]:
    """Headers naming a field: its name, an alias, or its label in any language."""
    lookup: dict[str, str] = {}
    for spec in FISCAL_FIELDS:
        for w in (spec.name, *spec.aliases):
            lookup.setdefault(_norm(w), spec.name)
    for name in FIGURES:
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                label = str(FiscalInputs._meta.get_field(name).verbose_name)
            lookup.setdefault(_norm(label), name)
    return match_headers(headers, lookup)


_YEAR = re.compile(r"^(\d{4})(?:\.0+)?\s*年?(?:度)?$")


def _check(reader, out: dict[str, Any], rownum: int, report, bad) -> dict[str, Any] | None:
    errors_before = report.error_count
    if "\x00" in (out.get("jurisdiction") or ""):
        bad("jurisdiction", Msg("nul_character", gettext_noop("contains a NUL character")))
        return None
    place_of(out, reader.ctx["jurisdictions"], bad)
    text = (out.pop("year", "") or "").strip()
    match = _YEAR.match(text)
    if not text:
        bad("year", Msg("year_required", gettext_noop("the year is required")))
    elif not match or not 1990 <= int(match.group(1)) <= 2100:
        bad("year", Msg("not_a_year",
                        gettext_noop("“%(text)s” is not a year from 1990 to 2100"),
                        text=text))  # fmt: skip
    else:
        out["year"] = int(match.group(1))
    for name in FIGURES:
        value = out.get(name)
        if value is None:
            continue
        if value < 0:
            bad(name, Msg("negative", gettext_noop("%(value)s is negative"), value=value))
        elif value == 0 and name not in ZERO_OR_MORE_FIGURES:
            bad(
                name,
                Msg(
                    "figure_zero",
                    gettext_noop(
                        "zero is not a figure this can be: leave the cell empty if it is not known"
                    ),
                ),
            )
    if report.error_count > errors_before:
        return None
    return out


def _merged(v: dict[str, Any], base: FiscalInputs | None, header_of) -> dict[str, Any]:
    """The year's figures after the row: a column of the file replaces the stored figure (a
    blank cell with a missing one), a figure the file has no column of keeps its stored
    value. A capacity that was derived is derived again from the parts as they now are."""
    values = {}
    for name in FIGURES:
        if name in header_of:
            values[name] = v.get(name)
        else:
            values[name] = getattr(base, name) if base is not None else None
    if (
        base is not None
        and base.capacity_source == CapacitySource.DERIVED
        and "comprehensive_fiscal_capacity" not in header_of
    ):
        values["comprehensive_fiscal_capacity"] = None
    return values


def _series(batch, merged) -> dict[tuple[int, str], dict[int, Decimal]]:
    """Each place's figures by year, as stored and as the file makes them."""
    out: dict[tuple[int, str], dict[int, Decimal]] = {}
    places = {v["jurisdiction_id"] for _r, v in batch}
    for row in FiscalInputs.objects.filter(jurisdiction_id__in=places):
        for name in FIGURES:
            out.setdefault((row.jurisdiction_id, name), {})[row.year] = getattr(row, name)
    for rownum, v in batch:
        for name, value in merged.get(rownum, {}).items():
            out.setdefault((v["jurisdiction_id"], name), {})[v["year"]] = value
    return out


def _flag(report, rownum: int, header_of, v, values, series) -> None:
    """What a debt office should look at again before relying on the row."""

    def column(name):
        return header_of.get(name, name)

    for name in FIGURES:
        value = values[name]
        if name not in header_of or not value:
            continue
        # The median of every year's (this one's too, the lower middle of an even count): a
        # single wrong year never moves it far, so only that year is flagged.
        years = [x for x in series.get((v["jurisdiction_id"], name), {}).values() if x]
        if len(years) < 2:
            continue
        median = statistics.median_low(years)
        if value >= median * MAGNITUDE or value * MAGNITUDE <= median:
            report.add_flag(rownum, column(name), Msg(
                "implausible_magnitude",
                gettext_noop("%(value)s is far from this figure in the other years (median "
                             "%(median)s): is the unit right (元, 万元, 亿元)?"),
                value=f"{value:,}", median=f"{median:,}",
            ))  # fmt: skip
    gdp = values["gdp"]
    for name in CAPACITY_PARTS:
        if gdp and values[name] and values[name] > gdp and name in header_of:
            report.add_flag(rownum, column(name), Msg(
                "part_above_gdp",
                gettext_noop("%(value)s is above the year's GDP (%(gdp)s): is the unit "
                             "right?"),
                value=f"{values[name]:,}", gdp=f"{gdp:,}",
            ))  # fmt: skip
    for kind in ("general", "special"):
        limit, balance = values[f"{kind}_debt_limit"], values[f"{kind}_debt_balance"]
        if limit is not None and balance is not None and limit < balance:
            report.add_flag(rownum, column(f"{kind}_debt_limit"), Msg(
                f"{kind}_limit_below_balance",
                gettext_noop("the limit %(limit)s is below the balance %(balance)s "
                             "(imported, and shown as over the limit)"),
                limit=f"{limit:,}", balance=f"{balance:,}",
            ))  # fmt: skip


def _flush(batch, actor, report, reader, commit: bool, source) -> None:
    if not batch:
        return
    header_of = reader.header_of
    existing = {
        (f.jurisdiction_id, f.year): f
        for f in FiscalInputs.objects.filter(
            jurisdiction_id__in={v["jurisdiction_id"] for _r, v in batch},
            year__in={v["year"] for _r, v in batch},
        )
    }
    merged: dict[int, dict[str, Any]] = {}
    for rownum, v in batch:
        base = existing.get((v["jurisdiction_id"], v["year"]))
        values = _merged(v, base, header_of)
        problem, capacity_source = settle_capacity(values)
        if problem:
            _capacity_error(report, rownum, header_of, problem)
            report.rejected += 1
            continue
        merged[rownum] = {**values, "capacity_source": capacity_source}
    series = _series(batch, {r: {n: m[n] for n in FIGURES} for r, m in merged.items()})
    places = {j.pk: j for j in Jurisdiction.objects.filter(
        pk__in={v["jurisdiction_id"] for _r, v in batch})}  # fmt: skip
    for rownum, v in batch:
        if rownum not in merged:
            continue
        values = merged[rownum]
        capacity_source = values.pop("capacity_source")
        base = existing.get((v["jurisdiction_id"], v["year"]))
        if all(values[n] is None for n in FIGURES):
            report.unchanged += 1
            report.add_flag(
                rownum,
                header_of["year"],
                Msg("no_figures", gettext_noop("no figure for this year: nothing is written")),
            )
            continue
        if not commit:
            _flag(report, rownum, header_of, v, values, series)
        if base is None:
            report.new += 1
        elif all(getattr(base, n) == values[n] for n in FIGURES) and (
            base.capacity_source == capacity_source
        ):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        if commit:
            fiscal_inputs_save(
                actor=actor, jurisdiction=places[v["jurisdiction_id"]], year=v["year"],
                values=values, source=capacity_source, action="fiscal_inputs.import",
                note={"source": source},
            )  # fmt: skip


def _capacity_error(report, rownum: int, header_of, problem: str) -> None:
    if problem == "differs":
        name, message = "comprehensive_fiscal_capacity", Msg(
            "capacity_not_its_parts",
            gettext_noop("the capacity is not the sum of its parts (revenues and transfers "
                         "less remittances): leave it empty to take the parts, or correct one"),
        )  # fmt: skip
    else:
        name, message = (
            "remittances_up",
            Msg(
                "capacity_not_positive",
                gettext_noop("the capacity's parts add up to zero or less"),
            ),
        )
    report.add_error(rownum, header_of.get(name, name), message)


FISCAL = Target(
    name="fiscal",
    fields=FISCAL_FIELDS,
    required=("jurisdiction", "year"),
    auto_columns=auto_columns,
    context=_context,
    check=_check,
    key=lambda v: (v["jurisdiction_id"], v["year"]),
    duplicate=repeated(
        "duplicate_year",
        gettext_noop("the year %(year)s of this jurisdiction already appears in row %(row)s"),
        year="year",
    ),
    key_column="year",
    flush=_flush,
    model=FiscalInputs,
)
