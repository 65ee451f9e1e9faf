"""The register in depth, through its pages: the full asset record, encumbrances, new filters,
saved filters, XLSX export, bulk import (upload → run → progress → report), saved column
mappings, and scope (proposal, rules, decision) — for every role, with bad input and denied
writes shown to change nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from panhuo.core.models import SavedFilter
from panhuo.core.testing import AssetFactory, build_world, forget_fixture_scope
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    REGISTER_SECTION,
    USERS,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    statuses,
)
from panhuo.core.tests.views_support import fingerprint as base_fingerprint
from panhuo.integrity.models import AuditEntry
from panhuo.register import exporting, import_mappings, imports
from panhuo.register.forms import AssetEditForm
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.models import Asset, AssetStatus, ClassificationCode, Encumbrance
from panhuo.register.scope_models import ScopeDecision, ScopeDecisionItem, ScopeRuleSet
from panhuo.register.services import encumbrance_add

#: Roles that may import (("asset", "create")): the offices and the unit officers.
IMPORTERS = {
    "office",
    "office2",
    "unit_officer",
    "other_unit_officer",
    "outsider_office",
    "outsider_unit_officer",
}
SCOPE_VIEWERS = READERS_A | READERS_B
SCOPE_RULES = {"head", "deputy", "deputy2", "office", "office2"}
SCOPE_RULES_B = {"outsider_head", "outsider_deputy", "outsider_office"}
SCOPE_DECIDERS = {"head", "deputy", "deputy2"}
SCOPE_DECIDERS_B = {"outsider_head", "outsider_deputy"}

CSV_OK = (
    "unit,code,name,kind,book_value,status\n"
    "U1,R-1,Old school,building,1000000,idle\n"
    "U1,R-2,Car,vehicle,120000,in_use\n"
)
CSV_BAD = CSV_OK + "U1,R-3,Broken,building,-1,idle\nU9,R-4,Nowhere,building,5,idle\n"


def fingerprint() -> dict:
    """The shared fingerprint, and the records this issue's pages write."""
    state = base_fingerprint()
    for model in (
        Encumbrance,
        ImportMapping,
        ImportRun,
        SavedFilter,
        ScopeRuleSet,
        ScopeDecision,
        ScopeDecisionItem,
    ):
        state[model._meta.label] = model.objects.count()
    state["encumbrances"] = sorted(Encumbrance.objects.values_list("pk", "holder", "amount"))
    state["rules"] = sorted(ScopeRuleSet.objects.values_list("jurisdiction_id", "min_idle_months"))
    state["mappings"] = sorted(ImportMapping.objects.values_list("pk", "name", "updated_at"))
    state["runs"] = sorted(ImportRun.objects.values_list("pk", "status"))
    state["saved"] = sorted(SavedFilter.objects.values_list("pk", "name", "query"))
    state["attributes"] = sorted(Asset.objects.values_list("pk", "attributes"))
    state["values"] = Asset.objects.aggregate(
        d=Sum("accumulated_depreciation"), i=Sum("annual_income"), c=Sum("annual_holding_cost")
    )
    return state


@pytest.fixture
def data_dir(settings, tmp_path):
    """Uploads and progress in a temporary data dir and a file cache every process can read."""
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return tmp_path


@pytest.fixture
def sample(world):
    return build_sample(world)


def in_scope_asset(w, **over):
    """An asset the default rules propose: idle for years, clear title, unencumbered."""
    data = {
        "unit": w.unit,
        "status": AssetStatus.IDLE,
        "idle_since": dt.date(2020, 1, 1),
        "title_complete": True,
    }
    data.update(over)
    return AssetFactory(**data)


def upload(client, text: str | bytes, name="register.csv", **form):
    content = text.encode() if isinstance(text, str) else text
    f = io.BytesIO(content)
    f.name = name
    data = {"file": f, "mapping": "", "run": "commit", "mode": "all", **form}
    return client.post(reverse("asset-import"), data)


def run_of(response) -> ImportRun:
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def office_run(world, data_dir, text=CSV_OK, **form) -> ImportRun:
    return run_of(upload(client_for(world, "office"), text, **form))


# --- every page × every role --------------------------------------------------------------


def _decision(w):
    from panhuo.register.scope import scope_decide

    in_scope_asset(w, code="SC-IN")
    return scope_decide(actor=w.user("head"), jurisdiction=w.district)


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
        lambda s, w: _decision(w).get_absolute_url(),
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


# --- asset list: new filters, saved filters, XLSX -----------------------------------------


def test_list_filters_idle_months_encumbrance_appraisal_and_classification(world):
    today = dt.date.today()
    long_idle = AssetFactory(
        unit=world.unit, code="F-IDLE", idle_since=today - dt.timedelta(days=800)
    )
    AssetFactory(unit=world.unit, code="F-NEW", idle_since=today - dt.timedelta(days=20))
    cheap = AssetFactory(unit=world.unit, code="F-CHEAP", appraised_value=Decimal("100.00"))
    charged = AssetFactory(unit=world.unit, code="F-ENC", status=AssetStatus.IN_USE)
    Encumbrance.objects.create(asset=charged, kind="mortgage", holder="Bank")
    land = ClassificationCode.objects.filter(parent__isnull=True).first()
    assert land is not None, "the migration seeds the top levels of the classification"
    classed = AssetFactory(unit=world.unit, code="F-CLASS", classification=land)
    c = client_for(world, "office")

    def codes(**params):
        response = c.get(reverse("asset-list"), params)
        assert response.status_code == 200
        return {a.code for a in response.context["page"]}

    assert codes(min_idle_months="12") == {"F-IDLE"}
    assert codes(encumbered="yes") == {"F-ENC"}
    assert "F-ENC" not in codes(encumbered="no") and "F-IDLE" in codes(encumbered="no")
    assert codes(max_appraised="1,000") == {"F-CHEAP"}
    assert cheap.code not in codes(min_appraised="1000")
    assert codes(classification=land.code) == {classed.code}
    assert len(codes(encumbered="")) == 5  # "either"
    bad = c.get(reverse("asset-list"), {"min_idle_months": "-3", "encumbered": "maybe"})
    assert bad.status_code == 200
    assert {"min_idle_months", "encumbered"} <= set(bad.context["filter_form"].errors)
    assert long_idle.code in {a.code for a in bad.context["page"]}  # bad filters are ignored


def test_save_open_and_delete_a_filter(world):
    c = client_for(world, "office")
    page = c.get(reverse("asset-list"), {"status": "idle", "min_idle_months": "6", "page": "2"})
    body = page.content.decode()
    assert 'action="/filters/save/"' in body and 'value="status=idle&amp;min_idle_months=6"' in body
    response = c.post(
        reverse("saved-filter-save"),
        {"target": "assets", "query": "status=idle&min_idle_months=6", "name": "Long idle"},
    )
    saved = SavedFilter.objects.get(owner=world.user("office"))
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    assert saved.query == "status=idle&min_idle_months=6"
    listed = c.get(saved.get_absolute_url()).content.decode()
    assert "Long idle" in listed and 'aria-current="true"' in listed
    assert (
        "Long idle" not in client_for(world, "office2").get(reverse("asset-list")).content.decode()
    )
    # Someone else cannot delete it: it is not theirs, so it is not there.
    before = fingerprint()
    denied = client_for(world, "office2").post(reverse("saved-filter-delete", args=[saved.pk]))
    assert denied.status_code == 404 and fingerprint() == before
    gone = c.post(reverse("saved-filter-delete", args=[saved.pk]))
    assert gone.status_code == 302 and gone["Location"] == reverse("asset-list")
    assert not SavedFilter.objects.exists()
    assert AuditEntry.objects.filter(action="saved_filter.delete").exists()


@pytest.mark.parametrize(
    ("target", "query"),
    [("packages", "status=open"), ("projects", "status=draft"), ("debts", "q=Bank"),
     ("receipts", "q=V-1")],
)  # fmt: skip
def test_the_other_lists_keep_saved_filters_too(world, target, query):
    c = client_for(world, "office")
    url = reverse(f"{target[:-1]}-list")
    assert 'action="/filters/save/"' in c.get(f"{url}?{query}").content.decode()
    response = c.post(
        reverse("saved-filter-save"), {"target": target, "query": query, "name": "Mine"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?{query}"
    body = c.get(url).content.decode()
    assert f'href="{url}?{query}"' in body and ">Mine</a>" in body


def test_saving_a_filter_without_a_name_says_so_and_writes_nothing(world):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("saved-filter-save"), {"target": "assets", "query": "kind=land", "name": " "}
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


@pytest.mark.parametrize(("who", "target", "status"), [
    ("bidder", "assets", 403), ("norole", "assets", 403), ("unit_officer", "debts", 403),
    ("office", "planets", 404),
])  # fmt: skip
def test_saving_a_filter_for_a_list_one_may_not_open_is_refused(world, who, target, status):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("saved-filter-save"), {"target": target, "query": "q=x", "name": "Mine"}
    )
    assert response.status_code == status
    assert fingerprint() == before


def test_xlsx_export_is_the_filtered_visible_list_in_the_import_columns(world, sample):
    AssetFactory(unit=world.unit, code="X-1", name="=HYPERLINK(1)", book_value=Decimal("12.30"))
    response = client_for(world, "unit_officer").get(reverse("asset-export-xlsx"), {"q": "X-1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == exporting.HEADERS and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["code"] == "X-1" and record["book_value (yuan)"] == "12.30"
    assert wb.active.cell(row=2, column=3).data_type == "s"  # text, never a formula
    everything = client_for(world, "unit_officer").get(reverse("asset-export-xlsx"))
    wb = load_workbook(io.BytesIO(b"".join(everything.streaming_content)))
    codes = {r[1] for r in wb.active.iter_rows(min_row=2, values_only=True)}
    assert sample.a.asset.code in codes and sample.a.asset2.code not in codes


# --- asset record and encumbrances --------------------------------------------------------


def test_detail_shows_the_full_record_and_derived_figures(world):
    asset = AssetFactory(
        unit=world.unit,
        kind="vehicle",
        book_value=Decimal("200000.00"),
        accumulated_depreciation=Decimal("50000.00"),
        appraised_value=Decimal("100000.00"),
        annual_income=Decimal("12000.00"),
        annual_holding_cost=Decimal("2000.00"),
        idle_since=dt.date.today() - dt.timedelta(days=400),
        certificate_number="CERT-9",
        attributes={"plate": "粤B12345", "mileage_km": 80000},
    )
    body = client_for(world, "auditor").get(asset.get_absolute_url()).content.decode()
    assert "150,000.00" in body  # net book value
    assert "10.0 %" in body  # (12,000 − 2,000) / 100,000
    assert "Number plate" in body and "粤B12345" in body and "Mileage (km)" in body
    assert "CERT-9" in body
    assert ">13<" in body or ">12<" in body  # months idle
    assert 'action="/assets/' not in body  # a reader gets no forms


def test_asset_form_has_typed_fields_per_kind_and_edits_them(world, sample):
    asset = AssetFactory(unit=world.unit, kind="vehicle", attributes={"plate": "A1"})
    c = client_for(world, "office")
    page = c.get(reverse("asset-edit", args=[asset.pk]))
    body = page.content.decode()
    assert 'data-kind="vehicle"' in body and 'name="attr_vehicle_mileage_km"' in body
    assert 'type="number"' in body and 'name="attr_land_tenure_end"' in body
    form = page.context["form"]
    assert form.initial["attr_vehicle_plate"] == "A1"
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(attr_vehicle_mileage_km="81,000", attr_vehicle_registered_year="2019")
    response = c.post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 200  # "81,000" is not a whole number
    assert "attr_vehicle_mileage_km" in response.context["form"].errors
    data["attr_vehicle_mileage_km"] = "81000"
    response = c.post(reverse("asset-edit", args=[asset.pk]), data)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.attributes == {"plate": "A1", "mileage_km": 81000, "registered_year": 2019}


def test_service_errors_on_attributes_land_under_the_kinds_field(world):
    from django.core.exceptions import ValidationError

    form = AssetEditForm(
        data={"kind": "equity", "attr_equity_percentage": "5"}, user=world.user("office"),
        action="edit",
    )  # fmt: skip
    form.is_valid()
    form.add_service_errors(
        ValidationError({"attributes.percentage": ["Too much."], "package": ["Busy."]})
    )
    assert form.errors["attr_equity_percentage"] == ["Too much."]
    assert "package: Busy." in form.non_field_errors()


def test_office_records_and_lifts_an_encumbrance(world, sample):
    asset = sample.a.asset_free
    c = client_for(world, "office")
    response = c.post(
        reverse("asset-encumbrance-add", args=[asset.pk]),
        {"kind": "mortgage", "holder": "Bank of the district", "amount": "1,000,000",
         "until": "2030-06-30", "note": "loan 7"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
    item = Encumbrance.objects.get(asset=asset)
    assert item.amount == Decimal("1000000.00") and item.until == dt.date(2030, 6, 30)
    body = c.get(asset.get_absolute_url()).content.decode()
    assert "Bank of the district" in body and "recorded an encumbrance on the asset" in body
    assert reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]) in body
    lifted = c.post(reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]))
    assert lifted.status_code == 302 and not Encumbrance.objects.exists()
    assert AuditEntry.objects.filter(action="asset.encumbrance_remove").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "mortgage", "holder": ""}, "holder"),
        ({"kind": "curse", "holder": "Witch"}, "kind"),
        ({"kind": "pledge", "holder": "Bank", "amount": "-5"}, "amount"),
        ({"kind": "pledge", "holder": "Bank", "amount": "lots"}, "amount"),
        ({"kind": "seizure", "holder": "Court", "until": "soon"}, "until"),
    ],
)
def test_encumbrance_bad_input_names_the_field(world, sample, data, field):
    before = fingerprint()
    response = client_for(world, "unit_officer").post(
        reverse("asset-encumbrance-add", args=[sample.a.asset_free.pk]), data
    )
    assert response.status_code == 200
    assert field in response.context["encumbrance_form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("head", 403), ("auditor", 403), ("supervisor", 403), ("other_unit_officer", 404),
     ("outsider_office", 404), ("bidder", 403), ("norole", 403)],
)  # fmt: skip
def test_encumbrance_writes_denied_change_nothing(world, sample, who, status):
    asset = sample.a.asset_free
    item = encumbrance_add(
        actor=world.user("office"), asset=asset, data={"kind": "lawsuit", "holder": "Court"}
    )
    before = fingerprint()
    c = client_for(world, who)
    add = c.post(
        reverse("asset-encumbrance-add", args=[asset.pk]), {"kind": "pledge", "holder": "X"}
    )
    bad_add = c.post(reverse("asset-encumbrance-add", args=[asset.pk]), {"kind": "pledge"})
    remove = c.post(reverse("asset-encumbrance-remove", args=[asset.pk, item.pk]))
    assert (add.status_code, bad_add.status_code, remove.status_code) == (status,) * 3
    assert fingerprint() == before


def test_encumbrance_of_another_asset_cannot_be_lifted_through_this_one(world, sample):
    item = encumbrance_add(
        actor=world.user("office"), asset=sample.a.asset2, data={"kind": "pledge", "holder": "B"}
    )
    before = fingerprint()
    response = client_for(world, "unit_officer").post(
        reverse("asset-encumbrance-remove", args=[sample.a.asset_free.pk, item.pk])
    )
    assert response.status_code == 404 and fingerprint() == before


def test_encumbrance_pages_refuse_get_and_anonymous_posts(world, sample):
    url = reverse("asset-encumbrance-add", args=[sample.a.asset_free.pk])
    assert client_for(world, "office").get(url).status_code == 405
    from django.test import Client

    response = Client().post(url, {"kind": "pledge", "holder": "X"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- import: upload, run, progress, report ------------------------------------------------


def test_upload_runs_and_the_report_shows_counts_and_rejected_rows(world, data_dir):
    c = client_for(world, "office")
    run = run_of(upload(c, CSV_BAD, mode="all"))
    assert (run.commit, run.valid_only, run.status) == (True, False, "queued")
    page = c.get(run.get_absolute_url()).content.decode()
    assert "<progress" in page and reverse("import-run-progress", args=[run.pk]) in page
    assert 'http-equiv="refresh"' in page  # without script, the page reloads itself
    assert reverse("import-run-cancel", args=[run.pk]) in page
    imports.execute_import(run)
    page = c.get(run.get_absolute_url())
    body = page.content.decode()
    assert page.context["report"]["rejected"] == 2 and page.context["report"]["new"] == 2
    assert "Nothing was written: 2 row(s) were rejected" in body
    assert "-1.00 is negative" in body and "unknown unit" in body
    assert 'http-equiv="refresh"' not in body and "import-run-cancel" not in body
    assert not Asset.objects.filter(code__startswith="R-").exists()
    errors = c.get(reverse("import-run-errors", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Reason"]
    # A cell that a spreadsheet would take for a formula is quoted, as in every CSV we send.
    assert rows[1] == ["4", "book_value", "'-1.00 is negative"] and rows[2][:2] == ["5", "unit"]


def test_valid_rows_only_writes_the_good_rows(world, data_dir):
    c = client_for(world, "office")
    run = run_of(upload(c, CSV_BAD, mode="valid"))
    imports.execute_import(run)
    body = c.get(run.get_absolute_url()).content.decode()
    assert "The valid rows were written; 2 row(s) were rejected." in body
    assert set(Asset.objects.filter(code__startswith="R-").values_list("code", flat=True)) == {
        "R-1",
        "R-2",
    }


def test_dry_run_writes_nothing_then_imports_the_same_file(world, data_dir):
    c = client_for(world, "office")
    dry = run_of(upload(c, CSV_OK, run="dry_run"))
    imports.execute_import(dry)
    page = c.get(dry.get_absolute_url())
    assert "Dry run: every row is valid. Nothing was written." in page.content.decode()
    assert page.context["can_commit"] and "Would be new" in page.content.decode()
    assert not Asset.objects.filter(code__startswith="R-").exists()
    response = c.post(reverse("import-run-commit", args=[dry.pk]))
    real = run_of(response)
    assert real.commit and real.file_sha256 == dry.file_sha256 and real.pk != dry.pk
    imports.execute_import(real)
    assert Asset.objects.filter(code__startswith="R-").count() == 2
    # Only a finished dry run of one's own can be committed from its page.
    before = fingerprint()
    assert c.post(reverse("import-run-commit", args=[real.pk])).status_code == 302
    assert (
        client_for(world, "office2").post(reverse("import-run-commit", args=[dry.pk])).status_code
        == 404
    )
    assert fingerprint() == before


def test_progress_json_is_the_owners_alone(world, data_dir):
    run = office_run(world, data_dir)
    owner = client_for(world, "office").get(reverse("import-run-progress", args=[run.pk]))
    assert owner.status_code == 200
    assert owner.json() == imports.import_progress(run)
    assert owner.json()["status"] == "queued" and owner.json()["finished"] is False
    imports.execute_import(run)
    done = client_for(world, "office").get(reverse("import-run-progress", args=[run.pk])).json()
    assert done["finished"] and done["rows"] == 2 and done["report"]["new"] == 2
    assert (
        client_for(world, "office2").get(reverse("import-run-progress", args=[run.pk])).status_code
        == 404
    )
    assert (
        client_for(world, "head").get(reverse("import-run-progress", args=[run.pk])).status_code
        == 403
    )


def test_cancel_by_owner_only(world, data_dir):
    run = office_run(world, data_dir)
    before = fingerprint()
    for who, status in (("office2", 404), ("unit_officer", 404), ("head", 403)):
        assert (
            client_for(world, who).post(reverse("import-run-cancel", args=[run.pk])).status_code
            == status
        )
    assert fingerprint() == before
    c = client_for(world, "office")
    assert c.post(reverse("import-run-cancel", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled"
    imports.execute_import(run)
    assert not Asset.objects.filter(code__startswith="R-").exists()
    again = c.post(reverse("import-run-cancel", args=[run.pk]), follow=True)
    assert "has already ended" in again.content.decode()
    assert "Cancelled. Nothing was written." in again.content.decode()


@pytest.mark.parametrize(
    ("files", "form", "field"),
    [
        (None, {}, "file"),
        ((b"%PDF-1.4 not a register", "register.pdf"), {}, "file"),
        ((b"", "empty.csv"), {}, "file"),
        ((CSV_OK.encode(), "r.csv"), {"mapping": "No such mapping"}, "mapping"),
        ((CSV_OK.encode(), "r.csv"), {"run": "maybe"}, "run"),
        ((CSV_OK.encode(), "r.csv"), {"mode": "some"}, "mode"),
    ],
)
def test_import_bad_input_names_the_field_and_writes_nothing(world, data_dir, files, form, field):
    data = {"mapping": "", "run": "commit", "mode": "all", **form}
    if files is not None:
        data["file"] = io.BytesIO(files[0])
        data["file"].name = files[1]
    before = fingerprint()
    response = client_for(world, "office").post(reverse("asset-import"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before
    assert not list((data_dir / "imports").glob("*")) if (data_dir / "imports").exists() else True


@per_caller(sorted(set(USERS) - IMPORTERS))
def test_import_refused_to_roles_that_may_not_create_assets(world, data_dir, who):
    before = fingerprint()
    response = upload(client_for(world, who), CSV_OK)
    assert response.status_code == 403
    assert fingerprint() == before


def test_a_unit_officer_imports_into_their_own_unit_only(world, data_dir):
    c = client_for(world, "unit_officer")
    text = "unit,code,name,kind\nU1,UO-1,Shed,building\nU2,UO-2,Not mine,building\n"
    run = run_of(upload(c, text))
    imports.execute_import(run)
    body = c.get(run.get_absolute_url()).content.decode()
    assert "not one you may import into" in body
    assert not Asset.objects.filter(code__startswith="UO-").exists()


def test_run_list_shows_only_ones_own_runs(world, data_dir):
    mine = office_run(world, data_dir)
    theirs = run_of(upload(client_for(world, "office2"), CSV_OK, name="theirs.csv"))
    body = client_for(world, "office").get(reverse("import-run-list")).content.decode()
    assert mine.get_absolute_url() in body and theirs.get_absolute_url() not in body


@pytest.mark.django_db(transaction=True)
def test_upload_then_the_real_worker_then_the_report(data_dir):
    w = build_world()
    c = client_for(w, "office")
    run = run_of(upload(c, CSV_BAD, mode="valid"))
    run.refresh_from_db()
    assert run.task_id, "queued on commit"
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    page = c.get(run.get_absolute_url())
    assert page.context["run"].status == "succeeded"
    body = page.content.decode()
    assert "The valid rows were written; 2 row(s) were rejected." in body
    counts = {k: page.context["report"][k] for k in ("new", "updated", "unchanged", "rejected")}
    assert counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert "-1.00 is negative" in body
    assert Asset.objects.filter(code__startswith="R-").count() == 2


# --- export → import round trip -----------------------------------------------------------


def _rich_assets(w):
    a = AssetFactory(
        unit=w.unit,
        code="RT-1",
        name="Depot, east “gate”",
        kind="land",
        accumulated_depreciation=Decimal("1000.50"),
        annual_income=Decimal("12.34"),
        idle_since=dt.date(2022, 2, 28),
        title_complete=True,
        certificate_number="粤(2020)第1号",
        latitude=Decimal("22.543210"),
        longitude=Decimal("114.057868"),
        attributes={"land_use": "industrial", "plot_ratio": "1.5", "tenure_end": "2060-01-01"},
    )
    b = AssetFactory(unit=w.unit2, code="RT-2", kind="vehicle", attributes={"plate": "粤B1"})
    return a, b


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_through_the_pages_changes_nothing(world, data_dir, fmt):
    _rich_assets(world)
    c = client_for(world, "office")
    url = reverse("asset-export" if fmt == "csv" else "asset-export-xlsx")
    exported = b"".join(c.get(url, {"q": "RT-"}).streaming_content)
    snapshot = sorted(Asset.objects.values_list("code", "version", "updated_at"))
    audit = AuditEntry.objects.count()
    run = run_of(upload(c, exported, name=f"assets.{fmt}"))
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert (report["rows"], report["unchanged"], report["new"], report["updated"]) == (2, 2, 0, 0)
    assert report["rejected"] == 0 and report["ignored_headers"] == []
    assert sorted(Asset.objects.values_list("code", "version", "updated_at")) == snapshot
    assert AuditEntry.objects.count() == audit + 1  # the run's own entry, nothing else


def test_an_edited_export_updates_what_changed(world, data_dir):
    _rich_assets(world)
    c = client_for(world, "office")
    text = b"".join(c.get(reverse("asset-export"), {"q": "RT-"}).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    col = rows[0].index("annual_income (yuan)")  # the header states the unit
    rows[1][col] = "99.00"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    run = run_of(upload(c, out.getvalue()))
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert Asset.objects.get(code="RT-1").annual_income == Decimal("99.00")


# --- saved column mappings ----------------------------------------------------------------

SOURCE = (
    "单位编码;资产编号;资产名称;资产类型;账面原值;使用状态;备注;东坐标;北坐标;取得日期\n"
    "U1;M-1;旧粮库;building;120;闲置;x;530000;180000;12/31/2019\n"
    "U1;M-2;旧车;vehicle;3.5;在用;y;530100;180100;01/02/2020\n"
)


def _read(c, text=SOURCE, url=None, **data):
    f = io.BytesIO(text.encode())
    f.name = "source.csv"
    return c.post(url or reverse("import-mapping-create"), {"action": "read", "sample": f, **data})


def test_mapping_editor_reads_headers_and_saves_a_mapping_that_imports(world, data_dir, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": None}  # its grid is British
    c = client_for(world, "office")
    page = _read(c, name="Old grain system", delimiter=";")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.header_list[:3] == ["单位编码", "资产编号", "资产名称"]
    initial = {form[f"col_{i}"].label: form[f"col_{i}"].value() for i in range(10)}
    assert initial["单位编码"] == "unit" and initial["资产编号"] == "code"
    assert initial["备注"] in ("", None)
    # The sample's words that the import would not understand by itself are offered.
    words = [form[s].value() for s, _d in form.value_names["status"]]
    assert "闲置" in words and "在用" in words
    assert page.context["sample"]["columns"] == 10
    data = {k: v for k, v in {**form.initial}.items() if v is not None}
    data.update({
        "action": "save", "name": "Old grain system", "headers": form.initial["headers"],
        f"col_{form.header_list.index('东坐标')}": "x",
        f"col_{form.header_list.index('北坐标')}": "y",
        "date_order": "mdy", "amount_unit": "wan", "crs": "EPSG:27700", "delimiter": ";",
    })  # fmt: skip
    for s, d in form.value_names["status"]:
        data[s] = form[s].value() or ""
        data[d] = {"闲置": "idle", "在用": "in_use"}.get(data[s], "")
    response = c.post(reverse("import-mapping-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    saved = ImportMapping.objects.get(owner=world.user("office"))
    assert saved.columns["东坐标"] == "x" and saved.columns["资产编号"] == "code"
    assert saved.values == {"status": {"闲置": "idle", "在用": "in_use"}}
    assert saved.options == {
        "date_order": "mdy", "amount_unit": "wan", "crs": "EPSG:27700", "delimiter": ";",
    }  # fmt: skip
    assert "Old grain system" in c.get(reverse("import-mapping-list")).content.decode()
    # The mapping is offered on the upload page and reads the source's file.
    assert "Old grain system" in c.get(reverse("asset-import")).content.decode()
    run = run_of(upload(c, SOURCE, mapping="Old grain system"))
    assert run.mapping_name == "Old grain system"
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert report["new"] == 2 and report["rejected"] == 0, report["errors"]
    granary = Asset.objects.get(code="M-1")
    assert granary.status == "idle" and granary.book_value == Decimal("1200000.00")
    assert granary.acquired_on == dt.date(2019, 12, 31)
    assert Decimal("50") < granary.latitude < Decimal("52")  # British grid → WGS 84


def test_mapping_edit_keeps_choices_and_is_the_owners_alone(world, data_dir):
    mapping = import_mappings.mapping_save(
        actor=world.user("office"),
        name="Tabbed",
        columns={"Unit": "unit", "Code": "code", "Name": "name", "Type": "kind"},
        values={"kind": {"房屋": "building"}},
        options={"delimiter": "\t", "date_order": "dmy"},
    )
    c = client_for(world, "office")
    page = c.get(reverse("import-mapping-edit", args=[mapping.pk]))
    form = page.context["form"]
    assert form.header_list == ["Unit", "Code", "Name", "Type"]
    assert form.initial["delimiter"] == "tab" and form.initial["col_3"] == "kind"
    assert form[form.value_names["kind"][0][0]].value() == "房屋"
    # A new sample keeps the choice made for a header it still has, and matches the new ones.
    reread = _read(
        c,
        "Type,Unit,Code,Name,Book value\nbuilding,U1,C1,Shed,5\n",
        url=reverse("import-mapping-edit", args=[mapping.pk]),
        headers=form.initial["headers"],
        col_3="",  # "Type" was unmapped in the form before reading
        col_0="unit",
        col_1="code",
        col_2="name",
        name="Tabbed",
    )
    new = reread.context["form"]
    assert new.header_list == ["Type", "Unit", "Code", "Name", "Book value"]
    assert [new[f"col_{i}"].value() for i in range(5)] == ["", "unit", "code", "name", "book_value"]
    before = fingerprint()
    for who, status in (("office2", 404), ("unit_officer", 404), ("head", 403)):
        other = client_for(world, who)
        assert other.get(reverse("import-mapping-edit", args=[mapping.pk])).status_code == status
        response = other.post(
            reverse("import-mapping-edit", args=[mapping.pk]), {"action": "save", "name": "Tabbed"}
        )
        assert response.status_code == status
    assert fingerprint() == before


def test_mapping_delete_by_owner_only(world):
    mapping = import_mappings.mapping_save(actor=world.user("office"), name="Gone soon", columns={})
    url = reverse("import-mapping-delete", args=[mapping.pk])
    before = fingerprint()
    for who, status in (("office2", 404), ("outsider_office", 404), ("head", 403)):
        assert client_for(world, who).post(url).status_code == status
    assert client_for(world, "office").get(url).status_code == 405
    assert fingerprint() == before
    response = client_for(world, "office").post(url)
    assert response.status_code == 302 and response["Location"] == reverse("import-mapping-list")
    assert not ImportMapping.objects.exists()
    assert AuditEntry.objects.filter(action="import_mapping.delete").exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"crs": "EPSG:999999999"}, "crs"),
        ({"encoding": "klingon"}, "encoding"),
        ({"date_order": "ymd"}, "date_order"),
        ({"amount_unit": "lakh"}, "amount_unit"),
        ({"col_1": "unit"}, "col_1"),  # two columns → one field
        ({"col_0": "wingspan"}, "col_0"),
        ({"col_0": "name"}, None),  # no column holds the unit: non-field error
        ({"name": ""}, "name"),
        ({"val_kind_0_from": "", "val_kind_0_to": "building"}, "val_kind_0_from"),
    ],
)
def test_mapping_bad_input_names_the_field_and_writes_nothing(world, over, field):
    data = {
        "action": "save",
        "name": "Mine",
        "headers": '["Unit", "Code"]',
        "col_0": "unit",
        "col_1": "code",
        "date_order": "dmy",
        "amount_unit": "yuan",
        "val_kind_0_from": "",
        "val_kind_0_to": "",
        **over,
    }
    before = fingerprint()
    response = client_for(world, "office").post(reverse("import-mapping-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors, errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


def test_reading_a_sample_that_is_not_a_table_says_why(world):
    c = client_for(world, "office")
    before = fingerprint()
    missing = c.post(reverse("import-mapping-create"), {"action": "read", "name": "x"})
    assert "sample" in missing.context["form"].errors
    f = io.BytesIO(b"%PDF-1.4")
    f.name = "scan.pdf"
    pdf = c.post(reverse("import-mapping-create"), {"action": "read", "sample": f})
    assert "not a CSV or XLSX" in pdf.context["form"].errors["sample"][0]
    wb = Workbook()
    wb.active.title = "Sheet1"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "book.xlsx"
    sheet = c.post(
        reverse("import-mapping-create"), {"action": "read", "sample": buf, "sheet": "Assets"}
    )
    assert "no sheet “Assets”" in sheet.context["form"].errors["sample"][0]
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - IMPORTERS))
def test_mapping_save_refused_to_non_importers(world, who):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("import-mapping-create"),
        {"action": "save", "name": "X", "date_order": "dmy", "amount_unit": "yuan"},
    )
    assert response.status_code == 403 and fingerprint() == before


# --- scope --------------------------------------------------------------------------------


def test_proposal_shows_each_asset_in_or_out_with_reasons(world, sample):
    good = in_scope_asset(world, code="SC-1")
    in_scope_asset(world, code="SC-2", title_complete=False)
    essential = in_scope_asset(world, code="SC-3", criticality="essential")
    c = client_for(world, "deputy")
    page = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert page.status_code == 200
    by_code = {p.asset.code: p for p in page.context["page"]}
    assert by_code["SC-1"].included and "clear title" in by_code["SC-1"].reasons
    assert not by_code["SC-2"].included and "title incomplete" in by_code["SC-2"].reasons
    assert "essential public service" in by_code[essential.code].reasons
    assert sample.a.other_asset.code not in by_code  # district B
    counts = page.context["counts"]
    assert counts["in"] == 1 and counts["all"] == counts["in"] + counts["out"]
    body = page.content.decode()
    assert "title incomplete" in body and good.get_absolute_url() in body
    only_in = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk, "show": "in"})
    assert [p.asset.code for p in only_in.context["page"]] == ["SC-1"]
    only_out = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk, "show": "out"})
    assert "SC-1" not in {p.asset.code for p in only_out.context["page"]}
    # The supervisor reads the city; the proposal pages through every asset.
    for n in range(60):
        in_scope_asset(world, code=f"SP-{n:02d}")
    city = client_for(world, "supervisor").get(reverse("scope-proposal"), {"page": "2"})
    assert city.context["jurisdiction"] == world.city and city.context["page"].number == 2


def test_office_sets_the_rules_and_the_proposal_follows(world):
    in_scope_asset(world, code="SC-1", idle_since=dt.date.today() - dt.timedelta(days=100))
    c = client_for(world, "office")
    url = reverse("scope-rules") + f"?jurisdiction={world.district.pk}"
    page = c.get(url)
    assert page.context["form"].initial["min_idle_months"] == 6
    assert "default rules" in page.content.decode()
    before_in = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert before_in.context["counts"]["in"] == 0  # idle 3 months < 6
    response = c.post(url, {"min_idle_months": "2", "require_clear_title": "on",
                            "require_unencumbered": "on", "min_value": "0"})  # fmt: skip
    assert response.status_code == 302
    assert ScopeRuleSet.objects.get(jurisdiction=world.district).min_idle_months == 2
    after = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert after.context["counts"]["in"] == 1
    assert AuditEntry.objects.filter(action="scope.rules_update").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"min_idle_months": "-1", "min_value": "0"}, "min_idle_months"),
        ({"min_idle_months": "six", "min_value": "0"}, "min_idle_months"),
        ({"min_idle_months": "6", "min_value": "-5"}, "min_value"),
        ({"min_idle_months": "6"}, "min_value"),
    ],
)
def test_rules_bad_input_names_the_field_and_writes_nothing(world, data, field):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("scope-rules") + f"?jurisdiction={world.district.pk}", data
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - SCOPE_RULES))
def test_rules_denied_write_nothing(world, who):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("scope-rules") + f"?jurisdiction={world.district.pk}",
        {"min_idle_months": "1", "min_value": "0"},
    )
    assert response.status_code == (404 if who in SCOPE_RULES_B else 403)
    assert fingerprint() == before


def test_head_records_a_decision_narrowed_by_ticking(world, sample):
    a, b, c_ = (in_scope_asset(world, code=f"SC-{n}") for n in (1, 2, 3))
    out = in_scope_asset(world, code="SC-OUT", title_complete=False)
    forget_fixture_scope()  # the decision this test reads is the one it records
    c = client_for(world, "head")
    url = reverse("scope-decide") + f"?jurisdiction={world.district.pk}"
    page = c.get(url)
    body = page.content.decode()
    assert {p.asset.code for p in page.context["candidates"]} == {"SC-1", "SC-2", "SC-3"}
    assert body.count('type="checkbox" name="include"') == 3 and "checked" in body
    response = c.post(url, {"include": [a.pk, c_.pk], "note": "Meeting 2026-3"})
    decision = ScopeDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == decision.get_absolute_url()
    items = {i.asset.code: i for i in decision.items.select_related("asset")}
    assert items["SC-1"].included and items["SC-3"].included
    assert not items["SC-2"].included and items["SC-2"].reasons == [
        "not confirmed by the task force"
    ]
    assert not items["SC-OUT"].included and "title incomplete" in items["SC-OUT"].reasons
    detail = client_for(world, "auditor").get(decision.get_absolute_url())
    assert detail.context["counts"]["in"] == 2
    text = detail.content.decode()
    assert "Meeting 2026-3" in text and "not confirmed by the task force" in text
    only_in = client_for(world, "auditor").get(decision.get_absolute_url(), {"show": "in"})
    assert {i.asset.code for i in only_in.context["page"]} == {"SC-1", "SC-3"}
    assert b.pk and out.pk
    listed = client_for(world, "supervisor").get(reverse("scope-decision-list")).content.decode()
    assert decision.get_absolute_url() in listed


def test_a_decision_cannot_include_an_exclusion(world):
    in_scope_asset(world, code="SC-1")
    out = in_scope_asset(world, code="SC-OUT", criticality="essential")
    before = fingerprint()
    response = client_for(world, "deputy").post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}",
        {"include": [out.pk], "note": ""},
    )
    assert response.status_code == 200
    assert "include" in response.context["form"].errors
    assert b"not scope candidates" in response.content
    bad = client_for(world, "deputy").post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}", {"include": ["x"]}
    )
    assert bad.status_code == 200 and "include" in bad.context["form"].errors
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - SCOPE_DECIDERS))
def test_decision_denied_writes_nothing(world, who):
    asset = in_scope_asset(world, code="SC-1")
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}", {"include": [asset.pk]}
    )
    assert response.status_code == (404 if who in SCOPE_DECIDERS_B else 403)
    assert fingerprint() == before


def test_decision_of_district_a_is_missing_for_district_b(world):
    decision = _decision(world)
    assert client_for(world, "outsider_head").get(decision.get_absolute_url()).status_code == 404
    body = client_for(world, "outsider_head").get(reverse("scope-decision-list")).content
    assert decision.get_absolute_url().encode() not in body
