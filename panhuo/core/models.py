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


def _place(related_name: str, **kwargs) -> models.ForeignKey:
    """The jurisdiction a calendar row applies in (and below it); empty: the whole country."""
    return models.ForeignKey(
        "organisation.Jurisdiction",
        on_delete=models.CASCADE,
        related_name=related_name,
        null=True,
        blank=True,
        **kwargs,
    )


def _one_per_place(prefix: str, fields: list[str], key: str) -> list[models.UniqueConstraint]:
    """One row per ``key`` in each jurisdiction, and one national: a unique constraint over a
    nullable column lets NULLs repeat, so the national rows need a partial one of their own."""
    return [
        models.UniqueConstraint(fields=fields, name=f"{prefix}_unique_per_jurisdiction"),
        models.UniqueConstraint(
            fields=[key],
            condition=models.Q(jurisdiction__isnull=True),
            name=f"{prefix}_unique_national",
        ),
    ]


#: One notice a year in each place, for a year the dates can hold.
_NOTICE_RULES = [
    *_one_per_place("calendar_notice", ["year", "jurisdiction"], "year"),
    models.CheckConstraint(
        condition=models.Q(year__gte=1900, year__lte=2100), name="calendar_notice_year_in_range"
    ),
]


class _OnTheCalendarPage:
    """A calendar row's page is the calendar of its year."""

    def get_absolute_url(self) -> str:
        return reverse("calendar") + f"?year={self.calendar_year}"


class CalendarNotice(_OnTheCalendarPage, models.Model):
    """A year's calendar as an authority published it: the State Council's annual notice of
    public holidays and adjusted working days (national, ``jurisdiction`` empty) or a local
    one. Its days are ``CalendarDay`` rows; while neither the calendar library nor a notice
    covers a year, deadlines counted in it are provisional (``core.workdays``)."""

    year = models.PositiveSmallIntegerField(_("year"))
    jurisdiction = _place("calendar_notices", help_text=_("Empty: the national calendar."))
    source = models.CharField(
        _("source"), max_length=200, help_text=_("The notice's title or document number.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "jurisdiction__path"]
        verbose_name, verbose_name_plural = _("calendar notice"), _("calendar notices")
        constraints = _NOTICE_RULES

    def __str__(self) -> str:
        return f"{self.year} {self.source}"

    @property
    def calendar_year(self) -> int:
        return self.year


class CalendarDay(_OnTheCalendarPage, models.Model):
    """A working day or holiday over the library's national calendar: national (no
    jurisdiction) or a jurisdiction's own.

    For a local holiday, or next year's shifted days before the calendar library has them.
    A jurisdiction's day applies to it and everything below it; a nearer jurisdiction wins,
    and any jurisdiction's day wins over a national one.
    """

    jurisdiction = _place("calendar_days")
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
        verbose_name, verbose_name_plural = _("calendar day"), _("calendar days")
        constraints = _one_per_place("calendar_day", ["jurisdiction", "date"], "date")

    def __str__(self) -> str:
        kind = _("working day") if self.working else _("holiday")
        return f"{self.date.isoformat()} {kind}"

    @property
    def calendar_year(self) -> int:
        return self.date.year
