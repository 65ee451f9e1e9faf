"""The classification page states the list's editions and counts only the reader's assets."""

from __future__ import annotations

import io

from django.urls import reverse

from panhuo.core.tests.views_support import build_sample, client_for
from panhuo.integrity.services import Operator
from panhuo.register.classification import load_classification
from panhuo.register.models import Asset, ClassificationCode


def test_page_states_the_edition_and_counts_only_visible_assets(world):
    s = build_sample(world)
    load_classification(
        io.BytesIO("代码,名称,说明\n2030100,载货汽车,测试说明\n".encode()),
        edition="GB/T 14885-2022",
        actor=Operator("tester"),
    )
    truck = ClassificationCode.objects.get(code="2030100")
    Asset.objects.filter(pk__in=[s.a.asset.pk, s.a.other_asset.pk]).update(classification=truck)
    url = reverse("classification-list")
    body = client_for(world, "unit_officer").get(url, {"q": "2030100"}).content.decode()
    assert "GB/T 14885-2022" in body and "GB/T 14885-2010" in body and "测试说明" in body
    # The unit officer sees one of the two assets (the other is in district B).
    assert f'href="{truck.get_absolute_url()}">1</a>' in body
    edition = truck.edition
    body = client_for(world, "office").get(url, {"edition": edition.pk}).content.decode()
    assert '<span class="mono">2030100</span></th>' in body
    assert '<span class="mono">2030000</span></th>' not in body


def test_asset_page_names_the_edition_of_its_code(world):
    s = build_sample(world)
    Asset.objects.filter(pk=s.a.asset.pk).update(
        classification=ClassificationCode.objects.get(code="2030000")
    )
    body = client_for(world, "office").get(s.a.asset.get_absolute_url()).content.decode()
    assert "GB/T 14885-2010" in body
