"""A mapping may give a fixed value for a field the file has no column of, e.g. the holding unit
of a file of one unit's assets (issue 14, item 5): it is stored with the mapping, applied to
every row before the checks, edited on the mapping page and through the API; a field with both
a column and a fixed value is refused, naming the field."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from panhuo.core.errors import ValidationError
from panhuo.register import import_mappings, imports
from panhuo.register.import_models import ImportMapping
from panhuo.register.importing.engine import Mapping, import_assets
from panhuo.register.importing.readers import FileRejected
from panhuo.register.models import Asset

CSV = "code,name,kind\nC-1,Shed,building\nC-2,Van,vehicle\n"


def _csv(text: str = CSV) -> io.BytesIO:
    return io.BytesIO(text.encode())


def test_a_fixed_unit_fills_every_row_and_is_checked(world):
    report = import_assets(actor=world.user("office"), stream=_csv(), commit=True,
                           mapping=Mapping(constants={"unit": "U1"}))  # fmt: skip
    assert report.committed and report.new == 2, report.errors
    assert set(Asset.objects.values_list("unit__code", flat=True)) == {"U1"}
    # An unknown unit is a row error, under the fixed value's name.
    bad = import_assets(actor=world.user("office"), stream=_csv(),
                        mapping=Mapping(constants={"unit": "NOPE"}))  # fmt: skip
    assert bad.rejected == 2
    assert bad.errors[0].column == "unit (fixed value)" and "NOPE" in bad.errors[0].message


def test_a_fixed_choice_is_read_like_a_cell(world):
    csv = "unit,code,name\nU1,C-1,Shed\n"
    fixed = Mapping(constants={"kind": "Building", "status": "idle"})
    report = import_assets(actor=world.user("office"), stream=_csv(csv), commit=True, mapping=fixed)
    assert report.committed, report.errors
    asset = Asset.objects.get(code="C-1")
    assert (asset.kind, asset.status) == ("building", "idle")


def test_a_field_with_a_column_and_a_fixed_value_is_refused(world):
    csv = "unit,code,name,kind\nU1,C-1,Shed,building\n"
    with translation.override("en"), pytest.raises(FileRejected, match="“unit”"):
        import_assets(actor=world.user("office"), stream=_csv(csv),
                      mapping=Mapping(constants={"unit": "U1"}))  # fmt: skip
    with pytest.raises(ValidationError) as refused, translation.override("zh-hans"):
        import_mappings.mapping_save(actor=world.user("office"), name="Both",
                             columns={"Unit": "unit", "Code": "code"},
                             constants={"unit": "U1"})  # fmt: skip
    assert "unit" in str(refused.value) and "固定值" in str(refused.value)
    with pytest.raises(ValidationError, match="colour"):
        import_mappings.mapping_save(actor=world.user("office"), name="Bad", columns={},
                             constants={"colour": "red"})  # fmt: skip
    assert not ImportMapping.objects.exists()


def test_a_mapping_that_does_not_fit_the_file_rejects_it_naming_every_culprit(world):
    """Unknown mapped fields, columns the file lacks and fixed values for unknown fields each
    reject the whole file, with their own code and every name they found."""
    csv = "unit,code,name,kind\nU1,C-1,Shed,building\n"
    cases = [
        (Mapping(columns={"unit": "unit", "code": "colour", "name": "smell"}),
         "mapping_unknown_fields", "colour, smell"),
        (Mapping(columns={"unit": "unit", "Ref": "code", "Title": "name"}),
         "mapping_missing_columns", "Ref, Title"),
        (Mapping(columns={"unit": "unit", "code": "code", "name": "name"},
                 constants={"colour": "red"}),
         "constants_unknown_fields", "colour"),
    ]  # fmt: skip
    for mapping, code, names in cases:
        with translation.override("en"), pytest.raises(FileRejected) as rejected:
            import_assets(actor=world.user("office"), stream=_csv(csv), mapping=mapping)
        msg = rejected.value.args[0]
        assert msg.code == code
        assert names in str(msg), (code, str(msg))
    assert not Asset.objects.filter(code="C-1").exists()


def test_the_api_keeps_constants_and_refuses_a_mapped_one(world):
    c = Client()
    c.force_login(world.user("office"))
    body = {"name": "One unit", "columns": {"Code": "code"}, "constants": {"unit": "U1"}}
    made = c.post("/api/v1/import-mappings", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["constants"] == {"unit": "U1"}
    clash = {"columns": {"Unit": "unit"}, "constants": {"unit": "U1"}}
    refused = c.put(f"/api/v1/import-mappings/{made.json()['id']}", clash,
                    content_type="application/json")  # fmt: skip
    assert refused.status_code == 400 and "unit" in refused.content.decode()
    assert ImportMapping.objects.get().constants == {"unit": "U1"}
    # A saved mapping's constants reach the run.
    run = imports.import_run_create(actor=world.user("office"), upload=_csv(),
                                    filename="r.csv", mapping_name="One unit")  # fmt: skip
    assert run.mapping["constants"] == {"unit": "U1"}


def test_the_mapping_page_edits_fixed_values(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    mapping = import_mappings.mapping_save(actor=world.user("office"), name="One unit",
                                   columns={"Code": "code"}, constants={"unit": "U1"})  # fmt: skip
    c = Client()
    c.force_login(world.user("office"))
    url = reverse("import-mapping-edit", args=[mapping.pk])
    form = c.get(url).context["form"]
    assert form["val_const_0_from"].value() == "unit"
    assert form["val_const_0_to"].value() == "U1"
    post = {"action": "save", "name": "One unit", "headers": '["Code"]', "col_0": "code",
            "date_order": "dmy", "amount_unit": "yuan",
            "val_const_0_from": "unit", "val_const_0_to": "U2",
            "val_const_1_from": "status", "val_const_1_to": "idle"}  # fmt: skip
    assert c.post(url, post).status_code == 302
    mapping.refresh_from_db()
    assert mapping.constants == {"unit": "U2", "status": "idle"}
    # A fixed value for a field a column holds is refused on the form, naming it.
    page = c.post(url, {**post, "col_0": "code", "val_const_1_from": "code",
                        "val_const_1_to": "X"})  # fmt: skip
    assert page.status_code == 200
    assert "“code”" in str(page.context["form"].errors["val_const_1_from"])
    mapping.refresh_from_db()
    assert mapping.constants == {"unit": "U2", "status": "idle"}
