"""The asset register: every asset of every holding unit."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import non_negative_money, optional_ref, version_field
from panhuo.core.links import page_of, page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Unit


class AssetKind(models.TextChoices):
    LAND = "land", _("Land-use right")
    BUILDING = "building", _("Building")
    VEHICLE = "vehicle", _("Vehicle")
    EQUIPMENT = "equipment", _("Equipment")
    EQUITY = "equity", _("Equity stake")
    OPERATING_RIGHT = "operating_right", _("Operating / franchise right")
    NATURAL_RESOURCE = "natural_resource", _("Natural-resource right")
    DATA = "data", _("Data asset")
    RECEIVABLE = "receivable", _("Receivable / idle fund")


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    IDLE = "idle", _("Idle")
    UNDER_USED = "under_used", _("Under-used")
    LEASED_OUT = "leased_out", _("Leased out")
    OCCUPIED = "occupied", _("Occupied without contract")
    DISPOSED = "disposed", _("Disposed")
    #: Scrapped, lost or written off (报废、报损、核销): gone from the holdings like a disposed
    #: asset, but for no price, so that reports tell it from a sale.
    WRITTEN_OFF = "written_off", _("Scrapped or written off")


class Criticality(models.TextChoices):
    ESSENTIAL = "essential", _("Essential public service")
    SUPPORTING = "supporting", _("Supporting")
    NON_ESSENTIAL = "non_essential", _("Non-essential")


def _coordinate(verbose_name, limit: int) -> models.DecimalField:
    """A latitude or longitude in degrees (WGS 84, six decimals: about 10 cm), optional, from
    ``-limit`` to ``limit``."""
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
    )


#: Statuses of assets that have left the holdings for good: nothing brings them back.
GONE_STATUSES = frozenset({AssetStatus.DISPOSED, AssetStatus.WRITTEN_OFF})


class ClassificationEdition(models.Model):
    """Which list the classification codes come from ("GB/T 14885-2022", "GB/T 14885-2010", a
    province's supplement): a register must say which edition its codes follow, since the
    2010 and 2022 editions number the same things differently. One record per edition loaded;
    a code points at the edition that last wrote it."""

    name = models.CharField(_("edition"), max_length=100, unique=True)
    source = models.CharField(_("loaded from"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.CharField(_("loaded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-loaded_at", "name"]
        verbose_name = _("classification edition")
        verbose_name_plural = _("classification editions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="classification_edition_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("classification-list") + f"?edition={self.pk}"


class ClassificationCode(models.Model):
    """One node of a hierarchical asset classification (GB/T 14885 in China; other places
    load their own list). Loaded from a file; the top levels ship as seed data."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = optional_ref("self", related_name="children")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    edition = optional_ref(ClassificationEdition, related_name="codes", verbose_name=_("edition"))

    class Meta:
        ordering = ["code"]
        verbose_name, verbose_name_plural = _("classification code"), _("classification codes")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="classification_code_not_blank"),
            models.CheckConstraint(condition=Q(level__gte=1), name="classification_level_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("asset-list") + f"?classification={self.code}"


class Asset(policy.Scoped):
    code = models.CharField(_("asset code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assets", verbose_name=_("holding unit")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = _coordinate(_("latitude"), 90)
    longitude = _coordinate(_("longitude"), 180)
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    book_value = non_negative_money(_("book value (cost)"), default=Decimal("0.00"))
    appraised_value = non_negative_money(_("appraised value"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_USE
    )
    criticality = models.CharField(
        _("criticality"),
        max_length=16,
        choices=Criticality.choices,
        default=Criticality.NON_ESSENTIAL,
    )
    classification = optional_ref(
        ClassificationCode, related_name="assets", verbose_name=_("classification")
    )
    certificate_number = models.CharField(_("title certificate number"), max_length=64, blank=True)
    title_complete = models.BooleanField(_("title complete"), default=False)
    idle_since = models.DateField(_("idle since"), null=True, blank=True)
    accumulated_depreciation = non_negative_money(
        _("accumulated depreciation"), default=Decimal("0.00")
    )
    annual_income = non_negative_money(_("annual income"), default=Decimal("0.00"))
    annual_holding_cost = non_negative_money(_("annual holding cost"), default=Decimal("0.00"))
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    view_scope = policy.ViewScope("asset", "unit__jurisdiction__path", unit="unit")

    class Meta:
        ordering = ["code"]
        verbose_name, verbose_name_plural = _("asset"), _("assets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="asset_unit_code_unique"),
            models.CheckConstraint(condition=Q(book_value__gte=0), name="asset_book_value_gte_0"),
            models.CheckConstraint(
                condition=Q(appraised_value__isnull=True) | Q(appraised_value__gte=0),
                name="asset_appraised_value_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(area__gte=0), name="asset_area_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="asset_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="asset_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(accumulated_depreciation__gte=0)
                & Q(accumulated_depreciation__lte=models.F("book_value")),
                name="asset_depreciation_within_cost",
            ),
            models.CheckConstraint(
                condition=Q(annual_income__gte=0) & Q(annual_holding_cost__gte=0),
                name="asset_income_cost_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="asset_kind_status_idx"),
            models.Index(fields=["idle_since"], name="asset_idle_since_idx"),
            models.Index(fields=["status"], name="asset_status_idx"),
            # Covering (PostgreSQL): the dashboard's summary of a place's assets by status and
            # kind reads the index alone (bench/province.py: 66 ms to 22 ms for a district).
            models.Index(
                fields=["unit"], include=["status", "kind", "book_value"], name="asset_unit_cover"
            ),
            # The lists' and the export's default order (code, then id): a page of the list
            # reads its 50 rows in order and stops, instead of sorting every row in scope.
            models.Index(fields=["code", "id"], name="asset_code_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    get_absolute_url = page_url("asset-detail")

    @property
    def jurisdiction(self):
        return self.unit.jurisdiction

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        from panhuo.register.attributes import clean_attributes

        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        for name in ("acquired_on", "idle_since"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = [str(_("This date is in the future."))]
        if (
            self.book_value is not None
            and self.accumulated_depreciation is not None
            and self.accumulated_depreciation > self.book_value
        ):
            errors["accumulated_depreciation"] = [
                str(_("Accumulated depreciation cannot exceed the book value (cost)."))
            ]
        if errors:
            raise ValidationError(errors)
        self.attributes = clean_attributes(self.kind, self.attributes)

    # Derived figures: computed from the stored ones, never stored twice.

    @property
    def net_book_value(self) -> Decimal:
        return (self.book_value or Decimal(0)) - (self.accumulated_depreciation or Decimal(0))

    def months_idle(self, on=None) -> int | None:
        """Whole months since the asset became idle (None when it is not idle)."""
        from django.utils import timezone

        if not self.idle_since or self.status not in (AssetStatus.IDLE, AssetStatus.UNDER_USED):
            return None
        on = on or timezone.localdate()
        months = (on.year - self.idle_since.year) * 12 + on.month - self.idle_since.month
        if on.day < self.idle_since.day:
            months -= 1
        return max(months, 0)

    @property
    def income_yield(self) -> Decimal | None:
        """Net annual income over the appraised value (or net book value), as a fraction."""
        base = self.appraised_value or self.net_book_value
        if not base:
            return None
        net = (self.annual_income or Decimal(0)) - (self.annual_holding_cost or Decimal(0))
        return (net / base).quantize(Decimal("0.0001"))


class Encumbrance(models.Model):
    """A charge on an asset: a mortgage, pledge, seizure, lawsuit or lease that limits sale."""

    class Kind(models.TextChoices):
        MORTGAGE = "mortgage", _("Mortgage")
        PLEDGE = "pledge", _("Pledge")
        SEIZURE = "seizure", _("Seizure")
        LAWSUIT = "lawsuit", _("Lawsuit")
        LEASE = "lease", _("Lease")
        OTHER = "other", _("Other")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="encumbrances")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    holder = models.CharField(_("holder"), max_length=200)
    amount = non_negative_money(_("amount"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["asset", "kind", "pk"]
        verbose_name, verbose_name_plural = _("encumbrance"), _("encumbrances")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="encumbrance_amount_gte_0",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.holder}"

    get_absolute_url = page_of("asset")


from panhuo.register.import_models import ImportMapping, ImportRun  # noqa: E402, F401
from panhuo.register.rollup_models import AssetPlaceRollup, AssetRollup  # noqa: E402, F401
from panhuo.register.scope_models import (  # noqa: E402, F401
    ScopeDecision,
    ScopeDecisionItem,
    ScopeRuleSet,
)
