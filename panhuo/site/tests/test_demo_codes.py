"""Every demo asset carries a classification code of the list, and the list states its
editions (the shipped GB/T 14885 top levels and the demo district's own supplement)."""

import pytest

from panhuo.register.models import Asset, ClassificationCode, ClassificationEdition
from panhuo.site.demo import SMALL, seed_demo
from panhuo.site.demo.seed_codes import KIND_CLASSIFICATION, LOCAL_EDITION

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_every_demo_asset_has_a_code_of_the_list(small_demo):
    assert Asset.objects.exists()
    assert not Asset.objects.filter(classification__isnull=True).exists()
    listed = set(ClassificationCode.objects.values_list("code", flat=True))
    used = set(Asset.objects.values_list("classification__code", flat=True))
    assert used <= listed and used == set(KIND_CLASSIFICATION.values())
    # Each code used states its edition; the district's supplement is named as its own.
    editions = set(Asset.objects.values_list("classification__edition__name", flat=True).distinct())
    assert editions == {"GB/T 14885-2010", LOCAL_EDITION}
    assert ClassificationEdition.objects.get(name=LOCAL_EDITION).codes.count() == 5
    # Seeding again (for real: the district above is this worker's copy) adds nothing.
    seed_demo(size=SMALL)
    assert ClassificationEdition.objects.get(name=LOCAL_EDITION).codes.count() == 5
