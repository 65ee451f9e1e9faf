from panhuo.core.routes import record_pages
from panhuo.integrity import views

urlpatterns = record_pages(
    "", "audit", list=views.audit_list_view, pages={"verify": views.audit_verify_view}
)
