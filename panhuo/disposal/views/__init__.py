"""Pages of packages and disposal projects. Only the transitions the user may take are shown.

One module per thing the pages serve: ``packages`` (and package suggestions), ``projects`` and
``board`` (overdue deadlines, the project board); urls.py names the views through this module.
"""

from panhuo.disposal.views.board import board_view, overdue_view
from panhuo.disposal.views.packages import (
    package_add_assets_view,
    package_create_view,
    package_detail,
    package_from_suggestion_view,
    package_list_view,
    package_remove_asset_view,
    package_suggestions_view,
)
from panhuo.disposal.views.projects import (
    project_create_view,
    project_detail,
    project_list_view,
    project_price_exception_view,
    project_transition_view,
)

__all__ = [
    "board_view",
    "overdue_view",
    "package_add_assets_view",
    "package_create_view",
    "package_detail",
    "package_from_suggestion_view",
    "package_list_view",
    "package_remove_asset_view",
    "package_suggestions_view",
    "project_create_view",
    "project_detail",
    "project_list_view",
    "project_price_exception_view",
    "project_transition_view",
]
