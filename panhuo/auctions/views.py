"""Auction pages: the office's lot list (the one list component) and lot setup; the lot page,
which a signed-in bidder uses to register, declare their deposit paid, bid and see their own
bids (the price and the end by the server's clock), and where the office marks the priority
holders and awards the closed lot. Every write is a service's; a refusal shows its reason."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from panhuo.auctions import bidding, descending, selectors, services
from panhuo.auctions.award_views import award_context
from panhuo.auctions.forms import BidForm, DeclarePaidForm, LotFilterForm, LotForm, RegisterForm
from panhuo.auctions.live import live_state
from panhuo.auctions.models import LotStatus
from panhuo.auctions.refusals import MESSAGES
from panhuo.auctions.sealed_views import sealed_context
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import button_write, fetch_or_404, form_write, section_required
from panhuo.finance.deposits.models import DepositStatus
from panhuo.finance.deposits.parties import deposit_declare_paid
from panhuo.organisation import policy


class LotList(ObjectList):
    target, resource, url_name = "lots", "lot", "lot-list"
    template, filter_form = "auctions/lot_list.html", LotFilterForm
    rows, orderings = selectors.lot_list, selectors.LOT_ORDERINGS
    columns = [
        Column("project", gettext_lazy("Project"), "round.project.code"),
        Column("round", gettext_lazy("Round"), "round.number", numeric=True),
        Column(
            "jurisdiction",
            gettext_lazy("Jurisdiction"),
            "round.project.package.jurisdiction.name",
            show=False,
        ),
        Column("start_at", gettext_lazy("Bidding opens")),
        Column("end_at", gettext_lazy("Bidding ends")),
        Column("price", gettext_lazy("Current price"), numeric=True, money=True),
        Column("bids", gettext_lazy("Bids"), "bid_count", numeric=True),
        Column("status", gettext_lazy("Status"), "get_status_display"),
        Column("reserve", gettext_lazy("Reserve price"), numeric=True, money=True, show=False),
    ]

    def extra_context(self, qs) -> dict:
        return {"may_create": policy.can_any(self.request.user, "lot", "create")}


lot_list_view = LotList.as_view()


@section_required("lot", "create")
def lot_create_view(request):
    form = LotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["deposit_amount"] = data.get("deposit_amount") or 0
        lot = form_write(
            request, form, lambda: services.lot_create(actor=request.user, **data),
            lambda lot: _("Lot %(lot)s set up.") % {"lot": lot},
        )  # fmt: skip
        if lot is not None:
            return redirect(lot)
    return render(request, "auctions/lot_form.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def _lot_page(request, lot, *, bid_form=None, seal_form=None, status=200):
    registration = selectors.registration_of(request.user, lot)
    staff = policy.allowed(request.user, "lot", "view", jurisdiction=lot.jurisdiction)
    blocker = selectors.bidding_blocker(registration, lot) if registration else ""
    context = {
        "lot": lot,
        "state": selectors.public_lot_state(lot),
        "live": live_state(lot, registration.pk if registration else None),
        "registration": registration,
        "is_bidder": selectors.bidder_for(request.user) is not None,
        "blocker": str(MESSAGES[blocker][1]) if blocker else "",
        "own_bids": selectors.own_bids(registration)[:100],
        "bid_form": bid_form or BidForm(),
        "register_form": RegisterForm(),
        "declare_form": DeclarePaidForm(initial={"paid_on": timezone.localdate()}),
        "deposit_due": registration is not None
        and registration.deposit is not None
        and registration.deposit.status == DepositStatus.DUE,
        "leading": registration is not None and lot.leader_id == registration.pk,
        "history": selectors.public_history(lot),
        "staff": staff,
        "may_award": lot.status == LotStatus.CLOSED
        and policy.allowed(request.user, "lot", "award", jurisdiction=lot.jurisdiction),
        "may_set_holders": lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN)
        and policy.allowed(request.user, "lot", "create", jurisdiction=lot.jurisdiction),
        "registrations": lot.registrations.select_related("bidder", "deposit") if staff else [],
        **sealed_context(request, lot, registration, staff),
    }
    if seal_form is not None:
        context["seal_form"] = seal_form
    context.update(award_context(request.user, lot, registration, staff))
    return render(request, "auctions/lot_detail.html", context, status=status)


@require_safe
@login_required
def lot_detail(request, pk):
    """The lot page; a lot past its end is closed first (``services.lot_closed_if_past``)."""
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    return _lot_page(request, services.lot_closed_if_past(lot))


def _bidder_lot(request, pk):
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    if selectors.bidder_for(request.user) is None:
        raise PermissionDenied(str(MESSAGES["unregistered"][1]))
    return lot


@require_POST
@login_required
def lot_bid_view(request, pk):
    lot = _bidder_lot(request, pk)
    form = BidForm(request.POST)
    if form.is_valid():
        done = form_write(
            request, form,
            lambda: bidding.bid_place(actor=request.user, lot_id=lot.pk,
                                      amount=form.cleaned_data["amount"]),
            lambda lot: _("Bid accepted: the price is now %(price)s yuan.") % {"price": lot.price},
        )  # fmt: skip
        if done is not None:
            return redirect(done)
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    return _lot_page(request, lot, bid_form=form, status=400)


@require_POST
@login_required
def lot_register_view(request, pk):
    lot = _bidder_lot(request, pk)
    form = RegisterForm(request.POST)
    accept = form.is_valid() and form.cleaned_data["accept_conditions"]
    button_write(
        request, lambda: services.lot_register(actor=request.user, lot_id=lot.pk,
                                               accept_conditions=accept),
        _("You are registered for this lot."),
    )  # fmt: skip
    return redirect(lot)


@require_POST
@login_required
def lot_deposit_view(request, pk):
    lot = _bidder_lot(request, pk)
    registration = selectors.registration_of(request.user, lot)
    form = DeclarePaidForm(request.POST)
    if registration is None or registration.deposit is None:
        raise PermissionDenied(str(MESSAGES["not_registered"][1]))
    if form.is_valid():
        done = form_write(
            request, form,
            lambda: deposit_declare_paid(actor=request.user, deposit=registration.deposit,
                                         **form.cleaned_data),
            _("Deposit declared paid: finance will confirm it."),
        )  # fmt: skip
        if done is not None:
            return redirect(lot)
    return render(request, "auctions/deposit_form.html", {"lot": lot, "form": form}, status=400)


@require_POST
@login_required
def lot_take_view(request, pk):
    """Dutch auction: take the lot at the current price (the price the bidder saw is checked)."""
    lot = _bidder_lot(request, pk)
    button_write(
        request,
        lambda: descending.dutch_take(actor=request.user, lot_id=lot.pk,
                                      price=request.POST.get("price", "")[:30]),
        lambda lot: _("You took the lot at %(price)s yuan.") % {"price": lot.price},
    )  # fmt: skip
    return redirect(lot)


@require_POST
@login_required
def lot_match_view(request, pk):
    lot = _bidder_lot(request, pk)
    button_write(
        request, lambda: bidding.priority_match(actor=request.user, lot_id=lot.pk),
        _("You matched the top bid."),
    )  # fmt: skip
    return redirect(lot)


def office_step(request, pk, action: str, write, message: str):
    """An office button on the lot page: the lot in the caller's sight, ``action`` allowed
    there, then the service ``write(lot)``; a refusal is flashed; back to the lot."""
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    policy.require(request.user, "lot", action, jurisdiction=lot.jurisdiction)
    button_write(request, lambda: write(lot), message)
    return redirect(lot)


@require_POST
@section_required("lot", "award")
def lot_award_view(request, pk):
    return office_step(
        request, pk, "award",
        lambda lot: services.lot_award(actor=request.user, lot=lot,
                                       comment=request.POST.get("comment", "")[:2000]),
        _("Lot awarded: the deal is recorded on the project."),
    )  # fmt: skip


@require_POST
@section_required("lot", "create")
def lot_priority_view(request, pk):
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    policy.require(request.user, "lot", "create", jurisdiction=lot.jurisdiction)
    registration = lot.registrations.filter(pk=_int(request.POST.get("registration"))).first()
    if registration is None:
        from django.contrib import messages

        messages.error(request, _("Choose a registered bidder."))
        return redirect(lot)
    holder = request.POST.get("holder") == "on"
    button_write(
        request,
        lambda: services.registration_set_priority(
            actor=request.user, registration=registration, holder=holder
        ),
        _("Priority purchase right recorded."),
    )  # fmt: skip
    return redirect(lot)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
