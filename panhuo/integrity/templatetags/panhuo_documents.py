"""``{% documents_panel record %}``: the Documents panel of any record that may hold them.

The tag computes what it shows from the request's user, so a detail view needs no change.
"""

from django import template
from django.urls import reverse

from panhuo.integrity.document_forms import DocumentUploadForm
from panhuo.integrity.document_registry import may_upload, target_of
from panhuo.integrity.document_selectors import documents_for

register = template.Library()


@register.inclusion_tag("integrity/_documents_panel.html", takes_context=True)
def documents_panel(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    spec = target_of(record)
    can_upload = may_upload(user, record)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "documents": list(documents_for(user, record)),
        "can_upload": can_upload,
        "form": DocumentUploadForm(auto_id="doc_%s") if can_upload else None,
        "upload_url": reverse("document-upload", args=[spec.key, record.pk]),
    }
