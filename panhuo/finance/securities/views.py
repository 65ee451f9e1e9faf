"""Pages for what secures a debt: the form on the debt page, release and delete buttons.

The debt page (``views.debt_page``) shows the list; these views only take the POSTs and hand
them to ``finance.securities``, which checks the right to edit the debt and writes the audit.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    DateInput,
    date_field,
)
from panhuo.core.ui import button_write, fetch_or_404, form_post, section_required
from panhuo.finance.securities import services as securities
from panhuo.finance.securities.models import SecurityKind
from panhuo.finance.selectors import get_debt_for
from panhuo.organisation import policy
from panhuo.register.models import Asset


class SecurityForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SecurityKind.choices)
    guarantor = forms.CharField(
        label=gettext_lazy("Guarantor"), max_length=200, required=False,
        help_text=gettext_lazy("For a guarantee."),
    )  # fmt: skip
    asset_code = forms.CharField(
        label=gettext_lazy("Asset code"), max_length=64, required=False,
        help_text=gettext_lazy("For collateral or a pledge: the asset's code in the register."),
    )  # fmt: skip
    amount = AmountFormField(label=gettext_lazy("Amount secured"), help_text=AMOUNT_UNIT_HELP)
    valid_from = forms.DateField(label=gettext_lazy("From"), widget=DateInput)
    valid_until = forms.DateField(label=gettext_lazy("Until"), widget=DateInput, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, user=None, debt=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.debt = user, debt

    def clean_asset_code(self):
        code = self.cleaned_data.get("asset_code", "").strip()
        if not code:
            return None
        found = list(
            Asset.objects.visible_to(self.user)
            .filter(code=code, unit__jurisdiction__path__startswith=self.debt.jurisdiction.path)
            .select_related("unit__jurisdiction")[:2]
        )
        if not found:
            raise forms.ValidationError(_("No asset %(code)s that you may see in %(j)s.")
                                        % {"code": code, "j": self.debt.jurisdiction})  # fmt: skip
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several units hold an asset %(code)s; record it through its own page.")
                % {"code": code}
            )
        return found[0]


class ReleaseForm(forms.Form):
    released_on = date_field(gettext_lazy("Released on"), required=False)
    note = forms.CharField(label=gettext_lazy("Release note"), max_length=300, required=False)


def security_context(request, debt) -> dict:
    """What the debt page needs to show and edit the debt's securities."""
    can_edit = policy.allowed(request.user, "debt", "edit", jurisdiction=debt.jurisdiction)
    return {
        "securities": list(securities.securities_of_debt(request.user, debt)),
        "security_form": SecurityForm(user=request.user, debt=debt) if can_edit else None,
        "can_edit_securities": can_edit,
    }


@require_POST
@section_required("debt")
def security_create_view(request, pk):
    from panhuo.finance.views import debt_page

    debt = fetch_or_404(get_debt_for, request.user, pk)
    return form_post(
        request, SecurityForm(request.POST, user=request.user, debt=debt),
        lambda data: securities.security_create(
            actor=request.user, debt=debt, kind=data["kind"], amount=data["amount"],
            valid_from=data["valid_from"], valid_until=data["valid_until"],
            guarantor=data["guarantor"], asset=data["asset_code"], note=data["note"],
        ),
        _("Security recorded on debt %(code)s.") % {"code": debt.code}, to=debt,
        page=lambda form: debt_page(request, debt, security_form=form),
    )  # fmt: skip


def _own_security(request, pk, security_pk):
    debt = fetch_or_404(get_debt_for, request.user, pk)
    return fetch_or_404(
        lambda user, spk: securities.securities_of_debt(user, debt).get(pk=spk),
        request.user,
        security_pk,
    )


@require_POST
@section_required("debt")
def security_release_view(request, pk, security_pk):
    security = _own_security(request, pk, security_pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the release date as YYYY-MM-DD."))
        return redirect(security.debt)
    button_write(
        request,
        lambda: securities.security_release(
            actor=request.user, security=security, **form.cleaned_data
        ),
        _("Security released."),
    )
    return redirect(security.debt)


@require_POST
@section_required("debt")
def security_delete_view(request, pk, security_pk):
    security = _own_security(request, pk, security_pk)
    debt = security.debt
    securities.security_delete(actor=request.user, security=security)
    messages.success(request, _("Security deleted."))
    return redirect(debt)
