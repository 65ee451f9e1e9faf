"""The public pages: notices with search and filters, one notice, announcements, the language
switch; and the office's two pages (an announcement, a listing's terms).

The public pages need no sign-in, show no staff navigation nor anything of who is signed in,
read only the portal's tables (``selectors``), and may be cached briefly by browsers and
proxies (they vary by language)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import form_write, paginate, section_required
from panhuo.integrity.document_files import read_verified
from panhuo.integrity.document_models import Document
from panhuo.organisation import policy
from panhuo.portal import selectors, services
from panhuo.portal.forms import AnnouncementForm, NoticeSearchForm, NoticeTermsForm
from panhuo.portal.models import NoticeKind

#: Notices per page of the search (a bounded page: the query count does not grow with rows).
PAGE_SIZE = 20
#: How long a browser or a proxy may keep a public page (seconds).
MAX_AGE = 60


def public(view):
    """A public page: anyone may read it; briefly cacheable, varying by language."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated:
            # A signed-in officer sees the office's links (correct, announce): not for caches.
            patch_cache_control(response, private=True, no_cache=True)
        elif response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_safe(wrapped)


def _english() -> bool:
    return not translation.get_language().startswith("zh")


def _place(notice) -> str:
    return notice.data.get("place_en" if _english() else "place") or ""


class NoticeList(ObjectList):
    """The notices through the one list component (search, filters by place, kind, price and
    status, sort, pages, export), in the portal's own plain page. It has no saved-filter
    target (the public does not sign in) and no section: anyone reads it (``public``). Its
    columns, and so its export, are published values only: the notice's own columns, copied
    from what it published, and ``Notice.data``."""

    url_name, template = "portal-notices", "portal/notice_list.html"
    filter_form, per_page = NoticeSearchForm, PAGE_SIZE
    rows, orderings = selectors.notice_rows, selectors.NOTICE_ORDERINGS
    default_sort, export_name = selectors.NOTICE_SORT, "notices"
    columns = [
        Column("code", gettext_lazy("Notice number")),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("state", gettext_lazy("Status"), "get_state_display"),
        Column("title", gettext_lazy("Title")),
        Column("place", gettext_lazy("Place"), _place),
        Column("price", gettext_lazy("Starting or deal price"), numeric=True, money=True),
        Column(
            "appraisal",
            gettext_lazy("Appraisal"),
            lambda n: n.data.get("appraisal"),
            numeric=True,
            money=True,
        ),
        Column("published", gettext_lazy("Published on"), "starts_on"),
        Column("ends", gettext_lazy("Period ends"), "ends_on"),
    ]

    def form(self):
        return NoticeSearchForm(
            self.request.GET or None, places=selectors.places(), english=_english()
        )

    def extra_context(self, qs) -> dict:
        return {"today": timezone.localdate()}


@public
def notice_list(request):
    """The notices, newest first, with search and filters by place, kind, price and status,
    sorts and an export of the published fields (``?export=csv`` or ``xlsx``)."""
    return NoticeList(request).dispatch()


@public
def notice_detail(request, code: str):
    notice = selectors.notice(code)
    return render(
        request,
        "portal/notice_detail.html",
        {
            "notice": notice,
            "d": notice.data,
            "listing": notice.kind == NoticeKind.LISTING,
            "days_left": selectors.working_days_left(notice),
            "revisions": selectors.revisions(notice),
            "related": selectors.other_notices(notice),
            "auction": selectors.live_auction(notice),
            "today": timezone.localdate(),
            "may_correct": notice.kind == NoticeKind.LISTING
            and policy.allowed(request.user, "notice", "correct", jurisdiction=notice.jurisdiction),
        },
    )


@public
def announcement_list(request):
    page = paginate(request, selectors.announcements(), per_page=PAGE_SIZE)
    return render(
        request,
        "portal/announcement_list.html",
        {"page": page, "may_announce": policy.can_any(request.user, "announcement", "publish")},
    )  # fmt: skip


@public
def announcement_detail(request, pk: int):
    return render(
        request, "portal/announcement_detail.html",
        {"item": selectors.announcement(pk)},
    )  # fmt: skip


@require_safe
def language(request):
    """Switch the portal's language (a link, so that the public pages carry no form and no
    CSRF cookie and stay cacheable): kept in the language cookie."""
    from django.conf import settings

    code = request.GET.get("lang", "")
    target = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith(("/public/", "/open-data/")):
        target = "/public/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
    return response


@section_required("announcement", "publish")
@require_http_methods(["GET", "POST"])
def announcement_create(request):
    """The office writes one of the task force's announcements; it is public at once."""
    places = list(policy.jurisdictions_for(request.user, "announcement", "publish"))
    form = AnnouncementForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = next(p for p in places if p.pk == data["jurisdiction"])
        item = form_write(
            request, form,
            lambda: services.announcement_publish(
                actor=request.user, jurisdiction=place, kind=data["kind"],
                title=data["title"], body=data["body"],
            ),
        )  # fmt: skip
        if item is not None:
            return redirect(item.get_absolute_url())
    return render(
        request, "portal/office_form.html",
        {"form": form, "heading": _("New announcement")},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def notice_correct(request, code: str):
    """The office sets a listing's terms (increment, deposit, priority-purchase-right
    holders, viewing); the notice is republished as its next revision."""
    notice = selectors.notice(code)
    policy.require(request.user, "notice", "correct", jurisdiction=notice.jurisdiction)
    initial = {k: notice.data.get(k) for k in ("increment", "deposit", "priority_holders",
                                                "viewing")}  # fmt: skip
    documents = selectors.documents_of(notice.project)
    initial["documents"] = [d.pk for d in documents if hasattr(d, "publication")]
    form = NoticeTermsForm(request.POST or None, initial=initial, documents=documents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = form_write(
            request, form,
            lambda: services.notice_correct(
                actor=request.user, notice=notice,
                terms={k: data[k] for k in initial if k != "documents"},
                reason=data["reason"], documents=data["documents"],
            ),
        )  # fmt: skip
        if done is not None:
            return redirect(done.get_absolute_url())
    return render(
        request, "portal/office_form.html",
        {"form": form, "heading": _("Correct the notice %(code)s") % {"code": notice.code},
         "notice": notice},
    )  # fmt: skip


@public
def document(request, code: str, doc_id: int):
    """A document the notice published (marked public when the notice went up), checked
    against its SHA-256; anything else is not found."""
    notice = selectors.notice(code)
    if doc_id not in {d["id"] for d in notice.data.get("documents") or []}:
        raise Http404
    doc = Document.objects.filter(pk=doc_id).first()
    data = None if doc is None else read_verified(doc.storage_path, doc.sha256)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=doc.content_type)
    inline = doc.content_type in {"image/png", "image/jpeg", "application/pdf"}
    response["Content-Disposition"] = content_disposition_header(not inline, doc.filename)
    response["ETag"] = f'"{doc.sha256}"'
    return response
