"""The site administrator's imports of units and users, mounted at /organisation/import/."""

from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.register import org_import_views as v

urlpatterns = [
    path("units/", v.unit_import_view, name="unit-import"),
    path("users/", v.user_import_view, name="user-import"),
    *record_pages(
        "units/mappings/",
        "unit-import-mapping",
        list=v.unit_mapping_list,
        create=v.unit_mapping_edit,
        actions={"delete": v.unit_mapping_delete_view},
    ),
    path("units/mappings/<int:pk>/", v.unit_mapping_edit, name="unit-import-mapping-edit"),
    *record_pages(
        "users/mappings/",
        "user-import-mapping",
        list=v.user_mapping_list,
        create=v.user_mapping_edit,
        actions={"delete": v.user_mapping_delete_view},
    ),
    path("users/mappings/<int:pk>/", v.user_mapping_edit, name="user-import-mapping-edit"),
]
