"""The pages of one import (assets, debts, units, users) as URL patterns: its upload page and
its saved mappings' list, edit and delete pages, named as ``MAPPING_PAGES`` says, behind the
section check of whoever may run that import."""

from __future__ import annotations

from django.urls import URLPattern, path

from panhuo.core.routes import record_pages
from panhuo.register.import_mapping_views import mapping_pages
from panhuo.register.import_views import MAPPING_PAGES, upload_page


def import_routes(
    prefix: str, target: str, required, template: str = "register/import_form.html"
) -> list[URLPattern]:
    """The upload page at ``prefix`` (the form ``template``), the mappings under
    ``prefix/mappings/``; a mapping's own page is its edit form."""
    pages = MAPPING_PAGES[target]
    name = pages["list"].removesuffix("-list")

    def upload(request):
        return upload_page(request, target, template)

    listing, edit, delete = mapping_pages(target, required)
    return [
        path(prefix, required(upload), name=pages["upload"]),
        *record_pages(
            f"{prefix}mappings/", name, list=listing, create=edit, actions={"delete": delete}
        ),
        path(f"{prefix}mappings/<int:pk>/", edit, name=f"{name}-edit"),
    ]
