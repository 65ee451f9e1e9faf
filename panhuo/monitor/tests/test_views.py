"""Monitor pages for every role: who may open them, what each sees, denied writes change
nothing, exports carry the figures shown."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panhuo.core.tests.api_support import READERS_A, READERS_B, USERS, client_for
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import assert_login_redirect
from panhuo.monitor.models import MonitorThresholds, RevenueRecord
from panhuo.monitor.tests.support import seed_figures, state

pytestmark = pytest.mark.django_db
SECTION = READERS_A | READERS_B
FINANCE_A, FINANCE_B = "finance", "outsider_finance"
THRESHOLD_SETTERS_A = {"head", "deputy", "deputy2", "finance"}


@pytest.fixture
def figures(world):
    seed_figures(world)
    return world


@pytest.mark.parametrize("name", ["monitor", "revenue-list", "revenue-import"])
def test_anonymous_is_sent_to_sign_in(name, db):
    assert_login_redirect(reverse(name))


@pytest.mark.parametrize("name", ["monitor-thresholds", "revenue-set", "revenue-import"])
def test_anonymous_posts_are_sent_to_sign_in(name, db):
    from django.test import Client

    r = Client().post(reverse(name), {})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


@per_caller(USERS)
def test_monitor_page_for_every_role(figures, who):
    w = figures
    r = client_for(w, who).get(reverse("monitor"), {"year": 2024})
    if who not in SECTION:
        assert r.status_code == 403
        return
    assert r.status_code == 200
    html = r.content.decode()
    if who in READERS_B:
        # Their own district only: district A's figures and alerts are not there.
        assert r.context["jurisdiction"] == w.other_district
        assert 'data-alert="land_dependence"' not in html
        assert r.context["summary"].row("all").ytd == Decimal("150.00")
    else:
        assert r.context["summary"].row("all").ytd > 0
    nav = 'href="/monitor/"'
    assert nav in html


def test_district_sees_only_itself_and_supervisor_the_sum(figures):
    w = figures
    own = client_for(w, "finance").get(
        reverse("monitor"), {"year": 2024, "jurisdiction": w.city.pk}
    )
    # The city is not theirs: the choice is refused and their own district is shown.
    assert own.context["jurisdiction"] == w.district
    a_total = Decimal((90 + 15 + 22 + 150) * 3)
    assert own.context["summary"].row("all").ytd == a_total
    sup = client_for(w, "supervisor").get(
        reverse("monitor"), {"year": 2024, "jurisdiction": w.city.pk}
    )
    assert sup.context["jurisdiction"] == w.city
    assert sup.context["summary"].row("all").ytd == a_total + 150
    outsider = client_for(w, "outsider_head").get(
        reverse("monitor"), {"year": 2024, "jurisdiction": w.district.pk}
    )
    assert outsider.context["jurisdiction"] == w.other_district


def test_alerts_state_their_figures(figures):
    r = client_for(figures, "auditor").get(reverse("monitor"), {"year": 2024})
    html = r.content.decode()
    codes = [a["code"] for a in r.context["alerts"]]
    assert codes == ["non_tax_outgrows_tax", "fines_outgrows_tax", "land_dependence"]
    texts = " ".join(a["text"] for a in r.context["alerts"])
    # Percentages to two decimals (issue 15 item 8).
    assert "-10.00 %" in texts and "50.00 %" in texts and "23.33 %" in texts
    assert "54.15 %" in texts and "40.00 %" in texts
    assert 'data-chart="columns"' in html and 'data-chart="donut"' in html
    assert "cdn" not in html.lower()


def test_export_csv_and_xlsx_carry_the_table(figures):
    c = client_for(figures, "finance")
    r = c.get(reverse("monitor"), {"year": 2024, "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "Fines and confiscations,15.00,10.00,50.00,45.00,30.00,50.00" in text
    r = c.get(reverse("monitor"), {"year": 2024, "format": "xlsx"})
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Category" and len(rows) == 1 + 19  # the categories and sums


def test_thresholds_set_by_head_and_refused_to_others(figures):
    w = figures
    url = reverse("monitor-thresholds")
    data = {"jurisdiction": w.district.pk, "land_dependence_pct": "60", "growth_margin_pct": "1"}
    before = state()
    for who in USERS:
        if who in THRESHOLD_SETTERS_A:
            continue
        r = client_for(w, who).post(url, data)
        assert r.status_code in (400, 403), who
        assert state() == before, who
    r = client_for(w, "head").post(url, data)
    assert r.status_code == 302
    assert MonitorThresholds.objects.get(jurisdiction=w.district).land_dependence_pct == 60
    page = client_for(w, "office").get(reverse("monitor"), {"year": 2024})
    assert "land_dependence" not in [a["code"] for a in page.context["alerts"]]
    # A city-wide threshold does not override the district's own; it applies to district B.
    MonitorThresholds.objects.create(jurisdiction=w.city, land_dependence_pct=Decimal("10"))
    page = client_for(w, "office").get(reverse("monitor"), {"year": 2024})
    assert page.context["land"] == Decimal("60.00")


@per_caller(USERS)
def test_revenue_list_for_every_role(figures, who):
    w = figures
    r = client_for(w, who).get(reverse("revenue-list"), {"year": 2024, "sort": "-amount"})
    if who not in SECTION:
        assert r.status_code == 403
        return
    assert r.status_code == 200
    places = {rec.jurisdiction for rec in r.context["page"]}
    if who in READERS_B:
        assert places == {w.other_district}
    elif who == "supervisor":
        assert places == {w.district, w.other_district}
    else:
        assert places == {w.district}
    amounts = [rec.amount for rec in r.context["page"]]
    assert amounts == sorted(amounts, reverse=True)


def test_revenue_list_filters_and_exports(figures):
    c = client_for(figures, "supervisor")
    r = c.get(reverse("revenue-list"), {"category": "non_tax", "year": 2023, "format": "csv"})
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    # District A's fines and fees and district B's fees (zero), three months each.
    assert len(lines) == 1 + 9
    assert sum(line.startswith("D1") for line in lines[1:]) == 6
    r = c.get(reverse("revenue-list"), {"q": "District B", "format": "xlsx"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    # District B: VAT, fees and other fund revenue, three months of two years.
    assert len(rows) == 1 + 18 and {row[0] for row in rows[1:]} == {"D2"}


def test_set_a_figure_only_as_finance_of_the_place(figures):
    w = figures
    url = reverse("revenue-set")
    data = {"jurisdiction": w.district.pk, "month": "2024-04", "category": "vat", "amount": "95"}
    before = state()
    for who in USERS:
        if who == FINANCE_A:
            continue
        r = client_for(w, who).post(url, data)
        assert r.status_code in (400, 403), who
        assert state() == before, who
    bad = client_for(w, FINANCE_A).post(url, data | {"month": "2024-13"})
    assert bad.status_code == 400 and "month" in bad.context["set_form"].errors
    r = client_for(w, FINANCE_A).post(url, data)
    assert r.status_code == 302
    assert RevenueRecord.objects.get(jurisdiction=w.district, month="2024-04-01").amount == 95


CSV = "jurisdiction,month,category,amount\nD1,2024-05,vat,10\nD1,2024-05,fines,1万元\n"


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("revenue.csv", text.encode(), content_type="text/csv")


@per_caller(USERS)
def test_import_page_only_for_finance(world, who):
    r = client_for(world, who).get(reverse("revenue-import"))
    finance = who in (FINANCE_A, FINANCE_B)
    assert r.status_code == (200 if finance else 403)
    before = state()
    r = client_for(world, who).post(
        reverse("revenue-import"), {"file": _upload(CSV), "mode": "commit", "amount_unit": "yuan"}
    )
    if who == FINANCE_A:
        assert r.status_code == 200 and r.context["report"].committed
    else:
        assert r.status_code in (400, 403) and state() == before, who


def test_import_page_dry_run_then_rejections_named(world):
    c = client_for(world, FINANCE_A)
    r = c.post(reverse("revenue-import"), {"file": _upload(CSV), "mode": "dry_run",
                                           "amount_unit": "yuan"})  # fmt: skip
    assert r.status_code == 200 and r.context["report"].new == 2 and state() == []
    bad = CSV + "D1,2024-05,bogus,1\n"
    r = c.post(reverse("revenue-import"), {"file": _upload(bad), "mode": "commit",
                                           "amount_unit": "yuan"})  # fmt: skip
    assert r.status_code == 400 and state() == []
    html = r.content.decode()
    assert "unknown category “bogus”" in html and '<td class="num">4</td>' in html
    r = c.post(reverse("revenue-import"), {"file": _upload("%PDF-1.4"), "mode": "commit",
                                           "amount_unit": "yuan"})  # fmt: skip
    assert r.status_code == 400 and "file" in r.context["form"].errors


@per_caller(USERS)
def test_menu_entry_only_for_readers(world, who):
    html = client_for(world, who).get(reverse("dashboard")).content.decode()
    assert ('href="/monitor/"' in html) is (who in SECTION)


def test_monitor_in_chinese(figures):
    from panhuo.organisation.preferences import user_set_language

    user = figures.user("finance")
    user_set_language(actor=user, language="zh-hans")
    html = client_for(figures, "finance").get(reverse("monitor"), {"year": 2024}).content.decode()
    assert "财政收入监测" in html and "罚没收入" in html and "非税收入累计同比增长" in html
