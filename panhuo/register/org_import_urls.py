"""The site administrator's imports of holding units and users (org_import.py), mounted at
/organisation/import/: the upload pages and their saved column mappings, on the register's
import pages. A run is followed on the register's run page, where a users import's one-time
passwords are shown once."""

from panhuo.core.ui import section_required
from panhuo.register.import_routes import import_routes

FORM = "register/org_import_form.html"

urlpatterns = [
    *import_routes("units/", "units", section_required("organisation", "manage"), FORM),
    *import_routes("users/", "users", section_required("user", "manage"), FORM),
]
