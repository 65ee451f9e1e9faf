"""Portal endpoints of the JSON API: the public notices and announcements, for anyone (no
sign-in), with the published fields only (``portal.published``) — the open data beside the
feeds."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from panhuo.core.api import PagePagination
from panhuo.core.schemas import ErrorOut, Id, Text
from panhuo.portal import selectors
from panhuo.register.models import AssetKind

router = Router(tags=["portal"])
PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut}
Code = Annotated[Text, Field(max_length=32, description="The notice number, e.g. GG000001.")]


class PublicNoticeQuery(Schema):
    q: Text = Field("", max_length=200, description="Title contains, or the notice number.")
    place: Id | None = Field(None, description="This jurisdiction and those below it.")
    kind: Literal[tuple(AssetKind.values)] | None = Field(  # type: ignore[valid-type]
        None, description="A kind of asset in the lot."
    )
    status: Literal["open", "ended", "result", "withdrawn"] | None = Field(
        None,
        description="open: disclosure running; ended: disclosure over; result: result "
        "notices; withdrawn: listings taken down.",
    )
    price_min: Decimal | None = Field(None, ge=0, max_digits=17, decimal_places=2)
    price_max: Decimal | None = Field(None, ge=0, max_digits=17, decimal_places=2)


class PublicNoticeOut(Schema):
    code: str
    revision: int
    kind: str
    state: str
    title: str
    starts_on: dt.date
    ends_on: dt.date = Field(description="The end of the disclosure or of the result notice.")
    published_at: dt.datetime
    url: str
    fields: dict[str, Any] = Field(description="Exactly the fields the notice publishes.")

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_fields(obj) -> dict[str, Any]:
        return obj.data


class PublicAnnouncementOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    published_on: dt.date
    place: str
    url: str

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.jurisdiction.name

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


@router.get("/public/notices", response={200: list[PublicNoticeOut], **PUBLIC_ERRORS}, auth=None)
@paginate(PagePagination)
def public_notice_list(request: HttpRequest, filters: Query[PublicNoticeQuery]):
    """The current public notices, newest first, filtered as the portal's search (public)."""
    data = filters.dict()
    data["kind"] = data["kind"] or ""
    data["status"] = data["status"] or ""
    return selectors.notices(selectors.NoticeFilters(**data))


@router.get("/public/notices/{code}", response={200: PublicNoticeOut, **PUBLIC_ERRORS}, auth=None)
def public_notice(request: HttpRequest, code: Code):
    """One public notice, its current revision (public)."""
    return selectors.notice(code)


@router.get(
    "/public/announcements", response={200: list[PublicAnnouncementOut], **PUBLIC_ERRORS}, auth=None
)
@paginate(PagePagination)
def public_announcement_list(request: HttpRequest):
    """The task force's announcements, newest first (public)."""
    return selectors.announcements()
