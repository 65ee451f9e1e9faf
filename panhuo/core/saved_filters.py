"""Saved filters on the list pages: "save this filter" under a name, then open or delete it.

Every list declared with ``core.lists`` has them (its ``target`` names the list); the filter bar
shows them with ``{% saved_filters target %}`` (templatetags/saved_filters). The two views here
only validate and delegate to the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panhuo.core.lists import registry
from panhuo.core.models import SavedFilter
from panhuo.core.services import saved_filter_delete, saved_filter_save
from panhuo.core.ui import add_service_errors
from panhuo.organisation import policy


def list_url(target: str) -> str:
    return reverse(registry()[target].url_name)


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class SavedFilterForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput, max_length=32)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    name = forms.CharField(
        label=gettext_lazy("Save this filter as"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Name, e.g. Idle land")}),
    )


def _check_target(user, target: str) -> None:
    declared = registry().get(target)
    if declared is None:
        raise Http404(_("No such list."))
    if not policy.can_any(user, declared.resource, declared.action):
        raise PermissionDenied(_("Your roles do not give access to this list."))


@login_required
def saved_filter_save_view(request):
    data = request.POST if request.method == "POST" else None
    initial = {"target": request.GET.get("target", ""), "query": request.GET.get("query", "")}
    form = SavedFilterForm(data, initial=initial)
    target = (request.POST if data is not None else request.GET).get("target", "")
    _check_target(request.user, target)
    if data is not None and form.is_valid():
        try:
            item = saved_filter_save(
                actor=request.user,
                target=target,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": item.name})
            return redirect(item)
    return render(
        request,
        "core/saved_filter_form.html",
        {"form": form, "list_url": list_url(target), "target": target},
    )


@require_POST
@login_required
def saved_filter_delete_view(request, pk):
    item = SavedFilter.objects.filter(owner=request.user, pk=pk).first()
    if item is None:
        raise Http404(_("No such saved filter."))
    target = item.target
    saved_filter_delete(actor=request.user, saved_filter=item)
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": item.name})
    return redirect(list_url(target))
