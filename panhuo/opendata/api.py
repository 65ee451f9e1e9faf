"""Open data in the JSON API, for anyone (no sign-in): a disposal's OCDS release package and
record, and the change feed behind opaque cursors (the same documents as the /open-data/
files)."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from panhuo.core.schemas import ErrorOut, Text
from panhuo.opendata import packages, selectors
from panhuo.opendata.views import BAD_CURSOR

router = Router(tags=["opendata"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Ocid = Annotated[Text, Field(max_length=120, description="The disposal's OCDS ocid.")]


class FeedQuery(Schema):
    cursor: Text = Field(
        "", max_length=500, description="links.next of the previous page (none: the beginning)."
    )


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@router.get("/opendata/releases/{ocid}", response={200: dict[str, Any], **ERRORS}, auth=None)
def opendata_releases(request: HttpRequest, ocid: Ocid):
    """Every release of one disposal as an OCDS release package (public)."""
    rows = selectors.of_process(ocid)
    return packages.release_package(rows, request.build_absolute_uri(), _base(request))


@router.get("/opendata/records/{ocid}", response={200: dict[str, Any], **ERRORS}, auth=None)
def opendata_record(request: HttpRequest, ocid: Ocid):
    """The OCDS record of one disposal, with its compiled release (public)."""
    rows = selectors.of_process(ocid)
    return packages.record_package(rows, request.build_absolute_uri(), _base(request))


@router.get("/opendata/feed", response={200: dict[str, Any], **ERRORS}, auth=None)
def opendata_feed(request: HttpRequest, query: Query[FeedQuery]):
    """The change feed: releases in the order they were published, a page at a time; follow
    ``links.next`` (public)."""
    try:
        return packages.feed_page(
            query.cursor, request.build_absolute_uri(), _base(request), request.path
        )
    except packages.BadCursor:
        return Status(400, BAD_CURSOR)
