"""The hold/lease/sell list of many assets: each row has the figures of the asset's own decision
(``report.decision_for``), an asset without an appraisal is refused in its row, naming why;
search, the kind and recommendation filters, sorting by a figure (refused rows last either way)
and the XLSX export of exactly what is listed; the reader's places only (a unit officer has no
debt.view: 403; another district's office sees none of district A's assets); zh and en."""

import io
from decimal import Decimal as D

from django.utils import translation
from openpyxl import load_workbook

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import client_for
from panhuo.decisions.listing import asset_decision_list
from panhuo.decisions.report import decision_for
from panhuo.decisions.tests.test_decision_pages import ON, _debt

URL = "/decisions/assets/"


def _codes(client, query=""):
    page = client.get(f"{URL}?on={ON}&{query}")
    assert page.status_code == 200, page.status_code
    return [r.code for r in page.context["page"]]


def test_every_asset_with_the_figures_of_its_own_page(world, asset):
    _debt(world, "DA", "6.0")
    bare = AssetFactory(unit=world.unit, kind="vehicle")  # no appraisal: refused, named
    office = client_for(world, "office")
    one = decision_for(world.user("office"), asset, on=ON)
    assert _codes(office) == sorted([asset.code, bare.code])
    row = {r.code: r for r in office.get(f"{URL}?on={ON}").context["page"]}[asset.code]
    got = (row.best, row.hold, row.lease, row.sell, row.proceeds, row.value_destroyed)
    want = (one["best"], one["hold"], one["lease"], one["sell"], one["net_proceeds"],
            one["value_destroyed"])  # fmt: skip
    assert tuple(str(x) for x in got) == tuple(str(x) for x in want)
    refused = {r.code: r for r in office.get(f"{URL}?on={ON}").context["page"]}[bare.code]
    assert refused.hold is None and refused.refused.startswith("asset:")
    # Filters: the recommendation, refused, the kind, the search.
    assert _codes(office, f"recommendation={one['best']}") == [asset.code]
    assert _codes(office, "recommendation=refused") == [bare.code]
    assert _codes(office, "kind=vehicle") == [bare.code]
    assert _codes(office, f"q={asset.code}") == [asset.code]
    # Sorted by a figure, either way, the refused asset last; by code descending.
    assert _codes(office, "sort=-hold") == _codes(office, "sort=hold") == [asset.code, bare.code]
    assert _codes(office, "sort=-code") == sorted([asset.code, bare.code], reverse=True)
    # Only the page shown is decided when sorting by a register column: the same rows.
    rows = asset_decision_list(world.user("office"), on=ON)
    assert len(rows) == 2 and [r.code for r in rows[1:2]] == [sorted([asset.code, bare.code])[1]]
    # The export holds what is listed, amounts in exact yuan.
    xlsx = office.get(f"{URL}?on={ON}&recommendation={one['best']}&export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(table) == 2 and table[1][0] == asset.code
    assert D(str(table[1][table[0].index("Hold (in yuan)")])) == D(str(one["hold"]))
    # Reached from the asset's decision page.
    assert URL in office.get(f"/assets/{asset.pk}/decision/?on={ON}").content.decode()


def test_the_readers_places_only_in_both_languages(world, asset):
    _debt(world, "DA", "6.0")
    assert client_for(world, "unit_officer").get(URL).status_code == 403
    outsider = client_for(world, "outsider_office")
    assert _codes(outsider) == []
    assert _codes(outsider, f"jurisdiction={world.district.pk}") == []  # not offered to them
    with translation.override("zh-hans"):
        zh = client_for(world, "finance", headers={"accept-language": "zh-hans"})
        page = zh.get(f"{URL}?on={ON}").content.decode()
    assert "持有、出租还是出售：全部资产" in page and asset.code in page
