"""Asset packages and the disposal projects that take them to market."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core import workdays
from panhuo.core.constraints import valid_choice
from panhuo.core.fields import actor_field, non_negative_money, optional_ref, version_field
from panhuo.core.links import page_of, page_url
from panhuo.core.rollups import row_meta
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.organisation.rollups import PlaceRollupRow
from panhuo.register.models import Asset


class Channel(models.TextChoices):
    AUCTION = "auction", _("Public auction")
    EXCHANGE = "exchange", _("Exchange listing")
    NEGOTIATED = "negotiated", _("Negotiated transfer")
    LEASE = "lease", _("Lease-out")
    SOE_TRANSFER = "soe_transfer", _("Transfer to a state-owned company")
    DEBT_SWAP = "debt_swap", _("Debt-for-asset swap")
    SECURITISATION = "securitisation", _("Securitisation / REIT")
    CONCESSION = "concession", _("Operating concession")
    FREE_TRANSFER = "free_transfer", _("Free transfer between state entities")
    SCRAP = "scrap", _("Scrapping")
    LOSS = "loss", _("Loss write-down")
    WRITE_OFF = "write_off", _("Write-off")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    LISTED = "listed", _("Listed")
    CONCLUDED = "concluded", _("Concluded")
    PAID = "paid", _("Paid in full")
    PUBLISHED = "published", _("Result published")
    IN_FORCE = "in_force", _("Contract in force")
    IN_ARREARS = "in_arrears", _("In arrears")
    ENDED = "ended", _("Contract ended")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Channels in which the asset leaves for no price (无偿划转, 报废, 报损, 核销): their deal price
#: and reserve are zero, and no money is expected from them.
ZERO_PRICE_CHANNELS = frozenset({"free_transfer", "scrap", "loss", "write_off"})
#: Zero-price channels with no counterparty (the asset is destroyed, lost or written off).
NO_COUNTERPARTY_CHANNELS = frozenset({"scrap", "loss", "write_off"})


class Package(policy.Scoped):
    """A lot: assets offered together through one channel. Its figures come from its assets."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISPOSED = "disposed", _("Disposed")
        DISSOLVED = "dissolved", _("Dissolved")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="packages"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    # A unit asset officer sees the packages that hold any of their unit's assets.
    view_scope = policy.ViewScope(
        "package", "jurisdiction__path", unit="items__asset__unit", distinct=True
    )

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name, verbose_name_plural = _("asset package"), _("asset packages")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "disposed", "dissolved"]),
                name="package_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    get_absolute_url = page_url("package-detail")


class PackageItem(models.Model):
    """An asset in a package. ``live`` mirrors the package being open, so that the database
    itself can refuse an asset in two live packages (a partial unique index)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="package_items")
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["package", "asset__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"], condition=Q(live=True), name="asset_in_one_live_package"
            ),
            models.UniqueConstraint(fields=["package", "asset"], name="package_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.package.code} / {self.asset.code}"

    get_absolute_url = page_of("package")


class DisposalProject(policy.Scoped):
    """One package taken through one channel, as an explicit state machine (see workflow)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="projects")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reserve_price = non_negative_money(_("reserve price"))
    deal_price = non_negative_money(_("deal price"), null=True, blank=True)
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    #: The buyer as a registered party (a bidder who won at auction or on an exchange); ``buyer``
    #: then repeats their name. Empty for a buyer named in free text.
    buyer_party = optional_ref(
        "bidders.Bidder", related_name="purchases", verbose_name=_("buyer (registered party)")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    created_by = actor_field()
    submitted_by = actor_field(null=True, blank=True)
    approved_by = actor_field(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    #: When the project entered its current state, and the date that state's time limit ends
    #: (disclosure, payment, signing, result notice, contract term), if it has one.
    state_since = models.DateField(_("in this state since"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    #: The day the result notice went up (auction, exchange): the notice period counts from it.
    result_published_on = models.DateField(_("result notice published on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    view_scope = policy.ViewScope(
        "project", "package__jurisdiction__path", unit="package__items__asset__unit", distinct=True
    )

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name, verbose_name_plural = _("disposal project"), _("disposal projects")
        constraints = [
            # Zero only in the channels that give no price (free transfer, scrap, loss,
            # write-off); every other channel keeps a reserve above zero.
            models.CheckConstraint(
                condition=Q(reserve_price__gt=0)
                | (Q(channel__in=sorted(ZERO_PRICE_CHANNELS)) & Q(reserve_price=0)),
                name="project_reserve_gt_0",
            ),
            valid_choice("status", ProjectStatus, name="project_status_valid"),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        "concluded",
                        "paid",
                        "published",
                        "in_force",
                        "in_arrears",
                        "ended",
                        "closed",
                    ]
                )
                | (Q(deal_price__gt=0) & ~Q(buyer=""))
                | (Q(channel="free_transfer") & Q(deal_price=0) & ~Q(buyer=""))
                | (Q(channel__in=sorted(NO_COUNTERPARTY_CHANNELS)) & Q(deal_price=0)),
                name="project_after_deal_has_deal",
            ),
            models.UniqueConstraint(
                fields=["package"],
                condition=~Q(status="withdrawn"),
                name="one_active_project_per_package",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    get_absolute_url = page_url("project-detail")

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.package.jurisdiction

    @property
    def due_provisional(self) -> bool:
        """Whether ``due_on`` was counted through a year whose working-day calendar is not
        published yet (no library calendar, no loaded notice): it may move (core.workdays)."""
        if self.due_on is None:
            return False
        start = self.state_since or self.due_on
        if workdays.library_covers(start, self.due_on):
            return False
        return workdays.provisional(start, self.due_on, jurisdiction=self.package.jurisdiction)

    def locked(self) -> DisposalProject:
        """The project read again under a row lock (with its package's jurisdiction), for a
        write that depends on its state. Inside the write's transaction."""
        return (
            type(self)
            .objects.select_for_update()
            .select_related("package__jurisdiction")
            .get(pk=self.pk)
        )

    @property
    def zero_price(self) -> bool:
        return self.channel in ZERO_PRICE_CHANNELS

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.zero_price and self.reserve_price not in (None, Decimal(0)):
            raise ValidationError(
                {"reserve_price": _("A free transfer, scrapping, loss or write-off has no price: "
                                    "its reserve is 0.")}
            )  # fmt: skip
        if not self.zero_price and self.reserve_price is not None and self.reserve_price <= 0:
            raise ValidationError({"reserve_price": _("The reserve price must be above zero.")})


class ProjectEvent(models.Model):
    """Each transition taken, with who, when and the comment, for the project's timeline."""

    project = models.ForeignKey(DisposalProject, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, choices=ProjectStatus.choices)
    to_status = models.CharField(max_length=12, choices=ProjectStatus.choices)
    actor = actor_field()
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_status} → {self.to_status}"

    get_absolute_url = page_of("project")


from panhuo.disposal.channel_models import (  # noqa: E402, F401
    ChannelTerms,
    Contract,
    ContractRenewal,
    ListingRound,
    Tranche,
)


class ProjectRollup(PlaceRollupRow):
    """Disposal projects per jurisdiction (their package's) and state, kept by the services in
    the same transaction as each project's creation and transition (README, "Roll-ups")."""

    status = models.CharField(_("status"), max_length=20)
    n = models.BigIntegerField(_("projects"), default=0)

    Meta = row_meta(
        _("project roll-up"),
        _("project roll-ups"),
        ["jurisdiction", "status"],
        "project_rollup_key",
    )
