"""The disposal state machine, tested from its table: every transition from every state,
by every role, is either applied exactly as the table says or refused naming both."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory, make_user
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, ProjectEvent, ProjectStatus
from panhuo.disposal.workflow import REACHABLE, TERMINAL, TRANSITIONS
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role
from panhuo.register.models import Asset

ROLE_USER = {
    Role.HEAD: "head",
    Role.DEPUTY: "deputy",
    Role.OFFICE: "office",
    Role.UNIT_OFFICER: "unit_officer",
    Role.FINANCE: "finance",
    Role.AUDITOR: "auditor",
    Role.SUPERVISOR: "supervisor",
    Role.BIDDER: "bidder",
}


def _draft(w, unit=None):
    asset = AssetFactory(unit=unit or w.unit)
    package = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[asset.pk],
    )
    return ds.project_create(
        actor=w.user("office2"), package=package, reserve_price=Decimal("100.00")
    )


def _force_status(project, status):
    DisposalProject.objects.filter(pk=project.pk).update(
        status=status,
        deal_price=Decimal("120.00") if status in ("concluded", "closed") else None,
        buyer="B" if status in ("concluded", "closed") else "",
    )
    project.refresh_from_db()
    return project


def test_table_is_closed():
    assert set(REACHABLE) == set(ProjectStatus)
    assert {ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN} == TERMINAL
    for t in TRANSITIONS.values():
        assert t.target in REACHABLE and t.roles


CASES = [(name, state) for name in TRANSITIONS for state in ProjectStatus]


@pytest.mark.parametrize(("name", "state"), CASES)
def test_transition_from_each_state(world, name, state):
    """From a source state the right role succeeds; from any other state it is refused."""
    t = TRANSITIONS[name]
    project = _force_status(_draft(world), state)
    role = sorted(t.roles)[0]
    actor = world.user(ROLE_USER[role])
    kwargs = {"comment": "because"} if t.needs_comment else {}
    if t.needs_deal:
        kwargs.update(deal_price=Decimal("120.00"), buyer="Buyer")
    if name == "close" and state == ProjectStatus.CONCLUDED:
        # Close needs the money in; record it as finance would.
        import datetime as dt

        from panhuo.finance.services import receipt_create

        receipt_create(
            actor=world.user("finance"),
            project=project,
            amount="120.00",
            received_on=dt.date(2026, 1, 2),
            voucher="V-close",
            budget_class="non_tax",
        )
    n_audit = AuditEntry.objects.count()
    if state in t.sources:
        out = ds.project_transition(actor=actor, project=project, transition=name, **kwargs)
        assert out.status == t.target
        ev = ProjectEvent.objects.filter(project=project).last()
        assert (ev.from_status, ev.to_status, ev.transition) == (state, t.target, name)
        assert AuditEntry.objects.count() == n_audit + 1
    else:
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(actor=actor, project=project, transition=name, **kwargs)
        msg = str(exc.value.message_dict["transition"])
        assert name in msg and state in msg
        project.refresh_from_db()
        assert project.status == state
        assert AuditEntry.objects.count() == n_audit


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_roles_outside_the_table_are_refused(world, name):
    t = TRANSITIONS[name]
    state = sorted(t.sources)[0]
    for role, username in ROLE_USER.items():
        if role in t.roles:
            continue
        project = _force_status(_draft(world), state)
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(
                actor=world.user(username),
                project=project,
                transition=name,
                comment="c",
                deal_price=Decimal("1.00"),
                buyer="b",
            )
        assert "role" in str(exc.value.message_dict["transition"])
        project.refresh_from_db()
        assert project.status == state


def test_other_jurisdiction_cannot_approve(world):
    p = ds.project_transition(
        actor=world.user("office"), project=_draft(world), transition="submit"
    )
    with pytest.raises(ValidationError):
        ds.project_transition(actor=world.user("outsider_head"), project=p, transition="approve")
    p.refresh_from_db()
    assert p.status == "submitted"


def test_submitter_cannot_approve_even_as_head(world):
    both = make_user("office_and_head", Role.OFFICE, world.district)
    from panhuo.organisation.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role=Role.HEAD, jurisdiction=world.district)
    p = ds.project_transition(actor=both, project=_draft(world), transition="submit")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(actor=both, project=p, transition="approve")
    assert "submitter" in str(exc.value)
    assert ds.project_transition(
        actor=world.user("head"), project=p, transition="approve"
    ).approved_by == world.user("head")


def test_unknown_transition(world):
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(
            actor=world.user("office"), project=_draft(world), transition="teleport"
        )
    assert "teleport" in str(exc.value)


def test_conclude_needs_price_and_buyer(world):
    p = _force_status(_draft(world), "listed")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(
            actor=world.user("office"),
            project=p,
            transition="conclude",
            deal_price=Decimal("-5"),
            buyer=" ",
        )
    assert {"deal_price", "buyer"} <= set(exc.value.message_dict)
    p.refresh_from_db()
    assert p.status == "listed" and p.deal_price is None


def test_close_needs_full_payment(world):
    p = _force_status(_draft(world), "concluded")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(actor=world.user("office"), project=p, transition="close")
    assert "received" in str(exc.value)


def test_conclusion_disposes_assets_and_frees_them_from_live_packages(world):
    p = _force_status(_draft(world), "listed")
    p = ds.project_transition(
        actor=world.user("office"),
        project=p,
        transition="conclude",
        deal_price=Decimal("150.00"),
        buyer="B",
    )
    asset = Asset.objects.get(package_items__package=p.package)
    assert asset.status == "disposed"
    assert not p.package.items.filter(live=True).exists()
    assert p.package.status == "disposed"


def test_unit_officer_submits_only_own_units_project(world):
    own = _draft(world, unit=world.unit)
    other = _draft(world, unit=world.unit2)
    assert (
        ds.project_transition(
            actor=world.user("unit_officer"), project=own, transition="submit"
        ).status
        == "submitted"
    )
    with pytest.raises(ValidationError):
        ds.project_transition(actor=world.user("unit_officer"), project=other, transition="submit")


ACTORS = [
    "head",
    "deputy",
    "deputy2",
    "office",
    "office2",
    "unit_officer",
    "finance",
    "auditor",
    "supervisor",
    "outsider_office",
    "outsider_head",
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(TRANSITIONS)), st.sampled_from(ACTORS)), max_size=12
    )
)
def test_random_walks_never_leave_the_table(world, steps):
    """Whatever is attempted, by whoever, the project only ever sits in a state of the table,
    and each successful step is exactly a row of the table."""
    from django.db import transaction

    with transaction.atomic():
        project = _draft(world)
        history = [project.status]
        for name, who in steps:
            try:
                project = ds.project_transition(
                    actor=world.user(who),
                    project=project,
                    transition=name,
                    comment="c",
                    deal_price=Decimal("150.00"),
                    buyer="B",
                )
            except ValidationError:
                project.refresh_from_db()
                assert project.status == history[-1]
                continue
            t = TRANSITIONS[name]
            assert history[-1] in t.sources and project.status == t.target
            history.append(project.status)
            assert project.status in REACHABLE
        transaction.set_rollback(True)
