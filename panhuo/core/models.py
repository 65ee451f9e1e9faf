"""Things every section shares: a user's saved filters and the working-day calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.links import page_of


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


class CalendarDay(models.Model):
    """A jurisdiction's own working day or holiday, over the national calendar.

    For a local holiday, or next year's shifted days before the calendar library has them.
    The day applies to the jurisdiction and everything below it; a nearer jurisdiction wins.
    """

    jurisdiction = models.ForeignKey(
        "organisation.Jurisdiction", on_delete=models.CASCADE, related_name="calendar_days"
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["jurisdiction__path", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "date"], name="calendar_day_unique_per_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        kind = _("working day") if self.working else _("holiday")
        return f"{self.date.isoformat()} {kind}"

    get_absolute_url = page_of("jurisdiction")
