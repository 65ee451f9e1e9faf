"""Exports of decisions (issue 20, item 4), CSV and XLSX through the lists' own writers
(``core.ui.csv_response``, ``core.lists.xlsx_response``: text a spreadsheet would run as a
formula is neutralised; amounts are exact yuan, numbers in XLSX): an asset's or a package's
hold/lease/sell figures with the sensitivity table, a stored scenario run, and runs side by
side. Headers are in the reader's language, as the lists' exports are. Each is one table whose
first row is the header; further blocks (parameters, the sensitivity table) follow after an
empty row, each with its own header row."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from panhuo.core.lists import EXPORT_FORMATS, export_stamp, xlsx_response
from panhuo.core.money import with_unit
from panhuo.core.ui import csv_response


def export_format(request) -> str:
    """The format ``?export=`` asks for ("csv", "xlsx"), else ""."""
    fmt = request.GET.get("export") or ""
    return fmt if fmt in EXPORT_FORMATS else ""


def _respond(fmt: str, name: str, header: list, rows: Iterator[list]):
    filename = f"{name}-{export_stamp()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, name, header, rows)


def _num(text) -> Decimal | float | None:
    """A figure stored as decimal text (money) as a number; probabilities stay floats."""
    if text is None or text == "":
        return None
    return text if isinstance(text, float) else Decimal(str(text))


def decision_export(fmt: str, decision: dict, code: str):
    """One asset's or package's decision: the verdict, the three values and the amounts behind
    them, every input with its source, then the sensitivity table (selling less the best of
    holding or leasing, by discount rate and price factor)."""
    header = [_("Section"), _("Item"), _("Figure"), _("Source of the figure"), _("Note")]

    def rows():
        verdict, values = _("Verdict"), with_unit(_("Values"), "yuan")
        yield [verdict, code, decision["verdict"], "", ""]
        for label, key in [(_("Hold"), "hold"), (_("Lease"), "lease"), (_("Sell"), "sell"),
                           (_("net proceeds"), "net_proceeds"),
                           (_("interest saved"), "interest_saved"),
                           (_("Value destroyed"), "value_destroyed")]:  # fmt: skip
            yield [values, label, _num(decision[key]), "", ""]
        for f in decision["inputs"]:
            yield [_("Inputs and their sources"), f"{f['label']} ({f['name']})",
                   _num(f["value"]), f["source_label"], f["note"]]  # fmt: skip
        s = decision["sensitivity"]
        title = with_unit(_("Sensitivity: selling less the best of holding or leasing"), "yuan")
        yield []
        yield [title, f"{_('Discount rate (per cent)')} \\ {_('Price factor')}",
               *[_num(f) for f in s["price_factors"]]]  # fmt: skip
        for rate, cells in zip(s["rates_pct"], s["sell_less_best_other"], strict=True):
            yield [title, _num(rate), *[_num(c) for c in cells]]

    return _respond(fmt, f"decision-{code}", header, rows())


PERIOD_KEYS = ["plan", "p5", "p50", "p95", "service", "p_missed"]


def _period_labels() -> list[str]:
    money = [_("Plan"), "P5", "P50", "P95", _("Debt service")]
    return [with_unit(m, "yuan") for m in money] + [_("Probability missed")]


def _params_block(names_values: list[tuple[str, list]], heads: list[str]) -> Iterator[list]:
    yield []
    yield [_("Parameter"), *heads]
    for name, values in names_values:
        yield [name, *values]


def run_export(fmt: str, stored):
    """A stored scenario run: per quarter the plan, P5/P50/P95, the debt service and the
    probability it is missed; then its parameters (as used) and who ran it."""
    header = [_("Quarter"), _("Starts"), *_period_labels()]

    def rows():
        for p in stored.result["periods"]:
            yield [p["period"], p["starts"], *[_num(p[k]) for k in PERIOD_KEYS]]
        facts = [(_("Jurisdiction"), [stored.jurisdiction.name]), (_("As of"), [stored.on]),
                 (_("Run by"), [stored.ran_by.username]), (_("Run at"), [stored.ran_at]),
                 *[(k, [v]) for k, v in sorted(stored.params.items())]]  # fmt: skip
        yield from _params_block(facts, [str(stored)])

    return _respond(fmt, f"scenario-run-{stored.pk}", header, rows())


def compare_export(fmt: str, comparison: dict):
    """Runs side by side: per quarter each measure's values for every run in adjacent columns
    (numbered as the runs are listed below), then the parameters with those that differ
    marked."""
    items = comparison["items"]
    labels = _period_labels()[1:]  # the comparison's measures: P5, P50, P95, service, missed
    header = [_("Quarter"), _("Starts"),
              *[f"{m} ({n})" for m in labels for n in range(1, len(items) + 1)]]  # fmt: skip

    def rows():
        for r in comparison["rows"]:
            yield [r["period"], r["starts"], *[_num(v) for g in r["groups"] for v in g]]
        heads = [f"({n}) {i.label}" for n, i in enumerate(items, 1)] + [_("Differs")]
        params = [(p["name"], [*p["values"], _("yes") if p["differs"] else ""])
                  for p in comparison["params"]]  # fmt: skip
        yield from _params_block(params, heads)

    return _respond(fmt, "scenario-comparison", header, rows())
