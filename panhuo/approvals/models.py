"""Approval chains, the requests that go through them, their decisions, and delegations.

A chain is configuration: for one jurisdiction (and below), one purpose, optionally one channel,
and amounts from a threshold up, the ordered steps and the roles that may decide each. A request
copies its chain's steps when it starts, so editing a chain never changes a request under way.
The database itself keeps one request in progress per object and purpose (a partial unique
constraint) and one decision per step and per person.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from panhuo.approvals.registry import purpose_label
from panhuo.core.constraints import filled_iff, valid_choice
from panhuo.core.fields import MoneyField, actor_field, version_field
from panhuo.core.links import page_of, page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

# One letter per role, as in the policy's table (F_ here: F is the query expression).
from panhuo.organisation.policy import D, H, O, U
from panhuo.organisation.policy import F as F_


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


#: Roles a chain step may name as its deciders.
STEP_ROLES = frozenset({H, D, O, F_})

policy.RULES.update(
    {
        # Unit officers see the requests they made (see ApprovalRequestQuerySet).
        ("approval", "view"): policy.READERS | {U},
        ("approval", "request"): frozenset({H, D, O, U, F_}),
        # Who may decide a given step is the step's roles; this is their union.
        ("approval", "decide"): STEP_ROLES,
        ("approval", "withdraw"): frozenset({H, D, O}),
        ("approval_chain", "view"): policy.READERS,
        ("approval_chain", "set"): frozenset({H, D, O}),
        ("delegation", "set"): STEP_ROLES,
    }
)


class ApprovalChain(policy.Scoped):
    """The steps a request of one purpose takes in one jurisdiction (and the ones below it).

    Applies to ``channel`` (blank: any channel) and amounts of at least ``min_amount``. Among the
    chains of the nearest jurisdiction that has a matching one, a channel match beats "any
    channel", then the highest threshold not above the amount wins.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="approval_chains"
    )
    purpose = models.CharField(_("purpose"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    min_amount = MoneyField(_("from amount"), default=Decimal("0.00"))
    name = models.CharField(_("name"), max_length=200)
    created_by = actor_field()
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    view_scope = policy.ViewScope("approval_chain", "jurisdiction__path")

    class Meta:
        ordering = ["jurisdiction__path", "purpose", "channel", "min_amount"]
        verbose_name, verbose_name_plural = _("approval chain"), _("approval chains")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "purpose", "channel", "min_amount"],
                name="approval_chain_unique_key",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__gte=0), name="approval_chain_min_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    get_absolute_url = page_url("approval-chain-edit")

    @property
    def purpose_label(self) -> str:
        return purpose_label(self.purpose)

    def step_roles(self) -> list[list[str]]:
        return [list(s.roles) for s in self.steps.all()]


class ApprovalStep(models.Model):
    """One step of a chain: any one person holding one of ``roles`` decides it."""

    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    roles = models.JSONField(_("roles"), default=list)

    class Meta:
        ordering = ["chain", "position"]
        verbose_name = _("approval step")
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="approval_step_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="approval_step_position"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.position}"

    get_absolute_url = page_of("chain")


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user, *, delegations=None) -> RequestQuerySet:
        """Readers see their jurisdictions' requests; everyone sees what they asked for or
        decided; a delegate sees the pending requests their delegator could decide
        (``delegations``: the caller's active ones, when already read)."""
        if user is None or not user.is_authenticated:
            return self.none()
        q = policy.scope_q(user, "approval", "view", path="jurisdiction__path")
        q |= Q(requested_by=user) | Q(decisions__actor=user)
        from panhuo.approvals.selectors import delegated_scope_q

        q |= delegated_scope_q(user, delegations)
        return self.filter(pk__in=self.model.objects.filter(q).values("pk"))


class ApprovalRequest(models.Model):
    """One object going through one chain for one purpose."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=255)
    purpose = models.CharField(_("purpose"), max_length=32)
    amount = MoneyField(_("amount"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="approval_requests"
    )
    chain = models.ForeignKey(
        ApprovalChain,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("approval chain"),
    )
    chain_name = models.CharField(_("approval chain"), max_length=200)
    #: The chain's steps when the request started: a list of lists of role values.
    steps = models.JSONField(_("steps"), default=list)
    #: Document kinds the purpose needs on the record before the last step is approved
    #: (copied when the request starts, like the steps).
    documents = models.JSONField(_("documents needed"), default=list, blank=True)
    requested_by = actor_field(verbose_name=_("requested by"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
    )
    current_step = models.PositiveSmallIntegerField(_("current step"), default=1)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = version_field()

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name, verbose_name_plural = _("approval request"), _("approval requests")
        indexes = [models.Index(fields=["content_type", "object_id", "purpose"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose"],
                condition=Q(status="pending"),
                name="one_pending_approval_per_object_purpose",
            ),
            valid_choice("status", ApprovalStatus, name="approval_request_status_valid"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="approval_request_amount_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(current_step__gte=1), name="approval_request_step_gte_1"
            ),
            # Only a pending request is open; every other one has its closing time.
            filled_iff(
                "closed_at",
                status="pending",
                empty=True,
                name="approval_request_closed_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose_label}: {self.object_repr}"

    get_absolute_url = page_url("approval-detail")

    @property
    def purpose_label(self) -> str:
        return purpose_label(self.purpose)

    @property
    def step_count(self) -> int:
        return len(self.steps)

    def roles_of_step(self, position: int) -> list[str]:
        return list(self.steps[position - 1]) if 1 <= position <= len(self.steps) else []

    def target_url(self) -> str:
        obj = self.target
        return (
            obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        )


class ApprovalDecision(models.Model):
    """One step decided: by whom, on whose behalf (a delegation), which way and why."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.PositiveSmallIntegerField(_("step"))
    actor = actor_field(verbose_name=_("decided by"))
    on_behalf_of = actor_field(null=True, blank=True, verbose_name=_("on behalf of"))
    outcome = models.CharField(_("decision"), max_length=8, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["request", "step"]
        verbose_name = _("approval decision")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "step"], name="approval_one_decision_per_step"
            ),
            # Separation of duties, held by the database too: one person, one step.
            models.UniqueConstraint(
                fields=["request", "actor"], name="approval_one_step_per_actor"
            ),
            models.UniqueConstraint(
                fields=["request", "on_behalf_of"], name="approval_one_step_per_principal"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["approve", "reject"]), name="approval_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(on_behalf_of__isnull=True) | ~Q(on_behalf_of=F("actor")),
                name="approval_delegate_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.step}: {self.outcome}"

    get_absolute_url = page_of("request")


class DelegationQuerySet(models.QuerySet):
    def visible_to(self, user) -> DelegationQuerySet:
        """One's own delegations, given or received; readers see their jurisdictions' too."""
        if user is None or not user.is_authenticated:
            return self.none()
        q = Q(from_user=user) | Q(to_user=user)
        # Readers of a place see the delegations of the people who hold a role there now: an
        # ended assignment (kept as history) no longer makes its holder's delegations theirs.
        q |= policy.scope_q(
            user, "approval_chain", "view", path="from_user__assignments__jurisdiction__path"
        ) & Q(from_user__assignments__ended_at__isnull=True)
        return self.filter(pk__in=self.model.objects.filter(q).values("pk"))

    def active_at(self, when) -> DelegationQuerySet:
        return self.filter(revoked_at__isnull=True, starts_at__lte=when, ends_at__gt=when)


class Delegation(models.Model):
    """While ``from_user`` is away, ``to_user`` may decide their steps (of ``purposes``, or of
    every purpose when empty). Decisions record both."""

    from_user = actor_field(related_name="delegations_given", verbose_name=_("delegator"))
    to_user = actor_field(related_name="delegations_received", verbose_name=_("delegate"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name, verbose_name_plural = _("delegation"), _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="delegation_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="delegation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"

    get_absolute_url = page_url("delegation-list", None)

    def covers(self, purpose: str, when) -> bool:
        return (
            self.revoked_at is None
            and self.starts_at <= when < self.ends_at
            and (not self.purposes or purpose in self.purposes)
        )
