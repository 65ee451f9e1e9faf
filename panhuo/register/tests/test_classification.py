import io

import pytest
from django.core.exceptions import ValidationError

from panhuo.register.classification import load_classification
from panhuo.register.models import ClassificationCode


def test_top_levels_ship_with_the_database(db):
    vehicles = ClassificationCode.objects.get(code="2030000")
    assert vehicles.parent.code == "2" and vehicles.level == 2
    assert ClassificationCode.objects.filter(parent__isnull=True).count() == 6


def test_load_deeper_levels_children_before_parents(db):
    data = "code,name,parent\n2030100,载货汽车,2030001\n2030001,汽车,2030000\n".encode("gbk")
    created, updated = load_classification(io.BytesIO(data))
    assert (created, updated) == (2, 0)
    truck = ClassificationCode.objects.get(code="2030100")
    assert truck.parent.code == "2030001" and truck.level == 4
    assert load_classification(io.BytesIO(data)) == (0, 0)


def test_unknown_parent_writes_nothing(db):
    n = ClassificationCode.objects.count()
    with pytest.raises(ValidationError, match="unknown parent"):
        load_classification(io.BytesIO(b"code,name,parent\nX1,x,NOPE\n"))
    assert ClassificationCode.objects.count() == n
