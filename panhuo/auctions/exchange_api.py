"""Outside-exchange endpoints of the JSON API (the office): the listing package of an
exchange-channel project (a ZIP), and the exchange's result file (XLSX or CSV, multipart),
refused as a whole with every row's error, or awarded as Panhuo's own auction is."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile

from panhuo.auctions import exchange
from panhuo.auctions.api import LotOut
from panhuo.auctions.exchange_views import MAX_BYTES
from panhuo.auctions.selectors import public_lot_state
from panhuo.core.api import ReferenceMissing, actor
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import ERRORS, Id
from panhuo.disposal.selectors import get_project_for
from panhuo.organisation import policy

router = Router(tags=["auctions"])


def _project(request: HttpRequest, project_id):
    user = actor(request)
    if not policy.can_any(user, "lot", "award"):
        raise policy.NotPermitted(policy.refusal("lot", "award", one=False))
    try:
        project = get_project_for(user, project_id)
    except ObjectDoesNotExist:
        raise ReferenceMissing("project", _("There is no such project.")) from None
    policy.require(user, "lot", "award", jurisdiction=project.jurisdiction)
    return user, project


@router.get("/projects/{project_id}/exchange-package", response={200: bytes, **ERRORS})
def exchange_package(request: HttpRequest, project_id: Id):
    """The listing package for the exchange: notice.json, notice.xlsx, documents/ (ZIP)."""
    user, project = _project(request, project_id)
    name, data = exchange.listing_package(actor=user, project=project)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/projects/{project_id}/exchange-result", response={200: LotOut, **ERRORS})
def exchange_result(
    request: HttpRequest, project_id: Id, file: File[UploadedFile],
    history: File[UploadedFile | None] = None,
):  # fmt: skip
    """The exchange's result (columns rank, name, ID number, price; optional on the winner's
    row: bidding end, last bid time) and, optionally, its bid
    history (columns bidder, amount, time): all rows of both or nothing."""
    user, project = _project(request, project_id)
    for name, upload in (("file", file), ("history", history)):
        if upload is not None and upload.size > MAX_BYTES:
            raise ValidationError({name: [_("The file is larger than 5 MB.")]})
    lot = exchange.result_import(
        actor=user,
        project=project,
        stream=file,
        filename=file.name,
        history=history,
        history_name=history.name if history is not None else "",
    )
    return public_lot_state(lot)
