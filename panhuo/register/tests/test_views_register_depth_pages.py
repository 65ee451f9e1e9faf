"""The register's pages in depth: every page for every role, sign-in, and the navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.core.tests.views_support import (
    READERS_A,
    REGISTER_SECTION,
    USERS,
    assert_login_redirect,
    client_for,
    expected,
    statuses,
)
from panhuo.register import import_mappings
from panhuo.register.tests.views_depth_support import (
    IMPORTERS,
    SCOPE_DECIDERS,
    SCOPE_DECIDERS_B,
    SCOPE_RULES,
    SCOPE_RULES_B,
    SCOPE_VIEWERS,
    office_run,
    scope_decision,
)

# --- every page × every role --------------------------------------------------------------


PAGES = {
    "asset-export-xlsx": (lambda s, w: reverse("asset-export-xlsx"), expected(REGISTER_SECTION)),
    "asset-import": (lambda s, w: reverse("asset-import"), expected(IMPORTERS)),
    "import-run-list": (lambda s, w: reverse("import-run-list"), expected(IMPORTERS)),
    "import-run-detail": (
        lambda s, w: reverse("import-run-detail", args=[office_run(w, s).pk]),
        expected({"office"}, IMPORTERS),
    ),
    "import-run-progress": (
        lambda s, w: reverse("import-run-progress", args=[office_run(w, s).pk]),
        expected({"office"}, IMPORTERS),
    ),
    "import-run-errors": (
        lambda s, w: reverse("import-run-errors", args=[office_run(w, s).pk]),
        expected({"office"}, IMPORTERS),
    ),
    "import-mapping-list": (lambda s, w: reverse("import-mapping-list"), expected(IMPORTERS)),
    "import-mapping-create": (lambda s, w: reverse("import-mapping-create"), expected(IMPORTERS)),
    "import-mapping-edit": (
        lambda s, w: reverse(
            "import-mapping-edit",
            args=[
                import_mappings.mapping_save(
                    actor=w.user("office"), name="Old system", columns={}, options={}
                ).pk
            ],
        ),
        expected({"office"}, IMPORTERS),
    ),
    "scope-proposal": (lambda s, w: reverse("scope-proposal"), expected(SCOPE_VIEWERS)),
    "scope-proposal-of-a": (
        lambda s, w: reverse("scope-proposal") + f"?jurisdiction={w.district.pk}",
        expected(READERS_A, SCOPE_VIEWERS),
    ),
    "scope-rules": (
        lambda s, w: reverse("scope-rules"),
        expected(SCOPE_RULES | SCOPE_RULES_B),
    ),
    "scope-rules-of-a": (
        lambda s, w: reverse("scope-rules") + f"?jurisdiction={w.district.pk}",
        expected(SCOPE_RULES, SCOPE_RULES | SCOPE_RULES_B),
    ),
    "scope-decide-of-a": (
        lambda s, w: reverse("scope-decide") + f"?jurisdiction={w.district.pk}",
        expected(SCOPE_DECIDERS, SCOPE_DECIDERS | SCOPE_DECIDERS_B),
    ),
    "scope-decision-list": (lambda s, w: reverse("scope-decision-list"), expected(SCOPE_VIEWERS)),
    "scope-decision-detail": (
        lambda s, w: scope_decision(w).get_absolute_url(),
        expected(READERS_A, SCOPE_VIEWERS),
    ),
    "saved-filter-save": (
        lambda s, w: reverse("saved-filter-save") + "?target=assets&query=status%3Didle",
        expected(REGISTER_SECTION),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, data_dir, page):
    url, table = PAGES[page]
    assert statuses(world, url(data_dir, world)) == table


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, data_dir, page):
    assert_login_redirect(PAGES[page][0](data_dir, world))


def test_the_scope_proposal_of_an_unknown_or_bad_jurisdiction_is_missing(world):
    c = client_for(world, "head")
    for raw in ("999999", "x", str(world.other_district.pk)):
        assert c.get(reverse("scope-proposal"), {"jurisdiction": raw}).status_code == 404


def test_nav_links_to_import_and_scope_only_for_who_may_use_them(world):
    for who in USERS:
        body = client_for(world, who).get(reverse("dashboard")).content.decode()
        assert (f'href="{reverse("asset-import")}"' in body) == (who in IMPORTERS), who
        assert (f'href="{reverse("scope-proposal")}"' in body) == (who in SCOPE_VIEWERS), who
