"""API: the classification codes (GB/T 14885 and the like) assets are classified by."""

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, require_any
from panhuo.core.schemas import ERRORS
from panhuo.register.models import ClassificationCode
from panhuo.register.schemas import (
    ClassificationFilters,
    ClassificationOut,
)

router = Router()


# --- Classification codes ------------------------------------------------------------------------


@router.get(
    "/classification-codes",
    response={200: list[ClassificationOut], **ERRORS},
    tags=["classification"],
)
@paginate(PagePagination)
def classification_index(request: HttpRequest, filters: Query[ClassificationFilters]):
    """The asset classification (GB/T 14885 or the local list), by code."""
    require_any(request, "asset", "view")
    qs = ClassificationCode.objects.select_related("parent", "edition").annotate(
        has_children=Exists(ClassificationCode.objects.filter(parent=OuterRef("pk")))
    )
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.edition:
        qs = qs.filter(edition__name=filters.edition)
    if filters.q:
        qs = qs.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    return qs.order_by("code", "pk")
