"""A disposal refusal reaches a Chinese user in Chinese (the gate over the source is
``core/tests/test_refusals_translated.py``)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from panhuo.disposal.models import Package
from panhuo.disposal.services import package_create


@pytest.mark.django_db
def test_a_service_refuses_a_chinese_user_in_chinese(world):
    """A disposal service's refusal, naming the field, in Chinese; nothing is written."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        package_create(
            actor=world.user("office"), jurisdiction=world.district, name="Lot",
            channel="auction", asset_ids=[999_999],
        )  # fmt: skip
    assert refused.value.message_dict == {"assets": ["未知的资产编号：[999999]。"]}
    assert not Package.objects.exists()
