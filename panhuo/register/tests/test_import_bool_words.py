"""A mapping's words for yes/no fields (issue 14, item 5): "Freehold" → yes, "Leasehold" → no,
read the way choice fields read their words; on the mapping page the yes/no fields are among
the value groups, with the choices Yes and No."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from panhuo.core.errors import ValidationError
from panhuo.register import import_mappings
from panhuo.register.import_forms import MappingForm
from panhuo.register.importing.engine import Mapping, import_assets
from panhuo.register.models import Asset

CSV = (
    "unit,code,name,kind,Tenure\n"
    "U1,C-1,Shed,building,Freehold\n"
    "U1,C-2,Yard,land,leasehold\n"
    "U1,C-3,Hall,building,Rented\n"
)
MAPPING = Mapping(
    columns={"unit": "unit", "code": "code", "name": "name", "kind": "kind",
             "Tenure": "title_complete"},
    values={"title_complete": {"Freehold": "yes", "Leasehold": "no"}},
)  # fmt: skip


def test_bool_words_are_read_and_others_refused(world):
    report = import_assets(actor=world.user("office"), stream=io.BytesIO(CSV.encode()),
                           mapping=MAPPING, commit=True, valid_only=True)  # fmt: skip
    assert (report.new, report.rejected) == (2, 1)
    assert report.errors[0].column == "Tenure" and "Rented" in report.errors[0].message
    assert Asset.objects.get(code="C-1").title_complete is True
    assert Asset.objects.get(code="C-2").title_complete is False


def test_a_bool_word_must_mean_yes_or_no(world):
    with pytest.raises(ValidationError, match="title_complete"):
        import_mappings.mapping_save(actor=world.user("office"), name="Bad", columns={},
                             values={"title_complete": {"Freehold": "maybe"}})  # fmt: skip


def test_the_mapping_page_offers_bool_fields_with_yes_and_no(world):
    form = MappingForm(headers=[], target="assets")
    assert "title_complete" in form.value_choices
    with translation.override("zh-hans"):
        labels = [str(label) for _v, label in form.value_choices["title_complete"]]
    assert labels == ["是", "否"]
    mapping = import_mappings.mapping_save(actor=world.user("office"), name="Tenure", columns={},
                                   values={"title_complete": {"Freehold": "yes"}})  # fmt: skip
    c = Client()
    c.force_login(world.user("office"))
    page = c.get(reverse("import-mapping-edit", args=[mapping.pk]))
    form = page.context["form"]
    src, dst = form.value_names["title_complete"][0]
    assert (form[src].value(), form[dst].value()) == ("Freehold", "yes")
    post = {"action": "save", "name": "Tenure", "headers": "[]", "date_order": "dmy",
            "amount_unit": "yuan", src: "Leasehold", dst: "no"}  # fmt: skip
    assert c.post(reverse("import-mapping-edit", args=[mapping.pk]), post).status_code == 302
    mapping.refresh_from_db()
    assert mapping.values == {"title_complete": {"Leasehold": "no"}}


def test_a_sample_offers_its_unknown_tenure_words(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    c = Client()
    c.force_login(world.user("office"))
    sample = io.BytesIO(CSV.replace("Tenure", "title complete").encode())
    sample.name = "s.csv"
    page = c.post(reverse("import-mapping-create"),
                  {"action": "read", "sample": sample, "date_order": "dmy",
                   "amount_unit": "yuan"})  # fmt: skip
    form = page.context["form"]
    words = [form[s].value() for s, _d in form.value_names["title_complete"]]
    assert {"Freehold", "leasehold", "Rented"} <= set(words)
