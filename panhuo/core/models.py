"""Things every section shares: a user's saved filters and the working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """A named list query (the URL's query string) a user keeps for a list page."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    target = models.CharField(_("list"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner", "target", "name"]
        verbose_name = _("saved filter")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "target", "name"], name="saved_filter_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from panhuo.core.lists import registry  # the lists are declared by the apps above

        url = reverse(registry()[self.target].url_name)
        return url + (f"?{self.query}" if self.query else "")


class CalendarNotice(models.Model):
    """A year's calendar as an authority published it: the State Council's annual notice of
    public holidays and adjusted working days (national, ``jurisdiction`` empty) or a local
    one. Its days are ``CalendarDay`` rows; while neither the calendar library nor a notice
    covers a year, deadlines counted in it are provisional (``core.workdays``)."""

    year = models.PositiveSmallIntegerField(_("year"))
    jurisdiction = models.ForeignKey(
        "organisation.Jurisdiction",
        on_delete=models.CASCADE,
        related_name="calendar_notices",
        null=True,
        blank=True,
        help_text=_("Empty: the national calendar."),
    )
    source = models.CharField(
        _("source"), max_length=200, help_text=_("The notice's title or document number.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "jurisdiction__path"]
        verbose_name = _("calendar notice")
        verbose_name_plural = _("calendar notices")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "jurisdiction"], name="calendar_notice_unique_per_jurisdiction"
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(jurisdiction__isnull=True),
                name="calendar_notice_unique_national",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2100),
                name="calendar_notice_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"

    def get_absolute_url(self) -> str:
        return reverse("calendar") + f"?year={self.year}"


class CalendarDay(models.Model):
    """A working day or holiday over the library's national calendar: national (no
    jurisdiction) or a jurisdiction's own.

    For a local holiday, or next year's shifted days before the calendar library has them.
    A jurisdiction's day applies to it and everything below it; a nearer jurisdiction wins,
    and any jurisdiction's day wins over a national one.
    """

    jurisdiction = models.ForeignKey(
        "organisation.Jurisdiction",
        on_delete=models.CASCADE,
        related_name="calendar_days",
        null=True,
        blank=True,
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    notice = models.ForeignKey(
        CalendarNotice,
        on_delete=models.CASCADE,
        related_name="days",
        null=True,
        blank=True,
        verbose_name=_("notice"),
    )

    class Meta:
        ordering = ["jurisdiction__path", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "date"], name="calendar_day_unique_per_jurisdiction"
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(jurisdiction__isnull=True),
                name="calendar_day_unique_national",
            ),
        ]

    def __str__(self) -> str:
        kind = _("working day") if self.working else _("holiday")
        return f"{self.date.isoformat()} {kind}"

    def get_absolute_url(self) -> str:
        return reverse("calendar") + f"?year={self.date.year}"
