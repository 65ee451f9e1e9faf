"""The site administrator's bulk imports of holding units and users (org_import.py): the upload
pages and their saved column mappings, on the register's import pages. A run is followed on the
register's run page, where a users import's one-time passwords are shown once."""

from __future__ import annotations

from panhuo.core.ui import section_required
from panhuo.register.import_mapping_views import mapping_pages
from panhuo.register.import_views import _upload

units_required = section_required("organisation", "manage")
users_required = section_required("user", "manage")


@units_required
def unit_import_view(request):
    """Upload a file of holding units (credit code, name, kind, jurisdiction, supervisor)."""
    return _upload(request, "units", "register/org_import_form.html")


@users_required
def user_import_view(request):
    """Upload a file of users (username, name, email, role over a jurisdiction or unit)."""
    return _upload(request, "users", "register/org_import_form.html")


unit_mapping_list, unit_mapping_edit, unit_mapping_delete_view = mapping_pages(
    "units", units_required
)
user_mapping_list, user_mapping_edit, user_mapping_delete_view = mapping_pages(
    "users", users_required
)
