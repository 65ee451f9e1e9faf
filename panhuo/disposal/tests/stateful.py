"""A reusable hypothesis state machine over the HTTP API: random transitions, by random roles,
with inputs drawn around each gate's threshold, and price exceptions asked for and approved
at random; after every step an oracle re-judges the stored project. No project may be past its
deal (concluded, paid, in force, closed, ...) unless every gate passes on what was recorded or
an approved exception covers it.

Use: ``run(world, Scenario(...))``. A scenario names the channel, makes its fixtures (assets,
appraisals, units), gives the body strategies of each step and the oracle. The existing
channels can get theirs the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from panhuo.core import rollups
from panhuo.core.testing import World, decision_documents
from panhuo.core.testing import written_approval as attach_written_approval
from panhuo.core.tests.api_support import call, client_for
from panhuo.core.tests.examples import examples as scaled
from panhuo.disposal.approval_purposes import decision_documents as needs_documents
from panhuo.disposal.models import DisposalProject
from panhuo.disposal.price_exceptions import latest
from panhuo.disposal.rollups import PROJECTS
from panhuo.disposal.workflow import AFTER_DEAL, table_for
from panhuo.integrity.models import Document

ACTORS = ("office", "head", "deputy", "finance", "unit_officer", "auditor")
ROLE_USER = {"head": "head", "deputy": "deputy", "office": "office", "finance": "finance",
             "unit_officer": "unit_officer"}  # fmt: skip
BEFORE_APPROVAL = {"draft", "submitted", "withdrawn"}
#: Statuses a response may have; a 500 (or anything else) fails the run.
EXPECTED = {200, 201, 400, 403, 404, 409, 422}


@dataclass
class Scenario:
    channel: str
    #: Makes the fixtures; returns a context (asset ids, unit ids, figures) for the others.
    setup: Callable[[World], dict[str, Any]]
    #: (transition name, context) -> strategy of extra body fields for that step.
    bodies: Callable[[str, dict], st.SearchStrategy[dict]]
    #: (project, context) -> the gates the stored project fails (empty when all pass).
    oracle: Callable[[DisposalProject, dict], list[str]]
    #: context -> strategy of price-exception amounts to ask for (None: never ask).
    exception_amounts: Callable[[dict], st.SearchStrategy] | None = None
    reserve: str = "0"
    extra: dict = field(default_factory=dict)
    #: (project, context) -> the gates the stored project fails in *any* state (the relisting
    #: gate holds before the deal too); None: only the oracle past the deal.
    always: Callable[[DisposalProject, dict], list[str]] | None = None
    #: Steps taken (by the office, then the head) before the walk, so that it starts further on.
    prelude: tuple[str, ...] = ()
    #: The statuses in which the walk asks for price exceptions (empty: any).
    exception_states: frozenset[str] = frozenset()


class _Clients(dict):
    """A logged-in client per role, made when first used (logging in is the slow part)."""

    def __init__(self, world: World):
        super().__init__()
        self.world = world

    def __missing__(self, who: str):
        self[who] = client = client_for(self.world, who)
        return client


def machine_for(world: World, scenario: Scenario) -> type[RuleBasedStateMachine]:
    table = table_for(scenario.channel)
    names = sorted(table)

    class ChannelMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run is rolled back to the test's own state when it ends.
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.ctx = scenario.setup(world)
            self.clients = _Clients(world)
            office = self.clients["office"]
            r = call(office, "POST", "/api/v1/packages", {
                "jurisdiction": world.district.pk, "name": "Lot", "channel": scenario.channel,
                "asset_ids": self.ctx["assets"]})  # fmt: skip
            assert r.status_code == 201, r.content
            r = call(office, "POST", "/api/v1/projects",
                     {"package": r.json()["id"], "reserve_price": scenario.reserve})  # fmt: skip
            assert r.status_code == 201, r.content
            self.pid = self.ctx["pid"] = r.json()["id"]
            self.documents = bool(scenario.prelude)
            url = f"/api/v1/projects/{self.pid}/transitions"
            for name in scenario.prelude:
                if name == "approve":  # what the approval rests on (Decree 738 art. 19)
                    decision_documents(world, DisposalProject.objects.get(pk=self.pid))
                who = self.clients["head" if name == "approve" else "office"]
                r = call(who, "POST", url, {"transition": name, "comment": "Because."})
                assert r.status_code == 200, r.content

        def _status(self) -> str:
            return DisposalProject.objects.values_list("status", flat=True).get(pk=self.pid)

        @rule(data=st.data())
        def step(self, data):
            # Mostly a step the table allows from the current state, by a role it names (so
            # that walks get far); sometimes any step by anyone (which must be refused cleanly).
            status = DisposalProject.objects.values_list("status", flat=True).get(pk=self.pid)
            here = [n for n in names if status in table[n].sources and n != "withdraw"] or names
            name = data.draw(st.one_of(st.sampled_from(here), st.sampled_from(names)), "step")
            fitting = [ROLE_USER[r] for r in sorted(table[name].roles) if r in ROLE_USER]
            who = data.draw(st.one_of(st.sampled_from(fitting), st.sampled_from(ACTORS)), "who")
            if name in {"approve", "reject"} and who == "office":
                who = "head"  # the submitter may not decide
            extra = data.draw(scenario.bodies(name, self.ctx))
            body = {"transition": name, "comment": "Because.", **extra}
            r = call(self.clients[who], "POST", f"/api/v1/projects/{self.pid}/transitions", body)
            assert r.status_code in EXPECTED, (r.status_code, r.content)
            if r.status_code == 200:
                event(f"{scenario.channel}: {name} reached {r.json()['status']}")
            elif r.status_code == 400 and r.json().get("gate"):
                event(f"{scenario.channel}: refused by {r.json()['gate']['rule']}")

        @precondition(lambda self: not self.documents and self._status() == "submitted")
        @rule()
        def put_decision_documents(self):
            # Until the minutes and the approval document are on the project, the head's
            # approval is refused (approval_document_required); the walk puts them on sometimes.
            decision_documents(world, DisposalProject.objects.get(pk=self.pid))
            self.documents = True

        @precondition(
            lambda self: (
                scenario.exception_amounts is not None
                and (not scenario.exception_states or self._status() in scenario.exception_states)
            )
        )
        @rule(data=st.data())
        def ask_and_approve_exception(self, data):
            amount = data.draw(scenario.exception_amounts(self.ctx))
            url = f"/api/v1/projects/{self.pid}/price-exception"
            body = {"amount": str(amount), "reason": "The market fell."}
            r = call(self.clients["office"], "POST", url, body)
            assert r.status_code in EXPECTED, (r.status_code, r.content)
            # The head's approval rests on the written approval (its number, 文号) on the
            # project; without it the decision is refused (approval_document_required) and the
            # request stays pending for a later turn.
            pending = latest(DisposalProject.objects.get(pk=self.pid))
            if pending is None or pending.status != "pending":
                return
            if data.draw(st.booleans(), "written approval uploaded"):
                attach_written_approval(world, DisposalProject.objects.get(pk=self.pid))
            url = f"/api/v1/approvals/{pending.pk}/decision"
            r = call(self.clients["head"], "POST", url, {"approve": True})
            assert r.status_code in EXPECTED, (r.status_code, r.content)
            if r.status_code == 200:
                event(f"{scenario.channel}: exception approved")

        @invariant()
        def past_the_deal_only_through_the_gates(self):
            p = DisposalProject.objects.select_related("package__jurisdiction").get(pk=self.pid)
            if p.status in AFTER_DEAL:
                failed = scenario.oracle(p, self.ctx)
                assert not failed, f"{p.code} is {p.status} but fails {failed}"
            if p.status not in BEFORE_APPROVAL and needs_documents(p):
                kinds = set(
                    Document.objects.filter(target_id=p.pk, target_type__model="disposalproject")
                    .exclude(kind="approval", number="")
                    .values_list("kind", flat=True)
                )
                assert {"collective_decision", "approval"} <= kinds, f"{p.code} approved bare"
            if scenario.always is not None:
                failed = scenario.always(p, self.ctx)
                assert not failed, f"{p.code} ({p.status}) fails {failed}"

        @invariant()
        def projects_counted_as_they_stand(self):
            # Disposal's roll-up moves with every creation and transition (README, "Roll-ups").
            assert rollups.verify(PROJECTS) == []

        def teardown(self):
            if os.environ.get("PANHUO_STATEFUL_TRACE"):  # how far the walks got
                status = DisposalProject.objects.values_list("status", flat=True).get(pk=self.pid)
                print(f"\n{scenario.channel}: ended {status}")
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    ChannelMachine.__name__ = f"{scenario.channel.title()}Machine"
    return ChannelMachine


def run(world: World, scenario: Scenario, *, examples: int = 10, steps: int = 16) -> None:
    run_state_machine_as_test(
        machine_for(world, scenario),
        settings=settings(
            max_examples=scaled(examples),
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
