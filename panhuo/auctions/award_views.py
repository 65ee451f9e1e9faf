"""The award queue on the lot page: the office records that the offered bidder signed (the
contract number) or defaulted (the reason); a refusal is flashed with its reason. The queue
itself is shown by ``views._lot_page`` (``award_context``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panhuo.auctions import awards, selectors
from panhuo.auctions.award_models import Award, AwardStatus
from panhuo.core.forms import date_field
from panhuo.core.ui import button_write, fetch_or_404, section_required
from panhuo.organisation import policy


class AwardSignForm(forms.Form):
    contract_no = forms.CharField(label=gettext_lazy("Contract number"), max_length=60)
    signed_on = date_field(gettext_lazy("Signed on"))


class AwardDefaultForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def award_context(user, lot, registration, staff: bool) -> dict:
    """The queue for the lot page: staff in scope see it all with names; a bidder their own
    place only."""
    rows = Award.objects.filter(lot=lot).select_related("registration__bidder")
    if not staff:
        rows = rows.filter(registration=registration) if registration else rows.none()
    offered = next((a for a in rows if a.status == AwardStatus.OFFERED), None)
    may = staff and policy.allowed(user, "lot", "award", jurisdiction=lot.jurisdiction)
    return {
        "awards": list(rows),
        "offered_award": offered,
        "may_settle_award": bool(may and offered),
        "sign_form": AwardSignForm(),
        "default_form": AwardDefaultForm(),
    }


def _offered(request, pk):
    lot = fetch_or_404(selectors.get_lot_for, request.user, pk)
    policy.require(request.user, "lot", "award", jurisdiction=lot.jurisdiction)
    return lot, Award.objects.filter(lot=lot, status=AwardStatus.OFFERED).first()


def _refuse(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}")


def _settle(request, pk, form_class, write, done: str):
    """The office's step on the lot's offered award: the form's refusal or the service's is
    flashed; back to the lot page either way."""
    lot, award = _offered(request, pk)
    form = form_class(request.POST)
    if award is None:
        messages.error(request, _("No award of this lot is waiting for a signature."))
    elif not form.is_valid():
        _refuse(request, form)
    else:
        button_write(request, lambda: write(award, form.cleaned_data), done)
    return redirect(lot)


def _settle_view(form_class, service, done):
    @require_POST
    @section_required("lot", "award")
    def view(request, pk):
        return _settle(
            request, pk, form_class,
            lambda award, data: service(actor=request.user, award=award, **data), done(),
        )  # fmt: skip

    return view


lot_sign_view = _settle_view(
    AwardSignForm, awards.award_sign,
    lambda: _("Signing recorded: the deposit is applied and the queue released."),
)  # fmt: skip
lot_default_view = _settle_view(
    AwardDefaultForm, awards.award_default,
    lambda: _("Default recorded: the deposit is forfeited and the next in the queue offered."),
)  # fmt: skip
