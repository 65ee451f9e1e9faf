"""A model's ``get_absolute_url``, for the two ways most models answer it: the page a URL name
names (given the row's id, another of its attributes, or nothing), or the page of the record
the row belongs to (a listing round shows on its project's page)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from django.urls import reverse


def page_url(url_name: str, attr: str | None = "pk") -> Callable[..., str]:
    """``get_absolute_url = page_url("debt-detail")``: ``reverse(url_name, args=[self.pk])``;
    ``attr`` names another attribute for the argument (``"debt_id"``), None no argument."""

    def get_absolute_url(self) -> str:
        return reverse(url_name, args=[attrgetter(attr)(self)] if attr else None)

    return get_absolute_url


def page_of(path: str) -> Callable[..., str]:
    """``get_absolute_url = page_of("project")``: the page of the record ``path`` (dotted)
    leads to."""

    def get_absolute_url(self) -> str:
        return attrgetter(path)(self).get_absolute_url()

    return get_absolute_url
