"""The classification list page: every code with its level, parent and the edition it comes
from, so that a register's codes can be read against the right edition of GB/T 14885."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render

from panhuo.core.ui import section_required
from panhuo.register.models import Asset, ClassificationCode, ClassificationEdition

PAGE_SIZE = 200


@section_required("asset")
def classification_list(request):
    """The code list (searchable, by edition), headed by the editions it holds."""
    editions = ClassificationEdition.objects.annotate(n=Count("codes")).order_by("-n", "name")
    qs = ClassificationCode.objects.select_related("edition", "parent")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name__icontains=q))
    edition = request.GET.get("edition", "")
    if edition.isdigit():
        qs = qs.filter(edition_id=int(edition))
    page = Paginator(qs.order_by("code", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # How many of the reader's own assets each code holds (only those they may see).
    counts = dict(
        Asset.objects.visible_to(request.user)
        .filter(classification__in=[c.pk for c in page])
        .values_list("classification")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code in page:
        code.assets_n = counts.get(code.pk, 0)
    return render(
        request,
        "register/classification_list.html",
        {
            "editions": editions,
            "unversioned": ClassificationCode.objects.filter(edition__isnull=True).count(),
            "page": page,
            "q": q,
            "edition": edition,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )
