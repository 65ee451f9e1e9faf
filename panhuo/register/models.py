"""The asset register: every asset of every holding unit."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import MoneyField
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


class Criticality(models.TextChoices):
    ESSENTIAL = "essential", _("Essential public service")
    SUPPORTING = "supporting", _("Supporting")
    NON_ESSENTIAL = "non_essential", _("Non-essential")


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssetQuerySet:
        return self.filter(
            policy.scope_q(user, "asset", "view", path="unit__jurisdiction__path", unit="unit")
        )


class Asset(models.Model):
    code = models.CharField(_("asset code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assets", verbose_name=_("holding unit")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    book_value = MoneyField(
        _("book value"), default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    appraised_value = MoneyField(
        _("appraised value"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssetStatus.choices, default=AssetStatus.IN_USE
    )
    criticality = models.CharField(
        _("criticality"),
        max_length=16,
        choices=Criticality.choices,
        default=Criticality.NON_ESSENTIAL,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
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
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="asset_kind_status_idx"),
            models.Index(fields=["status"], name="asset_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("asset-detail", args=[self.pk])

    @property
    def jurisdiction(self):
        return self.unit.jurisdiction
