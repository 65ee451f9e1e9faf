"""Exports of decisions: an asset's hold/lease/sell figures with the sensitivity table, a
stored run and runs side by side, as real XLSX and CSV files with headers in the reader's
language; text a spreadsheet would run (a debt code "=1+1") stays text."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

from openpyxl import load_workbook

from panhuo.core.tests.api_support import client_for
from panhuo.decisions.models import ScenarioRun
from panhuo.decisions.tests.test_decision_pages import _debt

ON = dt.date(2026, 6, 30)


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_decision_exports_its_figures_and_sensitivity(world, asset):
    _debt(world, "=1+1", "6.0")
    office = client_for(world, "office")
    page = office.get(f"/assets/{asset.pk}/decision/?on={ON}").context["decision"]
    rows = _sheet(office.get(f"/assets/{asset.pk}/decision/?on={ON}&export=xlsx"))
    assert rows[0][:5] == ("Section", "Item", "Figure", "Source of the figure", "Note")
    # XLSX keeps numbers as doubles: the cents come back exactly through their text.
    values = {r[1]: D(str(r[2])) for r in rows if r[0] and r[0].startswith("Values")}
    assert values["Hold"] == D(page["hold"]) and values["Sell"] == D(page["sell"])
    assert values["Value destroyed"] == D(page["value_destroyed"]) > 0
    assert tuple(r[4] for r in rows if r[1] and "debt_rate_pct" in str(r[1])) == ("=1+1",)
    sens = [r for r in rows if r and r[0] and r[0].startswith("Sensitivity")]
    assert len(sens) == 1 + len(page["sensitivity"]["rates_pct"])
    assert D(str(sens[1][2])) == D(page["sensitivity"]["sell_less_best_other"][0][0])
    zh = client_for(world, "office", HTTP_ACCEPT_LANGUAGE="zh-hans")
    lines = _csv(zh.get(f"/assets/{asset.pk}/decision/?on={ON}&export=csv"))
    assert lines[0] == ["部分", "项目", "数据项", "数据来源", "备注"]
    assert any(line[4] == "'=1+1" for line in lines)


def test_a_run_and_a_comparison_export(world, pipeline):
    office = client_for(world, "office")
    for seed in ("1", "2"):
        office.post("/plans/scenarios/save/", {"on": str(ON), "scenarios": "200", "seed": seed})
    a, b = ScenarioRun.objects.order_by("pk")
    rows = _sheet(office.get(f"/plans/scenarios/runs/{a.pk}/?export=xlsx"))
    assert rows[0][:3] == ("Quarter", "Starts", "Plan (in yuan)")
    assert D(str(rows[4][2])) == D(a.result["periods"][3]["plan"]) == D("5000000.00")
    assert rows[3][7] == a.result["periods"][2]["p_missed"]
    assert ("seed", 1) in {r[:2] for r in rows}
    lines = _csv(office.get(f"/plans/scenarios/compare/?run={a.pk}&run={b.pk}&export=csv"))
    assert lines[0][2:4] == ["P5 (in yuan) (1)", "P5 (in yuan) (2)"] and len(lines[0]) == 12
    assert ["seed", "1", "2", "yes"] in lines
