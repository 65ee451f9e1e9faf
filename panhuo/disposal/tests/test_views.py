"""Package and project pages for every role; every form allowed, denied and with bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.core.testing import approved, decision_documents, recorded_late
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    REGISTER_SECTION,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, Package, ProjectEvent


@pytest.fixture
def sample(world):
    return build_sample(world)


SEES_A = READERS_A | {"unit_officer"}
SEES_B = READERS_B | {"outsider_unit_officer", "supervisor"}

PAGES = {
    "package-list": (lambda s: reverse("package-list"), lambda: expected(REGISTER_SECTION)),
    "package-create": (
        lambda s: reverse("package-create"),
        lambda: expected({"office", "office2", "outsider_office"}, forbidden=REGISTER_SECTION),
    ),
    "package-detail": (
        lambda s: reverse("package-detail", args=[s.a.package.pk]),
        lambda: expected(SEES_A, REGISTER_SECTION),
    ),
    "package-detail-b": (
        lambda s: reverse("package-detail", args=[s.b_package.pk]),
        lambda: expected(SEES_B, REGISTER_SECTION),
    ),
    "project-list": (lambda s: reverse("project-list"), lambda: expected(REGISTER_SECTION)),
    "project-detail": (
        lambda s: reverse("project-detail", args=[s.a.project.pk]),
        lambda: expected(SEES_A, REGISTER_SECTION),
    ),
    "project-detail-concluded": (
        lambda s: reverse("project-detail", args=[s.a.concluded.pk]),
        lambda: expected(SEES_A, REGISTER_SECTION),
    ),
    "project-detail-b": (
        lambda s: reverse("project-detail", args=[s.b_project.pk]),
        lambda: expected(SEES_B, REGISTER_SECTION),
    ),
    "project-create": (
        lambda s: reverse("project-create", args=[s.a.package_free.pk]),
        lambda: expected(
            {"office", "office2", "unit_officer"}, REGISTER_SECTION, forbidden=READERS_A
        ),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, sample, page):
    url, table = PAGES[page]
    assert statuses(world, url(sample)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, sample, page):
    assert_login_redirect(PAGES[page][0](sample))


def test_package_page_shows_figures_and_hides_other_units_assets(world, sample):
    s = sample
    ds.package_add_assets(
        actor=world.user("office"), package=s.a.package_free, asset_ids=[s.a.asset2.pk]
    )
    response = client_for(world, "unit_officer").get(
        reverse("package-detail", args=[s.a.package_free.pk])
    )
    package = response.context["package"]
    assert package.asset_count == 2
    assert package.total_book_value == Decimal("10000000.00")
    assert [a.unit_id for a in response.context["page"]] == [world.unit.pk]
    assert response.context["hidden_assets"] == 1
    assert s.a.asset2.code.encode() not in response.content


def test_package_list_filters_and_sorts(world, sample):
    c = client_for(world, "office")
    response = c.get(reverse("package-list"), {"channel": "exchange", "sort": "-code"})
    codes = [p.code for p in response.context["page"]]
    assert codes == [sample.a.package_free.code]
    assert (
        c.get(reverse("package-list"), {"q": "nothing-like-this"}).context["page"].paginator.count
        == 0
    )


# --- packages: writes -----------------------------------------------------------------------


def test_office_creates_a_package_from_asset_codes(world, sample):
    s = sample
    extra = s.a.asset_free
    response = client_for(world, "office").post(
        reverse("package-create"),
        {"jurisdiction": world.district.pk, "name": "Depot lot", "channel": "auction",
         "assets": f"{extra.code}\n"},
    )  # fmt: skip
    package = Package.objects.get(name="Depot lot")
    assert response.status_code == 302 and response["Location"] == package.get_absolute_url()
    assert list(package.items.values_list("asset_id", flat=True)) == [extra.pk]


@pytest.mark.parametrize(
    ("who", "status"), [("head", 403), ("finance", 403), ("unit_officer", 403),
                        ("outsider_office", 200), ("bidder", 403)],
)  # fmt: skip
def test_package_create_denied_writes_nothing(world, sample, who, status):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("package-create"),
        {"jurisdiction": world.district.pk, "name": "Grab", "channel": "auction", "assets": ""},
    )
    assert response.status_code == status
    if status == 200:
        assert "jurisdiction" in response.context["form"].errors
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("field", "assets", "name"),
    [("assets", "NO-SUCH-CODE", "Lot"), ("assets", "ESSENTIAL", "Lot"), ("name", "", "  ")],
)
def test_package_create_bad_input_names_the_field(world, sample, field, assets, name):
    if assets == "ESSENTIAL":
        assets = sample.essential_asset.code
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("package-create"),
        {"jurisdiction": world.district.pk, "name": name, "channel": "auction", "assets": assets},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert fingerprint() == before


def test_office_adds_and_removes_assets(world, sample):
    s = sample
    c = client_for(world, "office")
    url = reverse("package-add-assets", args=[s.a.package_free.pk])
    assert c.post(url, {"assets": str(s.a.asset_free.pk)}).status_code == 302
    assert s.a.package_free.items.filter(asset=s.a.asset_free).exists()
    remove = reverse("package-remove-asset", args=[s.a.package_free.pk, s.a.asset_free.pk])
    assert c.post(remove).status_code == 302
    assert not s.a.package_free.items.filter(asset=s.a.asset_free).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("head", 403), ("finance", 403), ("unit_officer", 403),
                        ("other_unit_officer", 404), ("outsider_office", 404), ("norole", 403)],
)  # fmt: skip
def test_package_writes_denied_change_nothing(world, sample, who, status):
    s = sample
    c = client_for(world, who)
    before = fingerprint()
    add = reverse("package-add-assets", args=[s.a.package_free.pk])
    assert c.post(add, {"assets": str(s.a.asset_free.pk)}).status_code == status
    item = s.a.package_free.items.get()
    remove = reverse("package-remove-asset", args=[s.a.package_free.pk, item.asset_id])
    assert c.post(remove).status_code == status
    assert fingerprint() == before


def test_package_add_bad_input_names_the_field(world, sample):
    s = sample
    before = fingerprint()
    url = reverse("package-add-assets", args=[s.a.package_free.pk])
    response = client_for(world, "office").post(url, {"assets": s.essential_asset.code})
    assert response.status_code == 200
    assert "essential public service" in str(response.context["add_form"].errors["assets"])
    response = client_for(world, "office").post(url, {"assets": ""})
    assert "assets" in response.context["add_form"].errors
    remove = reverse("package-remove-asset", args=[s.a.package_free.pk, s.a.asset2.pk])
    response = client_for(world, "office").post(remove, follow=True)
    assert b"is not in" in response.content
    assert fingerprint() == before


def test_pages_are_get_or_post_as_meant(world, sample):
    c = client_for(world, "office")
    assert c.get(reverse("package-add-assets", args=[sample.a.package_free.pk])).status_code == 405
    assert (
        c.get(reverse("project-transition", args=[sample.a.project.pk, "submit"])).status_code
        == 405
    )


# --- projects: writes -----------------------------------------------------------------------


def test_office_opens_a_project_from_a_package(world, sample):
    s = sample
    response = client_for(world, "office").post(
        reverse("project-create", args=[s.a.package_free.pk]),
        {"channel": "exchange", "reserve_price": "7,000,000.00", "note": "Appraised in May."},
    )
    project = DisposalProject.objects.get(package=s.a.package_free)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.status == "draft" and project.reserve_price == Decimal("7000000.00")


@pytest.mark.parametrize(
    ("who", "status"), [("head", 403), ("finance", 403), ("auditor", 403),
                        ("other_unit_officer", 404), ("outsider_office", 404)],
)  # fmt: skip
def test_project_create_denied_writes_nothing(world, sample, who, status):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("project-create", args=[sample.a.package_free.pk]),
        {"channel": "auction", "reserve_price": "100.00"},
    )
    assert response.status_code == status
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("package", "price", "field"),
    [("package_free", "0", "reserve_price"), ("package_free", "abc", "reserve_price"),
     ("package", "100.00", None)],  # an active project already: an error above the form
)  # fmt: skip
def test_project_create_bad_input(world, sample, package, price, field):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("project-create", args=[getattr(sample.a, package).pk]),
        {"channel": "auction", "reserve_price": price},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field in errors) if field else ("already has an active project" in str(errors))
    assert fingerprint() == before


def _transition(world, who, project, name, **data):
    return client_for(world, who).post(
        reverse("project-transition", args=[project.pk, name]),
        {f"{name}-{k}": v for k, v in data.items()},
    )


def test_shown_transitions_are_the_ones_the_user_may_take(world, sample):
    s = sample

    def shown(who, project):
        response = client_for(world, who).get(project.get_absolute_url())
        return [f.transition.name for f in response.context["transition_forms"]]

    assert shown("office", s.a.project) == ["submit", "withdraw"]
    assert shown("head", s.a.project) == ["withdraw"]
    assert shown("finance", s.a.project) == []
    assert shown("auditor", s.a.concluded) == []
    # An auction's deal puts the contract in force: the office publishes the result notice,
    # then finance (or the office) confirms the payment, not before it is all in.
    assert shown("finance", s.a.concluded) == []
    assert shown("office", s.a.concluded) == ["publish_result"]
    p = ds.project_transition(
        actor=world.user("office"), project=s.a.concluded, transition="publish_result"
    )
    assert shown("finance", p) == ["confirm_payment"]
    body = client_for(world, "finance").get(p.get_absolute_url()).content.decode()
    assert "still due" in body and "disabled" in body  # 4,000,000 of 6,000,000 received


def test_project_goes_through_its_states_from_the_page(world, sample):
    p = sample.a.project
    assert _transition(world, "office", p, "submit").status_code == 302
    decision_documents(world, p)
    assert _transition(world, "head", p, "approve", comment="Meeting 12").status_code == 302
    # The listing recorded late, with its date and reason: the disclosure has run.
    assert _transition(world, "office", p, "list", **recorded_late("list")).status_code == 302
    response = _transition(
        world, "office", p, "conclude", deal_price="5,600,000.00", buyer="Buyer Ltd"
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "concluded" and p.deal_price == Decimal("5600000.00")
    assert list(p.events.values_list("transition", flat=True)) == [
        "submit",
        "approve",
        "list",
        "conclude",
    ]
    assert p.events.get(transition="approve").comment == "Meeting 12"


def test_a_deal_waiting_for_the_disclosure_is_shown_disabled_with_the_rule(world):
    from panhuo.disposal.tests.test_periods import _approved

    p = ds.project_transition(actor=world.user("office"), project=_approved(world),
                              transition="list")  # fmt: skip
    body = client_for(world, "office").get(p.get_absolute_url()).content.decode()
    assert "disclosure_period" in body and "Order 32 art. 13" in body and "disabled" in body
    response = _transition(world, "office", p, "conclude", deal_price="120.00", buyer="B")
    assert response.status_code != 302
    p.refresh_from_db()
    assert p.status == "listed"


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("finance", 403), ("auditor", 403), ("supervisor", 403), ("bidder", 403),
     ("other_unit_officer", 404), ("outsider_office", 404)],
)  # fmt: skip
def test_transition_denied_changes_nothing(world, sample, who, status):
    before = fingerprint()
    assert _transition(world, who, sample.a.project, "submit").status_code == status
    assert fingerprint() == before


def test_transition_bad_input_names_the_field(world, sample):
    p = sample.a.project
    ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    before = fingerprint()
    response = _transition(world, "head", p, "reject", comment="  ")
    assert response.status_code == 200
    [bound] = [f for f in response.context["transition_forms"] if f.is_bound]
    assert "comment" in bound.errors
    assert fingerprint() == before
    approved(world, p)
    ds.project_transition(actor=world.user("office"), project=p, transition="list")
    before = fingerprint()
    response = _transition(world, "office", p, "conclude", deal_price="lots", buyer="")
    [bound] = [f for f in response.context["transition_forms"] if f.is_bound]
    assert set(bound.errors) == {"deal_price", "buyer"}
    assert fingerprint() == before


def test_stale_transition_explains_and_changes_nothing(world, sample):
    before = fingerprint()
    c = client_for(world, "head")
    url = reverse("project-transition", args=[sample.a.project.pk, "approve"])
    response = c.post(url, follow=True)  # the project is still a draft
    assert response.redirect_chain[0][1] == 302
    assert "is not allowed from state" in response.content.decode()
    assert fingerprint() == before
    assert _transition(world, "office", sample.a.project, "teleport").status_code == 404
    assert ProjectEvent.objects.filter(project=sample.a.project).count() == 0


def test_progress_steps_show_where_a_withdrawn_project_stopped(world, sample):
    p = sample.a.project
    ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    ds.project_transition(
        actor=world.user("office"), project=p, transition="withdraw", comment="Title dispute"
    )
    steps = client_for(world, "head").get(p.get_absolute_url()).context["steps"]
    # An auction's path: draft, submitted, approved, listed, concluded, paid, published, closed.
    assert [s["state"] for s in steps] == [
        "done", "done", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped",
        "current",
    ]  # fmt: skip
