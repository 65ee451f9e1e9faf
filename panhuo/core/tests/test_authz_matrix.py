"""The authorization matrix: every page and API operation, called by every kind of caller,
answers as ``authz_matrix.csv`` says (see authz_support.py for how the calls are made).

The endpoints are discovered (URL resolver, OpenAPI schema), never listed here: an endpoint
without a row fails, and so does a row without an endpoint (test_authz_table.py, in the fast
tier). Each call runs in a savepoint that
is rolled back, so every call meets the same records; a write the caller was refused must not
have changed any row of the project's tables.

The calls are one test item per group of endpoints (of similar size, see
``authz_support.endpoint_groups``), so that pytest-xdist spreads them over its workers; the
records are built once for the items that run one after another in a worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from panhuo.core.testing import build_world
from panhuo.core.tests import authz_discovery
from panhuo.core.tests import authz_support as az
from panhuo.core.tests.authz_records import build_records
from panhuo.core.tests.per_caller import per_caller
from panhuo.disposal import amounts

pytestmark = pytest.mark.matrix


def pytest_generate_tests(metafunc):
    # One item per group of endpoints, from discovery at collection time (no list kept here).
    if "group" in metafunc.fixturenames:
        metafunc.parametrize("group", list(authz_discovery.endpoint_groups()))


@pytest.fixture(scope="class")
def records(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test world and the matrix's records, built once for all the items of the class that
    run one after another in a worker, in a transaction rolled back after the last of them.
    Each item runs in a savepoint inside it (its ``db``), each call in one more."""
    data = tmp_path_factory.mktemp("authz")
    # Uploads and the cache go to this folder.
    cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(data / "cache"),
    }
    with (
        django_db_blocker.unblock(),
        override_settings(DATA_DIR=data, CACHES={**settings.CACHES, "default": cache}),
        transaction.atomic(),
    ):
        # Built before the items' own fixtures: without the amount check, as every test not
        # about amounts runs (the fixtures' appraisals are nominal; see conftest.py).
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(amounts, "check", lambda *args, **kwargs: [])
            rec = build_records(build_world())
        # Signed in once for all the items (their sessions outside the items' savepoints).
        yield rec, az.clients(rec.w)
        transaction.set_rollback(True)


class TestEveryCaller:
    """The matrix's calls, one item per group of endpoints (``authz_discovery.endpoint_groups``)
    so that pytest-xdist spreads them over its workers; together the items call every
    endpoint."""

    def test_every_endpoint_answers_every_caller_as_the_table_says(self, records, db, group):
        rec, callers = records
        endpoints = list(authz_discovery.endpoint_groups()[group])
        rows, _ = az.load_table()
        mismatches, observed = az.run_matrix(rec, endpoints, rows, callers)
        if path := os.environ.get("PANHUO_AUTHZ_OBSERVED"):
            az.merge_observed(Path(path), observed)
        assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)

    def test_a_refused_call_that_wrote_a_row_is_a_mismatch(self, records, db, monkeypatch):
        """What the run checks besides the answers: a call refused (here 403) after it wrote
        is reported with the table it changed, for every caller."""
        from django.http import HttpResponseForbidden

        from panhuo.organisation.models import Jurisdiction

        def writes_then_refuses(client, endpoint, url, kwargs):
            Jurisdiction.objects.create(code="W1", name="Written", level="province")
            return HttpResponseForbidden()

        monkeypatch.setattr(az, "_call", writes_then_refuses)
        rec, callers = records
        endpoint = next(e for e in authz_discovery.discover()[0] if not e.params)
        mismatches, _ = az.run_matrix(rec, [endpoint], {}, callers)
        assert len(mismatches) == len(az.CALLERS)
        assert all(
            "refused (403) but changed ['organisation.Jurisdiction']" in m for m in mismatches
        )
        assert not Jurisdiction.objects.filter(code="W1").exists()


@per_caller(["head", "finance", "auditor", "supervisor"])
def test_asset_form_posts_are_refused_before_the_form_is_read(world, who):
    """Found by the matrix: an empty POST to the asset forms answered 200 (the form's errors)
    to roles that may not register or edit assets, while their GET was a 403."""
    from django.urls import reverse

    from panhuo.core.testing import AssetFactory
    from panhuo.core.tests.api_support import client_for

    asset = AssetFactory(unit=world.unit)
    client = client_for(world, who)
    assert client.post(reverse("asset-create"), {}).status_code == 403
    assert client.post(reverse("asset-edit", args=[asset.pk]), {}).status_code == 403


def test_adding_assets_to_a_package_answers_4xx_or_the_form_never_500(world):
    """Found by the matrix: a POST to a package's add-assets form answered 500 to readers who
    may not edit it, and to the office when the package was already under way (the page came
    back with the form but without the candidates to pick from)."""
    from django.urls import reverse

    from panhuo.core.tests.api_support import build_api_world, client_for

    aw = build_api_world(world)
    for who in ("head", "finance", "auditor", "unit_officer"):
        url = reverse("package-add-assets", args=[aw.package.pk])
        assert client_for(world, who).post(url, {}).status_code == 403, who
    office = client_for(world, "office")
    assert office.post(reverse("package-add-assets", args=[aw.package.pk]), {}).status_code == 200
    sold = reverse("package-add-assets", args=[aw.concluded.package_id])
    response = office.post(sold, {"assets": [aw.asset_free.pk]})
    assert response.status_code == 200
    assert response.context["add_form"].errors
