"""Bidders' tables: the registered party (one per user) and the relations they declare.

A bidder is a person (resident ID number) or a company (unified social credit code); the
number is unique, so one party cannot register twice under two accounts. The task-force office
of the place the bidder registered with verifies them (``workflow.TRANSITIONS``); only a
verified bidder takes part in sales (``selectors.is_verified``). The bank account and the
declared relations feed the insider red flags later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import actor_field, optional_ref, version_field
from panhuo.core.links import page_url
from panhuo.organisation import policy


class BidderKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class BidderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class RelationKind(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    EMPLOYEE = "employee", _("Employee")
    SHAREHOLDER = "shareholder", _("Shareholder")


class Bidder(policy.Scoped):
    """A registered party of the public side: the user who signs in as them, who they are, how
    to reach and pay them, and whether the office has verified them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bidder"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BidderKind.choices)
    #: A person's name as on the identity card, or a company's registered name.
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    address = models.CharField(_("address"), max_length=300)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    #: The place whose task-force office verifies the bidder (they may bid anywhere).
    jurisdiction = models.ForeignKey(
        "organisation.Jurisdiction",
        on_delete=models.PROTECT,
        related_name="bidders",
        verbose_name=_("registered with"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BidderStatus.choices, default=BidderStatus.PENDING
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    #: The last decision (verify, reject, suspend, reinstate): when, by whom, why.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = actor_field(null=True, blank=True, verbose_name=_("decided by"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    version = version_field()

    view_scope = policy.ViewScope("bidder", "jurisdiction__path")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name, verbose_name_plural = _("bidder"), _("bidders")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="bidder_id_number_unique"
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="bidder_credit_code_unique",
            ),
            # A person has a resident ID and no credit code; a company the other way round.
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(id_number="") & Q(credit_code=""))
                | (Q(kind="company") & Q(id_number="") & ~Q(credit_code="")),
                name="bidder_number_matches_kind",
            ),
            valid_choice("status", BidderStatus, name="bidder_status_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="bidder_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    get_absolute_url = page_url("bidder-detail")

    @property
    def number(self) -> str:
        """The identifying number of either kind."""
        return self.id_number or self.credit_code

    @property
    def editable(self) -> bool:
        """Whether the bidder may still change their details and relations (until verified)."""
        return self.status in (BidderStatus.PENDING, BidderStatus.REJECTED)


class DeclaredRelation(models.Model):
    """A relation the bidder declares to an official or a unit: "relative of 张三, deputy
    director of the housing bureau" (``who`` in free text, ``unit`` where it names one)."""

    bidder = models.ForeignKey(Bidder, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    who = models.CharField(_("of whom"), max_length=300)
    unit = optional_ref("organisation.Unit", related_name="+", verbose_name=_("unit"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        ordering = ["bidder", "pk"]
        verbose_name, verbose_name_plural = _("declared relation"), _("declared relations")
        constraints = [
            valid_choice("kind", RelationKind, name="relation_kind_valid"),
            models.CheckConstraint(condition=~Q(who=""), name="relation_who_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.who}"

    def get_absolute_url(self) -> str:
        return self.bidder.get_absolute_url()
