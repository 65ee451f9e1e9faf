"""The disposal project state machines: one table of transitions per channel, one function
(``services.project_transition``) applies them.

Each row says from which states a transition may be taken, the state it leads to, the roles
that may take it, whether the actor must differ from the one who submitted the project
(separation of duties), and what input it needs (``needs``: the channel records it writes).
Every channel starts the same way (draft → submitted → approved, with send back and withdraw),
so that approvals work alike everywhere; after approval each channel goes its own way.

The permission rules for ``("project", <transition>)`` are generated from these tables (the
union of the roles over the channels; ``transition_check`` narrows them to the channel's row),
so the tables are the only place to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from panhuo.core import workflow
from panhuo.disposal.models import Channel as C
from panhuo.disposal.models import ProjectStatus as S
from panhuo.organisation import policy
from panhuo.organisation.models import Role as R


@dataclass(frozen=True)
class Transition(workflow.Transition):
    not_by_submitter: bool = False
    needs_comment: bool = False
    #: Input groups the step needs, each written as channel records by the service:
    #: deal, listing, relist, extension, redisclose, notice, counterparty, recipient, swap,
    #: tranches, contract, renewal, art31_case, art31_approval (negotiated), free_recipient,
    #: evidence, zero_deal (the zero-price channels: free transfer, scrap, loss, write-off).
    needs: frozenset[str] = frozenset()
    #: Entering the target disposes of the package (its assets leave the live set).
    disposes: bool = False
    #: The step needs the contract value received in full (cash channels).
    needs_paid: bool = False
    #: Side effects the service runs: "settle" (debt swap), "arrears_on", "arrears_off", "end".
    effect: str = ""

    @property
    def needs_deal(self) -> bool:
        return "deal" in self.needs

    def allowed_for(self, actor, project, units) -> bool:
        """Whether ``actor``'s roles and scope let them take this step on ``project`` whose
        package holds assets of ``units`` (a unit asset officer: of their unit only)."""
        return policy.allowed(
            actor,
            "project",
            self.name,
            jurisdiction=project.jurisdiction,
            units=units,
            roles_subset=self.roles,
        )


HD, OFFICE, OU, OF = (
    frozenset({R.HEAD, R.DEPUTY}),
    frozenset({R.OFFICE}),
    frozenset({R.OFFICE, R.UNIT_OFFICER}),
    frozenset({R.OFFICE, R.FINANCE}),
)
FIN = frozenset({R.FINANCE})
f = frozenset


def _start(*, withdraw_from=(), submit_needs=(), submit_comment=False) -> list[Transition]:
    """The shared start of every channel: submit, approve, send back, withdraw."""
    return [
        Transition("submit", _("Submit for approval"), f({S.DRAFT}), S.SUBMITTED, OU,
                   needs=f(submit_needs), needs_comment=submit_comment),
        Transition("approve", _("Approve"), f({S.SUBMITTED}), S.APPROVED, HD,
                   not_by_submitter=True),
        Transition("reject", _("Send back"), f({S.SUBMITTED}), S.DRAFT, HD,
                   not_by_submitter=True, needs_comment=True),
        Transition("withdraw", _("Withdraw"),
                   f({S.DRAFT, S.SUBMITTED, S.APPROVED, *withdraw_from}), S.WITHDRAWN,
                   f({R.OFFICE, R.HEAD, R.DEPUTY}), needs_comment=True),
    ]  # fmt: skip


def _market() -> list[Transition]:
    """Public auction and exchange listing: rounds until a sale, then the result notice (the
    contract is in force from the deal), payment in full, and closing once both are done.

    The periods are "not before" gates (``disposal.periods``): no deal before the disclosure
    ends (Order 32 art. 13), no closing before the result notice has been up for its period
    (art. 29) and the price is paid in full (art. 28). A disclosure can be extended, and after a
    new appraisal the lot can be disclosed again (its period restarts)."""
    return [
        *_start(withdraw_from={S.LISTED}),
        Transition("list", _("List for sale"), f({S.APPROVED}), S.LISTED, OFFICE,
                   needs=f({"listing"})),
        Transition("relist", _("No sale: relist at a reduced reserve"), f({S.LISTED}),
                   S.LISTED, OFFICE, needs=f({"relist"}), needs_comment=True),
        Transition("extend_listing", _("Extend the disclosure period"), f({S.LISTED}),
                   S.LISTED, OFFICE, needs=f({"extension"}), needs_comment=True),
        Transition("redisclose", _("Disclose again at the new appraisal"), f({S.LISTED}),
                   S.LISTED, OFFICE, needs=f({"redisclose"}), needs_comment=True),
        Transition("conclude", _("Record the deal"), f({S.LISTED}), S.CONCLUDED, OFFICE,
                   needs=f({"deal", "bidders"}), disposes=True),
        Transition("publish_result", _("Publish the result notice"), f({S.CONCLUDED}),
                   S.PUBLISHED, OFFICE, needs=f({"notice"})),
        Transition("confirm_payment", _("Confirm payment in full"), f({S.PUBLISHED}), S.PAID,
                   OF, needs_paid=True),
        Transition("close", _("Close"), f({S.PAID}), S.CLOSED, OF, needs_paid=True),
    ]  # fmt: skip


def _contract(sign_label, *, renew: bool) -> list[Transition]:
    """Lease-out and operating concession: a contract in force with a schedule of receipts."""
    rows = [
        *_start(),
        Transition("sign", sign_label, f({S.APPROVED}), S.IN_FORCE, OFFICE,
                   needs=f({"contract"}), disposes=True),
        Transition("flag_arrears", _("Flag arrears"), f({S.IN_FORCE}), S.IN_ARREARS, OF,
                   effect="arrears_on"),
        Transition("clear_arrears", _("Arrears paid up"), f({S.IN_ARREARS}), S.IN_FORCE, OF,
                   effect="arrears_off"),
        Transition("end", _("End the contract"), f({S.IN_FORCE, S.IN_ARREARS}), S.ENDED, OFFICE,
                   needs_comment=True, effect="end"),
        Transition("close", _("Close"), f({S.ENDED}), S.CLOSED, OF, needs_paid=True),
    ]  # fmt: skip
    if renew:
        rows.append(
            Transition("renew", _("Renew the contract"), f({S.IN_FORCE}), S.IN_FORCE, OFFICE,
                       needs=f({"renewal"}))
        )  # fmt: skip
    return rows


def _table(rows: list[Transition]) -> dict[str, Transition]:
    return {t.name: t for t in rows}


TABLES: dict[str, dict[str, Transition]] = {
    C.AUCTION: _table(_market()),
    C.EXCHANGE: _table(_market()),
    C.NEGOTIATED: _table(
        [
            *_start(submit_needs={"counterparty", "art31_case"}, submit_comment=True),
            Transition("conclude", _("Sign the transfer contract"), f({S.APPROVED}),
                       S.CONCLUDED, OFFICE, needs=f({"deal", "art31_approval"}),
                       disposes=True),
            Transition("confirm_payment", _("Confirm payment in full"), f({S.CONCLUDED}),
                       S.PAID, OF, needs_paid=True),
            Transition("close", _("Close"), f({S.PAID}), S.CLOSED, OF),
        ]
    ),
    C.SOE_TRANSFER: _table(
        [
            *_start(),
            Transition("transfer", _("Record the transfer"), f({S.APPROVED}), S.CONCLUDED, OFFICE,
                       needs=f({"recipient", "deal"}), disposes=True),
            Transition("close", _("Close"), f({S.CONCLUDED}), S.CLOSED, OF),
        ]
    ),
    C.DEBT_SWAP: _table(
        [
            *_start(),
            Transition("agree_swap", _("Agree the swap with the creditor"), f({S.APPROVED}),
                       S.CONCLUDED, OFFICE, needs=f({"swap", "deal"}), disposes=True),
            Transition("execute_swap", _("Execute the swap (settle the debt)"),
                       f({S.CONCLUDED}), S.CLOSED, FIN, effect="settle"),
        ]
    ),
    C.SECURITISATION: _table(
        [
            *_start(),
            Transition("issue", _("Issue the securities"), f({S.APPROVED}), S.CONCLUDED, OFFICE,
                       needs=f({"tranches"}), disposes=True),
            Transition("confirm_payment", _("Confirm proceeds in full"), f({S.CONCLUDED}),
                       S.PAID, OF, needs_paid=True),
            Transition("close", _("Close"), f({S.PAID}), S.CLOSED, OF),
        ]
    ),
    C.LEASE: _table(_contract(_("Sign the lease"), renew=True)),
    C.CONCESSION: _table(_contract(_("Grant the concession"), renew=False)),
    C.FREE_TRANSFER: _table(
        [
            *_start(submit_needs={"free_recipient"}, submit_comment=True),
            Transition("hand_over", _("Hand over (free transfer)"), f({S.APPROVED}),
                       S.CONCLUDED, OFFICE, needs=f({"zero_deal"}), disposes=True),
            Transition("close", _("Close"), f({S.CONCLUDED}), S.CLOSED, OF),
        ]
    ),
    **{
        channel: _table(
            [
                *_start(submit_needs={"evidence"}, submit_comment=True),
                Transition(step, label, f({S.APPROVED}), S.CONCLUDED, OFFICE,
                           needs=f({"zero_deal"}), disposes=True),
                Transition("close", _("Close"), f({S.CONCLUDED}), S.CLOSED, OF),
            ]
        )
        for channel, step, label in (
            (C.SCRAP, "scrap", _("Scrap the assets")),
            (C.LOSS, "record_loss", _("Write down the loss")),
            (C.WRITE_OFF, "write_off", _("Write off the assets")),
        )
    },
}  # fmt: skip

#: Every transition name of any channel, with one representative row (for labels, schemas).
TRANSITIONS: dict[str, Transition] = {}
for _rows in TABLES.values():
    for _t in _rows.values():
        TRANSITIONS.setdefault(_t.name, _t)

# One permission rule per name: the union of its roles; each channel's row narrows it.
for _name in TRANSITIONS:
    policy.RULES[("project", _name)] = frozenset().union(
        *(rows[_name].roles for rows in TABLES.values() if _name in rows)
    )


def table_for(channel: str) -> dict[str, Transition]:
    return TABLES[channel]


def reachable(channel: str) -> frozenset[S]:
    """The states a project of ``channel`` can ever be in: the initial one and every target."""
    return frozenset({S.DRAFT} | {t.target for t in TABLES[channel].values()})


def terminal(channel: str) -> frozenset[S]:
    rows = TABLES[channel].values()
    return frozenset(s for s in reachable(channel) if not any(s in t.sources for t in rows))


#: States in which money may be received into the treasury for the project.
RECEIVING = frozenset({S.CONCLUDED, S.PUBLISHED, S.IN_FORCE, S.IN_ARREARS, S.ENDED})
#: States after the deal: the project has a deal price (contract value) and a counterparty.
AFTER_DEAL = frozenset(
    {S.CONCLUDED, S.PAID, S.PUBLISHED, S.IN_FORCE, S.IN_ARREARS, S.ENDED, S.CLOSED}
)
#: Kept for callers of the single-table era: every state of every channel.
REACHABLE = frozenset().union(*(reachable(c) for c in TABLES))
TERMINAL = frozenset({S.CLOSED, S.WITHDRAWN})
