"""The sealed-bid pages: the bidder submits their sealed bid on the lot page (and sees its
receipt), an officer confirms the opening, and the opened bids' page, which before the opening
refuses everyone (403, with the reason) and records the attempt in the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from panhuo.auctions import sealed, selectors
from panhuo.auctions.forms import SealedBidForm
from panhuo.auctions.models import LotKind
from panhuo.auctions.refusals import MESSAGES
from panhuo.core.ui import fetch_or_404, form_write, section_required
from panhuo.organisation import policy


def sealed_context(request, lot, registration, staff: bool) -> dict:
    """What the lot page shows of a sealed-bid lot (nothing of any amount before opening)."""
    if lot.kind != LotKind.SEALED:
        return {"sealed": False}
    confirmations = lot.opening_confirmations.select_related("officer") if staff else []
    return {
        "sealed": True,
        "opened": selectors.lot_opened(lot),
        "seal_form": SealedBidForm(),
        "receipt": sealed.own_receipt(registration),
        "confirmations": confirmations,
        "may_open": policy.allowed(request.user, "lot", "open", jurisdiction=lot.jurisdiction),
    }


@require_POST
@login_required
def lot_seal_view(request, pk):
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    if selectors.bidder_for(request.user) is None:
        raise PermissionDenied(str(MESSAGES["unregistered"][1]))
    form = SealedBidForm(request.POST)
    if form.is_valid():
        done = form_write(
            request, form,
            lambda: sealed.sealed_bid_place(actor=request.user, lot_id=lot.pk,
                                            amount=form.cleaned_data["amount"]),
            lambda s: _("Sealed bid received (receipt %(digest)s).") % {"digest": s.digest[:16]},
        )  # fmt: skip
        if done is not None:
            return redirect(lot)
    from panhuo.auctions.views import _lot_page

    return _lot_page(request, lot, seal_form=form, status=400)


@require_POST
@section_required("lot", "open")
def lot_open_view(request, pk):
    from panhuo.auctions.views import office_step

    return office_step(
        request, pk, "open", lambda lot: sealed.opening_confirm(actor=request.user, lot_id=lot.pk),
        _("Opening confirmed: the bids open once two different officers have confirmed."),
    )  # fmt: skip


@require_safe
@login_required
def lot_sealed_view(request, pk):
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    if lot.kind != LotKind.SEALED:
        raise Http404(_("This is not a sealed-bid lot."))
    staff = policy.allowed(request.user, "lot", "view", jurisdiction=lot.jurisdiction)
    rows = sealed.sealed_read(actor=request.user, lot=lot, via="page", names=staff)
    return render(request, "auctions/sealed_bids.html", {"lot": lot, "rows": rows})
