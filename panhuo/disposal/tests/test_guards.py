"""Guards other stages register refuse a transition before anything is written."""

import pytest
from django.core.exceptions import ValidationError

from panhuo.core.errors import ValidationError as PanhuoValidationError
from panhuo.disposal import guards
from panhuo.disposal import services as ds
from panhuo.disposal.models import ProjectEvent, ProjectStatus
from panhuo.disposal.tests.test_workflow import _draft
from panhuo.integrity.models import AuditEntry


@pytest.fixture
def refusing_guard():
    seen = []

    def guard(*, actor, project, transition, data):
        seen.append((actor.username, project.code, transition, data["comment"]))
        if transition == "submit":
            raise PanhuoValidationError({"transition": ["Refused by the test rule (limit 1)."]})

    guards.register("test-refuser", guard)
    yield seen
    guards.registry.guards = [(n, g) for n, g in guards.registry.guards if n != "test-refuser"]


def test_a_refusing_guard_leaves_nothing_written(world, refusing_guard):
    project = _draft(world)
    events, audits = ProjectEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="limit 1"):
        ds.project_transition(actor=world.user("office"), project=project, transition="submit")
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    assert (ProjectEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)
    assert refusing_guard == [("office", project.code, "submit", "")]


def test_guards_run_only_after_the_table_allows_the_step(world, refusing_guard):
    project = _draft(world)
    with pytest.raises(ValidationError, match="not allowed from state"):
        ds.project_transition(actor=world.user("office"), project=project, transition="close")
    assert refusing_guard == []


def test_registering_a_name_twice_replaces_it(refusing_guard):
    before = len(guards.registry.guards)
    guards.register("test-refuser", lambda **kw: None)
    assert len(guards.registry.guards) == before
