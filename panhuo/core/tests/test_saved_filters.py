import pytest
from django.core.exceptions import ValidationError

from panhuo.core.models import SavedFilter
from panhuo.core.services import saved_filter_delete, saved_filter_save


def test_save_replace_delete(world):
    office = world.user("office")
    f = saved_filter_save(
        actor=office, target="assets", name="Idle land", query="kind=land&status=idle&page=7"
    )
    assert f.query == "kind=land&status=idle"
    assert f.get_absolute_url() == "/assets/?kind=land&status=idle"
    saved_filter_save(actor=office, target="assets", name="Idle land", query="kind=land")
    assert SavedFilter.objects.get(owner=office).query == "kind=land"
    with pytest.raises(SavedFilter.DoesNotExist):
        saved_filter_delete(actor=world.user("office2"), saved_filter=f)
    saved_filter_delete(actor=office, saved_filter=f)
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("target", "name", "field"), [("planets", "x", "target"), ("assets", " ", "name")]
)
def test_bad_input(world, target, name, field):
    with pytest.raises(ValidationError) as exc:
        saved_filter_save(actor=world.user("office"), target=target, name=name, query="")
    assert field in exc.value.message_dict
