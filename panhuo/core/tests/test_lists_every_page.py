"""Every list page through the list component: each sort both ways, search, the export's rows
are the page's rows (all pages), and the lists the app tests do not cover otherwise (approval
chains and delegations, the audit log, scope decisions, imports) search, filter, sort and
export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from panhuo.approvals import services as aps
from panhuo.core.lists import registry
from panhuo.core.testing import AssetFactory, forget_fixture_scope
from panhuo.core.tests.api_support import build_api_world, client_for
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy
from panhuo.register import scope
from panhuo.register.import_models import ImportRun

#: Who opens each list in these tests: the first of these allowed to.
CANDIDATES = ["head", "office", "finance", "auditor"]


def _reader(world, declared):
    for name in CANDIDATES:
        if policy.can_any(world.user(name), declared.resource, declared.action):
            return name
    raise AssertionError(f"nobody here opens {declared.target}")


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _xlsx(response) -> list[tuple]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.fixture
def aw(world):
    aw = build_api_world(world)
    now = timezone.now()
    aps.chain_set(
        actor=world.user("head"),
        jurisdiction=world.district,
        purpose="price_exception",
        steps=[["deputy"], ["head"]],  # the head's written approval: the head decides last
        name="Deputy, then the head",
    )
    aps.delegation_set(
        actor=world.user("head"),
        to_user=world.user("office2"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=5),
        purposes=["price_exception"],
        reason="On leave",
    )
    AssetFactory(unit=world.unit, status="idle", idle_since=dt.date(2020, 1, 1))
    scope.scope_decide(actor=world.user("head"), jurisdiction=world.district, note="first round")
    for name, status in (("march.csv", "succeeded"), ("april.xlsx", "rejected")):
        ImportRun.objects.create(
            owner=world.user("office"),
            file_name=name,
            file_sha256="0" * 64,
            file_size=10,
            stored_path="-",
            status=status,
        )
    return aw


@pytest.mark.parametrize("target", sorted(registry()))
def test_every_list_sorts_searches_and_exports_what_it_shows(aw, target):
    declared = registry()[target]
    who = _reader(aw.w, declared)
    c = client_for(aw.w, who)
    url = reverse(declared.url_name)
    page = c.get(url)
    assert page.status_code == 200, (target, who)
    count = page.context["page"].paginator.count
    for key in declared.orderings:
        for sort in (key, f"-{key}"):
            r = c.get(url, {"sort": sort})
            assert r.status_code == 200 and r.context["sort"] == sort, (target, sort)
            assert r.context["page"].paginator.count == count
    r = c.get(url, {"q": "no-such-text-anywhere-0451"})
    if declared.search or "q" in (declared.filter_form.base_fields if declared.filter_form else {}):
        assert r.context["page"].paginator.count == 0, target
    rows = _csv(c.get(url, {"export": "csv"}))
    request = RequestFactory().get(url)
    request.user = aw.w.user(who)
    header = [str(h) for h in declared(request).export_header()]
    assert rows[0] == header and len(rows) == count + 1, target
    sheet = _xlsx(c.get(url, {"export": "xlsx"}))
    assert list(sheet[0]) == header and len(sheet) == count + 1, target


def test_chains_filter_search_sort_and_export(aw):
    c = client_for(aw.w, "head")
    url = reverse("approval-chain-list")
    assert c.get(url, {"q": "deputy"}).context["page"].paginator.count == 1
    assert c.get(url, {"purpose": "price_exception"}).context["page"].paginator.count == 1
    assert c.get(url, {"purpose": "disposal"}).context["page"].paginator.count == 0
    rows = _csv(c.get(url, {"export": "csv", "q": "deputy"}))
    assert rows[1][4] == "Deputy, then the head" and "head" in rows[1][5].lower()


def test_delegations_filter_search_and_export(aw):
    c = client_for(aw.w, "head")
    url = reverse("delegation-list")
    assert c.get(url, {"q": "leave"}).context["page"].paginator.count == 1
    assert c.get(url, {"q": "holiday"}).context["page"].paginator.count == 0
    mine = client_for(aw.w, "office").get(url, {"mine": "on"})
    assert mine.status_code == 200 and mine.context["page"].paginator.count == 0
    rows = _csv(c.get(url, {"export": "csv", "sort": "-starts_at"}))
    assert rows[1][:2] == ["head", "office2"] and rows[1][5] == "On leave"


def test_audit_log_date_range_object_links_and_export(aw):
    c = client_for(aw.w, "auditor")
    url = reverse("audit-list")
    today = timezone.localdate()
    total = c.get(url).context["page"].paginator.count
    assert total > 0
    assert c.get(url, {"date_from": today.isoformat()}).context["page"].paginator.count == total
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert c.get(url, {"date_from": tomorrow}).context["page"].paginator.count == 0
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert c.get(url, {"date_to": yesterday}).context["page"].paginator.count == 0
    # A malformed date is ignored (the form says so), never a 500.
    assert c.get(url, {"date_to": "31/31/2026"}).status_code == 200
    page = c.get(url, {"object_type": "disposal.package", "sort": "seq"})
    entries = list(page.context["page"])
    assert entries and all(e.url == aw.package.get_absolute_url() for e in entries[:1])
    assert f'href="{entries[0].url}"' in page.content.decode()
    # Every entry links to its object's page where its model has one, and only there.
    for e in c.get(url).context["page"]:
        model = apps.get_model(e.entry.object_type)
        obj = model._base_manager.filter(pk=e.entry.object_id).first()
        has_page = obj is not None and hasattr(model, "get_absolute_url")
        assert e.url == (obj.get_absolute_url() if has_page else None), e
    rows = _csv(c.get(url, {"export": "csv", "q": "package.create", "sort": "seq"}))
    expected = AuditEntry.objects.filter(action__icontains="package.create").count()
    action = rows[0].index("Action")
    assert len(rows) == expected + 1 and rows[1][action] == "package.create"
    # Another district's auditor exports none of district A's entries.
    outsider = _csv(client_for(aw.w, "outsider_auditor").get(url, {"export": "csv"}))
    assert not any(r[6] == str(aw.package) for r in outsider[1:])


def test_audit_api_takes_the_date_range(aw):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    c = client_for(aw.w, "auditor")
    assert c.get("/api/v1/audit").json()["count"] > 0
    assert c.get("/api/v1/audit", {"date_from": tomorrow}).json()["count"] == 0
    assert c.get("/api/v1/audit", {"date_from": "soon"}).status_code == 422


def test_scope_decisions_filter_search_and_export(aw):
    forget_fixture_scope()  # the decisions listed here are the service's alone
    c = client_for(aw.w, "head")
    url = reverse("scope-decision-list")
    assert c.get(url, {"q": "first"}).context["page"].paginator.count == 1
    assert c.get(url, {"q": "second"}).context["page"].paginator.count == 0
    other = aw.w.other_district.pk
    assert c.get(url, {"jurisdiction": other}).context["page"].paginator.count == 1  # ignored
    assert c.get(url, {"jurisdiction": aw.w.district.pk}).context["page"].paginator.count == 1
    rows = _csv(c.get(url, {"export": "csv"}))
    assert rows[1][1] == aw.w.district.name and rows[1][6] == "first round"
    assert client_for(aw.w, "outsider_head").get(url).context["page"].paginator.count == 0


def test_imports_are_the_readers_own_filtered_sorted_and_exported(aw):
    c = client_for(aw.w, "office")
    url = reverse("import-run-list")
    assert c.get(url, {"status": "rejected"}).context["page"].paginator.count == 1
    assert c.get(url, {"q": "march"}).context["page"].paginator.count == 1
    names = [r.file_name for r in c.get(url, {"sort": "file"}).context["page"]]
    assert names == ["april.xlsx", "march.csv"]
    rows = _csv(c.get(url, {"export": "csv", "sort": "-file"}))
    assert [r[1] for r in rows[1:]] == ["march.csv", "april.xlsx"]
    assert client_for(aw.w, "office2").get(url).context["page"].paginator.count == 0


def test_the_list_api_takes_the_pages_parameters(aw):
    """One shared schema (core.schemas.ListFilters): ``q``, the filters and ``sort`` as on
    the page, next to the API's own ``ordering``, which keeps working."""
    c = client_for(aw.w, "head")
    by_ordering = c.get("/api/v1/assets", {"ordering": "-code"}).json()["results"]
    by_sort = c.get("/api/v1/assets", {"sort": "-code"}).json()["results"]
    assert [a["code"] for a in by_sort] == [a["code"] for a in by_ordering]
    assert by_sort[0]["code"] > by_sort[-1]["code"]
    assert c.get("/api/v1/assets", {"sort": "password"}).status_code == 422
    assert c.get("/api/v1/approval-chains", {"q": "deputy"}).json()["count"] == 1
    assert c.get("/api/v1/approval-chains", {"q": "nobody"}).json()["count"] == 0
    assert c.get("/api/v1/delegations", {"q": "leave"}).json()["count"] == 1
    assert c.get("/api/v1/scope/decisions", {"q": "first"}).json()["count"] == 1
    assert c.get("/api/v1/scope/decisions", {"q": "second"}).json()["count"] == 0
    assert c.get("/api/v1/audit", {"q": "package.create"}).json()["count"] > 0
    office = client_for(aw.w, "office")
    assert office.get("/api/v1/imports", {"q": "march"}).json()["count"] == 1
    assert office.get("/api/v1/imports", {"status": "rejected"}).json()["count"] == 1
    names = [r["file_name"] for r in office.get("/api/v1/imports").json()["results"]]
    assert sorted(names) == ["april.xlsx", "march.csv"]


def test_ticked_candidates_stay_ticked_across_pages(aw, settings):
    """The package picker: rows ticked on one page come back ticked (pick=<id> in the page
    links) or as hidden fields on the other pages, so the form adds every one of them."""
    from panhuo.disposal.candidates import confirmed_candidates

    w = aw.w
    for n in range(25):
        AssetFactory(
            unit=w.unit,
            status="idle",
            idle_since=dt.date(2020, 1, 1),
            title_complete=True,
            code=f"P{n:02d}",
        )
    scope.scope_decide(actor=w.user("head"), jurisdiction=w.district, note="second round")
    ids = [a.pk for a in confirmed_candidates(w.user("office"), jurisdiction=w.district)]
    assert len(ids) > 20  # two pages of 20
    c = client_for(w, "office")
    first, second = ids[0], ids[-1]
    url = reverse("package-create")
    page2 = c.get(url, {"page": 2, "pick": [first, "junk", second]}).content.decode()
    assert f'name="pick" value="{second}" id="pick-{second}" aria-label' in page2
    assert f'value="{second}" id="pick-{second}" aria-label="' in page2 and " checked>" in page2
    assert f'<input type="hidden" name="pick" value="{first}">' in page2
    assert 'data-keep-ticked="pick"' in page2
    r = c.post(
        url,
        {
            "jurisdiction": w.district.pk,
            "name": "Two pages",
            "channel": "auction",
            "pick": [first, second],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    from panhuo.disposal.models import Package

    package = Package.objects.get(name="Two pages")
    assert set(package.items.values_list("asset_id", flat=True)) == {first, second}
