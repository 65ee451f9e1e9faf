"""The pages of a kind of record, by the one URL convention every app follows.

Under a prefix (``"debts/"``) and a name (``"debt"``) a kind of record has, each only if its
view is given:

=======================  =========================  ==================
path                     URL name                   keyword
=======================  =========================  ==================
``debts/``               ``debt-list``              ``list``
``debts/export.csv``     ``debt-export``            ``export``
``debts/new/``           ``debt-create``            ``create``
``debts/<slug>/``        ``debt-<slug>``            ``pages={slug: view}``
``debts/<int:pk>/``      ``debt-detail``            ``detail``
``debts/<int:pk>/edit/`` ``debt-edit``              ``edit``
``debts/<int:pk>/<a>/``  ``debt-<a>``               ``actions={a: view}``
=======================  =========================  ==================

so an app's ``urls.py`` declares which pages a record has, and a page that departs from the
convention stays an ordinary ``path(...)`` beside them. The prefix may hold the key of the
record a new one is made under (``"projects/<int:project_pk>/receipts/"``, ``create=``)::

    urlpatterns = [
        *record_pages("debts/", "debt", list=views.debt_list_view, detail=views.debt_detail),
        path("risk/", views.risk_view, name="risk-indicators"),
    ]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.urls import URLPattern, path

View = Callable[..., object]


def record_pages(
    prefix: str,
    name: str,
    *,
    list: View | None = None,
    export: View | None = None,
    create: View | None = None,
    pages: Mapping[str, View] | None = None,
    detail: View | None = None,
    edit: View | None = None,
    actions: Mapping[str, View] | None = None,
) -> list[URLPattern]:
    """The ``path()``s of the record kind ``name`` under ``prefix`` (``""`` or ending in
    ``/``), in the order of the table above."""
    routes: list[tuple[str, View | None, str]] = [
        ("", list, "list"),
        ("export.csv", export, "export"),
        ("new/", create, "create"),
        *((f"{slug}/", view, slug) for slug, view in (pages or {}).items()),
        ("<int:pk>/", detail, "detail"),
        ("<int:pk>/edit/", edit, "edit"),
        *((f"<int:pk>/{slug}/", view, slug) for slug, view in (actions or {}).items()),
    ]
    return [
        path(prefix + route, view, name=f"{name}-{suffix}")
        for route, view, suffix in routes
        if view is not None
    ]
