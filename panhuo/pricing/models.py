"""Price: valuations as records, the price rules of each jurisdiction, and valuation-model runs."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import (
    actor_field,
    non_negative_money,
    optional_ref,
    percent_field,
    positive_money,
    version_field,
)
from panhuo.core.links import page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing import permissions  # noqa: F401 (the policy rules of this app)
from panhuo.pricing.law import RuleClass


class ValuationKind(models.TextChoices):
    BOOK = "book", _("Book value")
    APPRAISAL = "appraisal", _("Third-party appraisal")
    AUTOMATED = "automated", _("Automated estimate")
    #: A licensed appraiser's yearly market rent of the asset (租金评估): what a lease is judged by.
    RENT = "rent", _("Rent appraisal (yearly rental value)")


class AppraisalMethod(models.TextChoices):
    MARKET = "market", _("Market comparison")
    INCOME = "income", _("Income capitalisation")
    COST = "cost", _("Replacement cost")
    RESIDUAL = "residual", _("Residual (hypothetical development)")
    BENCHMARK = "benchmark", _("Benchmark land price")
    MODEL = "model", _("Statistical model")
    OTHER = "other", _("Other")


class Valuation(policy.Scoped):
    """One value put on one asset at one date, by the book, by a licensed appraiser, or by the
    valuation model. Records are never edited: a new valuation supersedes the old one."""

    asset = models.ForeignKey(
        "register.Asset",
        on_delete=models.PROTECT,
        related_name="valuations",
        verbose_name=_("asset"),
    )
    package = optional_ref(
        "disposal.Package", related_name="valuations", verbose_name=_("asset package")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ValuationKind.choices)
    value = positive_money(_("value"))
    base_date = models.DateField(_("base date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=12, choices=AppraisalMethod.choices, blank=True
    )
    appraiser = models.CharField(_("appraiser"), max_length=200, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=64, blank=True)
    report_number = models.CharField(_("report number"), max_length=64, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    stated_error = models.DecimalField(
        _("stated error (fraction)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    model_run = optional_ref(
        "pricing.AvmRun", related_name="estimates", verbose_name=_("model run")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = actor_field(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    view_scope = policy.ViewScope(
        "valuation", "asset__unit__jurisdiction__path", unit="asset__unit"
    )

    class Meta:
        ordering = ["-base_date", "-pk"]
        verbose_name, verbose_name_plural = _("valuation"), _("valuations")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="valuation_value_gt_0"),
            models.CheckConstraint(
                condition=Q(kind__in=["book", "appraisal", "automated", "rent"]),
                name="valuation_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["appraisal", "rent"])
                | (
                    Q(valid_until__isnull=False)
                    & ~Q(appraiser="")
                    & ~Q(report_number="")
                    & ~Q(licence_number="")
                ),
                name="valuation_appraisal_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="automated") | Q(stated_error__isnull=False),
                name="valuation_automated_states_error",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("base_date")),
                name="valuation_valid_after_base",
            ),
        ]
        indexes = [models.Index(fields=["asset", "kind", "-base_date"], name="valuation_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} ({self.base_date:%Y-%m-%d})"

    get_absolute_url = page_url("valuation-detail")

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.asset.unit.jurisdiction

    def is_valid_on(self, day) -> bool:
        """An appraisal counts from its base date up to and including its last valid day."""
        return self.valid_until is None or self.base_date <= day <= self.valid_until


#: An approval lead time longer than a year is not a plan's input but a typing error.
LEAD_TIME_TOO_LONG = _(
    "An approval lead time is at most %(limit_value)s calendar days (given: %(show_value)s)."
)


class PriceRuleSet(models.Model):
    """The price thresholds of one jurisdiction for one class of assets (DESIGN.md §2 rules
    table; ``pricing.law``): administrative and public-institution assets (Decree 738),
    enterprise state assets (Order 32), land-use rights (MLR Order 39). A jurisdiction without
    its own set of a class follows its nearest ancestor's, and the class's defaults above them
    all. No threshold may be laxer than the law's minimum for the class (the service refuses
    it); ``sources`` records the legal source of a threshold set by local measures."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="price_rule_sets"
    )
    rule_class = models.CharField(
        _("rule-set class"),
        max_length=16,
        choices=RuleClass.choices,
        default=RuleClass.ENTERPRISE,
    )
    appraisal_validity_months = models.PositiveSmallIntegerField(
        _("appraisal valid for (months)"), default=12, validators=[MinValueValidator(1)]
    )
    first_listing_reserve_pct = percent_field(
        _("first listing: reserve at least this percentage of the appraisal"), "100.00", high=200
    )
    approval_floor_pct = percent_field(
        _("below this percentage of the appraisal: written approval needed"), "90.00", high=200
    )
    reappraise_after_months = models.PositiveSmallIntegerField(
        _("no buyer this many months after first disclosure: re-appraise"),
        default=12,
        validators=[MinValueValidator(1)],
    )
    disclosure_days = models.PositiveSmallIntegerField(
        _("disclosure period (working days)"), default=20
    )
    disclosure_days_physical_mid = models.PositiveSmallIntegerField(
        _("disclosure period, physical assets in the middle band (working days)"), default=10
    )
    physical_mid_from = non_negative_money(
        _("middle band from (yuan)"), default=Decimal("1000000.00")
    )
    physical_mid_to = non_negative_money(
        _("middle band up to (yuan)"), default=Decimal("10000000.00")
    )
    disclosure_days_physical_high = models.PositiveSmallIntegerField(
        _("disclosure period, physical assets above the band (working days)"), default=20
    )
    payment_full_days = models.PositiveSmallIntegerField(
        _("payment in full within (working days)"), default=5
    )
    payment_down_pct = percent_field(_("instalments: down payment at least (%)"), "30.00")
    payment_rest_months = models.PositiveSmallIntegerField(
        _("instalments: the rest within (months)"), default=12
    )
    notice_days = models.PositiveSmallIntegerField(
        _("result notice at least (working days)"), default=5
    )
    plausible_low_pct = percent_field(
        _("amounts below this percentage of the appraisal are held until confirmed"), "50.00"
    )
    plausible_high_multiple = models.DecimalField(
        _("amounts above this multiple of the appraisal are held until confirmed"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    reference_rate_pct = percent_field(
        _("deferred payments: interest at least (% a year; 1-year LPR)"), "3.00"
    )
    land_announce_days = models.PositiveSmallIntegerField(
        _("land-use rights: announcement at least (days before the listing)"), default=20
    )
    land_listing_days = models.PositiveSmallIntegerField(
        _("land-use rights: listing at least (days)"), default=10
    )
    finance_approval_above = non_negative_money(
        _("administrative assets: finance-bureau approval above (yuan)"),
        default=Decimal("1000000.00"),
    )
    # Approval lead times (issue 20): the calendar days the supervising department's approval
    # takes, and the finance bureau's above ``finance_approval_above``. No national figure;
    # the disposal plan optimiser reads them to place a package's earliest quarter.
    approval_days = models.PositiveSmallIntegerField(
        _("approval takes (calendar days)"),
        default=30,
        validators=[MaxValueValidator(365, message=LEAD_TIME_TOO_LONG)],
    )
    finance_approval_days = models.PositiveSmallIntegerField(
        _("finance-bureau approval takes (calendar days)"),
        default=60,
        validators=[MaxValueValidator(365, message=LEAD_TIME_TOO_LONG)],
    )
    sources = models.JSONField(
        _("legal sources"),
        default=dict,
        blank=True,
        help_text=_("The local source of a threshold set by local measures, by threshold."),
    )
    # Give-aways and leases (issue 12). token_price_pct: the SPC's interpretation of the Civil
    # Code's contract part (法释〔2023〕13号) art. 42 calls a price below 70 % of the market or
    # guide price "obviously unreasonable" (明显不合理的低价); below it a price or rent is a
    # give-away. lease_max_years: local rules for state assets cap a lease at 5 years in
    # principle. lease_tender_rent: no national figure (leases go to public tender "in
    # principle"); each jurisdiction sets the yearly rent above which tender is compulsory.
    token_price_pct = percent_field(
        _("below this percentage of the appraisal or appraised rent: a give-away"), "70.00"
    )
    lease_max_years = models.PositiveSmallIntegerField(
        _("lease: longest term (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(70)],
    )
    lease_tender_rent = non_negative_money(
        _("lease: public tender above this yearly rent (yuan)"), default=Decimal("100000.00")
    )
    updated_by = actor_field(null=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    class Meta:
        ordering = ["jurisdiction__path", "rule_class"]
        verbose_name, verbose_name_plural = _("price rules"), _("price rules")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "rule_class"], name="price_rules_one_per_class"
            ),
            models.CheckConstraint(
                condition=Q(rule_class__in=["administrative", "enterprise", "land"]),
                name="price_rules_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(physical_mid_to__gte=models.F("physical_mid_from")),
                name="price_rules_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(approval_days__gte=0, approval_days__lte=365),
                name="price_rules_approval_days_bounded",
            ),
            models.CheckConstraint(
                condition=Q(finance_approval_days__gte=0, finance_approval_days__lte=365),
                name="price_rules_finance_approval_days_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"Price rules ({self.rule_class}) of {self.jurisdiction}"

    def get_absolute_url(self) -> str:
        return (
            reverse("price-rules")
            + f"?jurisdiction={self.jurisdiction_id}&rule_class={self.rule_class}"
        )


class AvmRun(models.Model):
    """One training of the automated valuation model: what it learnt from, how wrong it was on
    deals it had not seen, and the fitted model itself (checked by its SHA-256 before use)."""

    jurisdiction = optional_ref(Jurisdiction, related_name="+")
    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    trained_by = actor_field(null=True, blank=True)
    method = models.CharField(_("method"), max_length=100)
    kinds = models.JSONField(_("asset kinds"), default=list)
    features = models.JSONField(_("features"), default=list)
    n_train = models.PositiveIntegerField(_("training deals"))
    n_test = models.PositiveIntegerField(_("held-out deals"))
    mape = models.DecimalField(_("mean absolute percentage error"), max_digits=9, decimal_places=4)
    median_ape = models.DecimalField(
        _("median absolute percentage error"), max_digits=9, decimal_places=4
    )
    metrics = models.JSONField(_("metrics"), default=dict)
    model_blob = models.BinaryField(editable=False)
    model_sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        verbose_name, verbose_name_plural = _("valuation model run"), _("valuation model runs")

    def __str__(self) -> str:
        return f"AVM run #{self.pk} ({self.trained_at:%Y-%m-%d %H:%M}, n={self.n_train})"

    get_absolute_url = page_url("avm-runs", None)

    def blob_intact(self) -> bool:
        return hashlib.sha256(bytes(self.model_blob)).hexdigest() == self.model_sha256
