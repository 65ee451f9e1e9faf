"""The disposal state machines, tested from their tables: every transition of every channel,
from every state of that channel, by every role, is either applied exactly as the table says or
refused naming both the transition and the state (or the role), with nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory, make_user
from panhuo.core.tests.per_caller import rolled_back
from panhuo.disposal import guards
from panhuo.disposal import services as ds
from panhuo.disposal.channel_models import ChannelTerms, Contract, ListingRound
from panhuo.disposal.models import (
    ZERO_PRICE_CHANNELS,
    Channel,
    DisposalProject,
    ProjectEvent,
    ProjectStatus,
)
from panhuo.disposal.workflow import (
    AFTER_DEAL,
    REACHABLE,
    TABLES,
    TERMINAL,
    TRANSITIONS,
    reachable,
    terminal,
)
from panhuo.finance import services as fs
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role, Unit
from panhuo.register.models import Asset


@pytest.fixture(autouse=True)
def _tables_only(monkeypatch):
    """The tables alone: guards of other stages (pricing, approvals) are tested by their own."""
    monkeypatch.setattr(guards.registry, "guards", [])


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
DEAL = Decimal("120.00")


def _draft(w, unit=None, channel="auction"):
    asset = AssetFactory(unit=unit or w.unit)
    package = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel=channel,
        asset_ids=[asset.pk],
    )
    zero = channel in ZERO_PRICE_CHANNELS
    return ds.project_create(
        actor=w.user("office2"), package=package, reserve_price=Decimal(0 if zero else 100)
    )


def _soe(w) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        code="T-SOE",
        defaults={
            "name": "City Investment Group",
            "kind": "soe",
            "jurisdiction": w.district,
        },
    )
    return unit


def _debt(w, outstanding="1000.00"):
    return fs.debt_create(
        actor=w.user("finance"),
        jurisdiction=w.district,
        data={
            "creditor": "Bank of Qinghe",
            "debt_type": "bank_loan",
            "principal": str(max(Decimal(outstanding), Decimal("1000.00"))),
            "outstanding": outstanding,
            "rate": Decimal("4.5"),
            "issue_date": dt.date(2024, 1, 1),
            "maturity_date": dt.date(2030, 1, 1),
        },
    )


def _force_status(project, status):
    """Put a project in ``status`` directly, with the records that state implies."""
    after = status in AFTER_DEAL
    deal = Decimal(0) if project.channel in ZERO_PRICE_CHANNELS else DEAL
    DisposalProject.objects.filter(pk=project.pk).update(
        status=status, deal_price=deal if after else None, buyer="B" if after else ""
    )
    project.refresh_from_db()
    if project.channel in {"lease", "concession"} and status in AFTER_DEAL:
        Contract.objects.create(
            project=project, counterparty="Tenant", term_start=dt.date(2026, 1, 1),
            term_end=dt.date(2027, 1, 1), period_amount=Decimal("10.00"), frequency="monthly",
        )  # fmt: skip
        ExpectedReceipt.objects.create(
            project=project, due_date=timezone.localdate() + dt.timedelta(days=30),
            amount=DEAL, kind="rent",
        )  # fmt: skip
    return project


def _inputs(w, project, name) -> dict:
    """Everything any step could need; each step reads only its own part."""
    return {
        "comment": "because",
        "deal_price": DEAL,
        "buyer": "Buyer Ltd",
        "platform": "Qinghe Public Resources Exchange",
        "reserve_price": Decimal("90.00") if name == "relist" else None,
        "bidders": 2,
        "counterparty_unit": _soe(w).pk,
        "counterparty": "Tenant Ltd",
        "tranches": [
            {"name": "Senior", "size": "100.00", "rate": "3.5"},
            {"name": "Junior", "size": "20.00", "rate": "6"},
        ],
        "term_start": dt.date(2026, 1, 1),
        "term_end": dt.date(2028, 1, 1),
        "period_amount": Decimal("10.00"),
        "frequency": "quarterly",
        "debt": _swap_debt(w, project).pk if project.channel == "debt_swap" else None,
        "art31_case": "intra_group",
        "approval_body": "enterprise",
        "approval_ref": "Group decision 2026-7",
        "counterparty_credit_code": "91350100M000100Y43",
        "evidence_kind": "technical_appraisal",
        "evidence_ref": "TA-1",
        "evidence_issuer": "Qinghe Testing Centre",
        "disclosure_ends": timezone.localdate() + dt.timedelta(days=60)
        if name == "extend_listing"
        else None,
    }


def _swap_debt(w, project):
    terms = ChannelTerms.objects.filter(project=project, debt__isnull=False).first()
    return terms.debt if terms else _debt(w)


def _ready(w, project, name):
    """What must be true for ``name`` to succeed from where the project is."""
    t = TABLES[project.channel][name]
    if t.needs_paid:
        # The money came in while the project could receive it (a paid sale closes with it).
        state = project.status
        DisposalProject.objects.filter(pk=project.pk).update(status=ProjectStatus.CONCLUDED)
        fs.receipt_create(
            actor=w.user("finance"), project=project, amount=str(project.deal_price),
            received_on=timezone.localdate(), voucher=f"V-{project.pk}", budget_class="non_tax",
        )  # fmt: skip
        DisposalProject.objects.filter(pk=project.pk).update(status=state)
    if name == "extend_listing":
        ListingRound.objects.create(
            project=project, number=1, listed_on=timezone.localdate(), reserve=Decimal("100.00"),
            disclosure_ends=timezone.localdate() + dt.timedelta(days=30),
            recorded_by=w.user("office"),
        )  # fmt: skip
    if name == "flag_arrears":
        ExpectedReceipt.objects.create(
            project=project, due_date=timezone.localdate() - dt.timedelta(days=3),
            amount=Decimal("5.00"), kind="rent",
        )  # fmt: skip
    if name == "hand_over":
        ChannelTerms.objects.create(
            project=project, counterparty_unit=_soe(w), counterparty_name="City Investment Group",
            counterparty_soe=True, counterparty_credit_code="91350100M000100Y43",
        )  # fmt: skip
    if name == "execute_swap":
        ChannelTerms.objects.create(project=project, debt=_debt(w), counterparty_name="Bank")


def test_tables_are_closed():
    assert set(ProjectStatus) == REACHABLE
    for channel, rows in TABLES.items():
        states = reachable(channel)
        assert {ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN} == terminal(channel), channel
        for t in rows.values():
            assert t.sources <= states and t.target in states and t.roles, (channel, t.name)
        # The shared start: approvals work alike in every channel.
        for name in ("submit", "approve", "reject", "withdraw"):
            assert name in rows
    assert {ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN} == TERMINAL
    assert set(TABLES) == set(Channel.values)


ROLE_CASES = [(channel, name) for channel, rows in TABLES.items() for name in rows]


@pytest.mark.parametrize(("channel", "name"), ROLE_CASES)
def test_each_transition_from_each_state(world, channel, name, subtests):
    """From a source state the right role succeeds; from any other state it is refused. One
    draft per transition; each state of the channel is tried in a savepoint rolled back after
    it (a subtest per state)."""
    t = TABLES[channel][name]
    draft = _draft(world, channel=channel)
    actor = world.user(ROLE_USER[sorted(t.roles)[0]])
    for state in sorted(reachable(channel)):
        with subtests.test(state=state), rolled_back():
            project = _force_status(DisposalProject.objects.get(pk=draft.pk), state)
            if state in t.sources:
                _ready(world, project, name)
            kwargs = _inputs(world, project, name)
            n_audit, n_events = AuditEntry.objects.count(), ProjectEvent.objects.count()
            if state in t.sources:
                out = ds.project_transition(actor=actor, project=project, transition=name, **kwargs)
                assert out.status == t.target
                ev = ProjectEvent.objects.filter(project=project).last()
                assert (ev.from_status, ev.to_status, ev.transition) == (state, t.target, name)
                assert AuditEntry.objects.filter(action=f"project.{name}").exists()
            else:
                with pytest.raises(ValidationError) as exc:
                    ds.project_transition(actor=actor, project=project, transition=name, **kwargs)
                msg = str(exc.value.message_dict["transition"])
                assert name in msg and state in msg
                project.refresh_from_db()
                assert project.status == state
                assert AuditEntry.objects.count() == n_audit
                assert ProjectEvent.objects.count() == n_events


@pytest.mark.parametrize(("channel", "name"), ROLE_CASES)
def test_roles_outside_the_table_are_refused(world, channel, name):
    t = TABLES[channel][name]
    state = sorted(t.sources)[0]
    project = _force_status(_draft(world, channel=channel), state)
    kwargs = _inputs(world, project, name)
    for role, username in ROLE_USER.items():
        if role in t.roles:
            continue
        with pytest.raises(ValidationError) as exc:
            ds.project_transition(
                actor=world.user(username), project=project, transition=name, **kwargs
            )
        msg = str(exc.value.message_dict["transition"])
        assert "role" in msg and name in msg and state in msg
        project.refresh_from_db()
        assert project.status == state


def test_a_step_of_another_channel_is_refused_naming_it(world):
    project = _force_status(_draft(world, channel="lease"), "approved")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(actor=world.user("office"), project=project, transition="list")
    msg = str(exc.value)
    assert "list" in msg and "approved" in msg and "lease" in msg


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


def test_payment_confirmation_needs_full_payment(world):
    p = _force_status(_draft(world), "published")
    with pytest.raises(ValidationError) as exc:
        ds.project_transition(actor=world.user("office"), project=p, transition="confirm_payment")
    assert "received" in str(exc.value) and exc.value.rule.code == "payment_in_full"


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
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    channel=st.sampled_from(sorted(TABLES)),
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(TRANSITIONS)), st.sampled_from(ACTORS), st.booleans()),
        max_size=14,
    ),
)
def test_random_walks_never_leave_the_table(world, channel, steps):
    """Whatever is attempted, by whoever, a project only ever sits in a state of its channel's
    table, and each successful step is exactly a row of that table."""
    table = TABLES[channel]
    with transaction.atomic():
        project = _draft(world, channel=channel)
        history = [project.status]
        for name, who, pay in steps:
            if pay and name in table and table[name].needs_paid and project.deal_price:
                due = project.deal_price - sum(r.amount for r in project.receipts.all())
                if due > 0 and project.status in {"concluded", "ended"}:
                    fs.receipt_create(
                        actor=world.user("finance"), project=project, amount=str(due),
                        received_on=timezone.localdate(), voucher=f"W-{len(history)}-{name}",
                        budget_class="non_tax",
                    )  # fmt: skip
            try:
                project = ds.project_transition(
                    actor=world.user(who),
                    project=project,
                    transition=name,
                    **_inputs(world, project, name),
                )
            except ValidationError:
                project.refresh_from_db()
                assert project.status == history[-1]
                continue
            t = table[name]
            assert history[-1] in t.sources and project.status == t.target
            history.append(project.status)
            assert project.status in reachable(channel)
        transaction.set_rollback(True)
