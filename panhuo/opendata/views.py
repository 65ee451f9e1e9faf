"""Open-data pages (mounted at /open-data/): what is released and how (both languages), and the
JSON files themselves — a disposal's release package and record, the change feed, a year's
bulk file, the extension. All public: anyone may read them, no sign-in, read-only."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from panhuo.opendata import packages, releases, schema, selectors
from panhuo.portal.views import public

#: How long a browser or proxy may keep a JSON file (seconds); the feed is never cached.
MAX_AGE = 300
#: The answer to a cursor this feed did not give out.
BAD_CURSOR = {
    "detail": "cursor: not a cursor this feed gave out",
    "errors": {"cursor": ["unknown"]},
}
#: The extension's files, as served (name: content type).
EXTENSION_FILES = {
    "extension.json": "application/json",
    "release-schema.json": "application/json",
    "README.md": "text/markdown; charset=utf-8",
}
#: The extension's codelists.
CODELISTS = ("disposalChannel.csv", "debtType.csv")


def _base(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def _json(data: dict, *, status: int = 200, max_age: int | None = MAX_AGE) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if max_age is not None and status == 200:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


@public
def index(request):
    """What is released, in which stages, under which identifiers, and the links to it."""
    return render(
        request,
        "opendata/index.html",
        {"years": packages.years(), "prefix": releases.ocid_of("", "").rstrip("-")},
    )


@require_safe
def process_releases(request, ocid: str):
    """Every release of one disposal (one contracting process), as a release package."""
    rows = selectors.of_process(ocid)
    return _json(packages.release_package(rows, request.build_absolute_uri(), _base(request)))


@require_safe
def process_record(request, ocid: str):
    """The record of one disposal: its releases and the compiled release."""
    rows = selectors.of_process(ocid)
    return _json(packages.record_package(rows, request.build_absolute_uri(), _base(request)))


@require_safe
def notice_process(request, code: str):
    """From a portal notice to the open data of its disposal."""
    found = selectors.process_of_notice(code)
    return redirect(reverse("opendata-releases", args=[releases.ocid(found)]))


@require_safe
def feed(request):
    """The change feed: releases in the order they were published, a page at a time; follow
    ``links.next`` (an opaque cursor) to go on, and again later to get what is new."""
    try:
        page = packages.feed_page(
            request.GET.get("cursor", ""),
            request.build_absolute_uri(),
            _base(request),
            request.path,
        )
    except packages.BadCursor:
        return _json(BAD_CURSOR, status=400)
    response = _json(page, max_age=None)
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def bulk(request, year: int):
    """All releases published in ``year`` as one release package file, streamed."""
    pieces = packages.year_file(year, request.build_absolute_uri(), _base(request))
    if pieces is None:
        return _json({"detail": f"year: no releases were published in {year}"}, status=404)
    response = StreamingHttpResponse(
        (p.encode() for p in pieces), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"panhuo-ocds-{year}.json")
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def extension(request, name: str):
    """Panhuo's OCDS extension, file by file (``extension.json`` names this site's address)."""
    if name not in EXTENSION_FILES:
        return _json({"detail": f"name: no extension file {name}"}, status=404)
    if name == "extension.json":
        meta = dict(schema.extension_metadata())
        docs = request.build_absolute_uri(reverse("opendata-extension", args=["README.md"]))
        meta["documentationUrl"] = {"en": docs, "zh": docs}
        return _json(meta)
    return _file(schema.EXTENSION / name, EXTENSION_FILES[name])


@require_safe
def codelist(request, name: str):
    """One of the extension's codelists (CSV: Code, Title, Description)."""
    if name not in CODELISTS:
        return _json({"detail": f"name: no codelist {name}"}, status=404)
    return _file(schema.EXTENSION / "codelists" / name, "text/csv; charset=utf-8")


def _file(path, content_type: str) -> HttpResponse:
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
