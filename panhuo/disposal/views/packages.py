"""Pages of packages: the list, a package, making one and changing its assets, and making one
from a suggestion."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList, ticked
from panhuo.core.ui import (
    button_write,
    fetch_allowed,
    fetch_or_404,
    form_post,
    paginate,
    section_required,
)
from panhuo.disposal import services
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.disposal.forms import (
    AddAssetsForm,
    CandidateFilterForm,
    FromSuggestionForm,
    PackageFilterForm,
    PackageForm,
    SuggestionFilterForm,
)
from panhuo.disposal.models import Package, ProjectStatus
from panhuo.disposal.selectors import (
    PACKAGE_ORDERINGS,
    get_package_for,
    package_list,
    project_list,
)
from panhuo.disposal.suggestions import suggestions_for
from panhuo.organisation import policy
from panhuo.register.selectors import asset_list

#: States off the main path: shown only when the project is in them.
# --- packages -------------------------------------------------------------------------------


class PackageList(ObjectList):
    target, resource, filter_form = "packages", "package", PackageFilterForm
    rows, orderings = package_list, PACKAGE_ORDERINGS  # searches q itself (code, name)
    columns = [
        Column("code", _l("Code")),
        Column("name", _l("Name")),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("channel", _l("Channel"), "get_channel_display"),
        Column("status", _l("Status"), "get_status_display"),
        Column("assets", _l("Assets"), "asset_count", numeric=True),
        Column("book_value", _l("Book value"), "total_book_value", numeric=True, money=True),
        Column(
            "appraised_value", _l("Appraised"), "total_appraised_value", numeric=True, money=True
        ),
        Column("created_at", _l("Created"), lambda p: p.created_at.date()),
    ]

    def extra_context(self, qs) -> dict:
        return {"can_create": policy.can_any(self.user, "package", "create")}


package_list_view = PackageList.as_view()


def package_units(package: Package) -> set[int]:
    """The units whose assets are in the package: whose officers a package's rights follow."""
    return set(package.items.values_list("asset__unit_id", flat=True))


def _package_page(request, package: Package, add_form=None, status: int = 200):
    user = request.user
    assets = asset_list(user).filter(package_items__package=package)
    page = paginate(request, assets)
    projects = project_list(user, package=package.pk)
    active = [p for p in projects if p.status != ProjectStatus.WITHDRAWN]
    is_open = package.status == Package.Status.OPEN
    under_way = any(p.status != ProjectStatus.DRAFT for p in active)
    can_edit = (
        is_open
        and not under_way
        and policy.allowed(user, "package", "edit", jurisdiction=package.jurisdiction)
    )
    can_create_project = (
        is_open
        and not active
        and package.asset_count > 0
        and policy.allowed(
            user,
            "project",
            "create",
            jurisdiction=package.jurisdiction,
            units=package_units(package),
        )
    )
    return render(
        request,
        "disposal/package_detail.html",
        {
            "package": package,
            "page": page,
            "hidden_assets": package.asset_count - page.paginator.count,
            "projects": projects,
            "can_edit": can_edit,
            "can_create_project": can_create_project,
            "add_form": add_form or (AddAssetsForm(user=user) if can_edit else None),
            # The candidates go with any form shown (also one sent back with errors).
            **(_candidates(request, package.jurisdiction) if can_edit or add_form else {}),
        },
        status=status,
    )


def _candidates(request, jurisdiction=None) -> dict:
    """The confirmed scope's candidates to pick from, filtered and paged."""
    form = CandidateFilterForm(request.GET or None)
    qs = confirmed_candidates(request.user, jurisdiction=jurisdiction, **form.filters())
    page = paginate(request, qs, per_page=20)
    picked = ticked(request)
    shown = {a.pk for a in page}
    return {
        "candidate_form": form,
        "candidates": page,
        "picked": set(picked),
        "picked_elsewhere": [pk for pk in picked if pk not in shown],
    }


@section_required("package")
def package_detail(request, pk):
    return _package_page(request, fetch_or_404(get_package_for, request.user, pk))


@section_required("package")
def package_create_view(request):
    if request.method != "POST" and not policy.can_any(request.user, "package", "create"):
        raise PermissionDenied(_("Your roles do not allow creating packages."))
    initial = {"assets": request.GET.get("assets", "")}
    form = PackageForm(request.POST or None, user=request.user, initial=initial)
    return form_post(
        request, form,
        lambda data: services.package_create(
            actor=request.user, jurisdiction=data["jurisdiction"], name=data["name"],
            channel=data["channel"], asset_ids=[*data["assets"], *ticked(request)],
        ),
        lambda package: _("Package %(code)s created.") % {"code": package.code},
        to=lambda package: package,
        page=lambda form: render(
            request, "disposal/package_form.html", {"form": form, **_candidates(request)}
        ),
    )  # fmt: skip


@require_POST
@section_required("package")
def package_add_assets_view(request, pk):
    # Readers of the package who may not change it are refused before the form: the page
    # re-rendered with their form but without the candidates answered 500 (authz matrix).
    package = fetch_allowed(get_package_for, request.user, pk, "package", "edit",
                            _("Your roles do not give access to this page."))  # fmt: skip

    def add(data) -> int:
        picked = [*data["assets"], *ticked(request)]
        services.package_add_assets(actor=request.user, package=package, asset_ids=picked)
        return len(set(picked))

    return form_post(
        request, AddAssetsForm(request.POST, user=request.user), add,
        lambda n: _("%(n)s asset(s) added to the package.") % {"n": n},
        to=package, page=lambda form: _package_page(request, package, add_form=form),
    )  # fmt: skip


@require_POST
@section_required("package")
def package_remove_asset_view(request, pk, asset_pk):
    package = fetch_or_404(get_package_for, request.user, pk)
    button_write(
        request,
        lambda: services.package_remove_asset(
            actor=request.user, package=package, asset_id=asset_pk
        ),
        _("Asset removed from the package."),
    )
    return redirect(package)


# --- suggestions ----------------------------------------------------------------------------


@section_required("package")
def package_suggestions_view(request):
    """The confirmed scope's free candidates grouped by place and kind, each with a button
    that makes it a package."""
    if not policy.can_any(request.user, "package", "create"):
        raise PermissionDenied(_("Your roles do not allow creating packages."))
    form = SuggestionFilterForm(request.GET or None)
    rows = suggestions_for(request.user, **form.filters())
    page = paginate(request, rows, per_page=20)
    for s in page:
        s.form = FromSuggestionForm(
            initial={
                "jurisdiction": s.seed.jurisdiction_id,
                "asset_ids": ",".join(str(i) for i in s.asset_ids),
                "name": _("%(kind)s near %(code)s")
                % {"kind": s.seed.kind_label, "code": s.seed.code},
                "channel": "auction",
            },
            prefix=s.key,
        )
    return render(request, "disposal/package_suggestions.html", {"filter_form": form, "page": page})


@require_POST
@section_required("package")
def package_from_suggestion_view(request):
    """One service call: the package of a suggestion's assets (checked again, audited)."""
    prefix = request.POST.get("prefix", "")
    form = FromSuggestionForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return redirect("package-suggestions")
    jurisdiction = (
        policy.jurisdictions_for(request.user, "package", "view")
        .filter(pk=form.cleaned_data["jurisdiction"])
        .first()
    )
    if jurisdiction is None:
        raise Http404(_("No such jurisdiction."))
    data = form.cleaned_data
    package = button_write(
        request,
        lambda: services.package_create(
            actor=request.user,
            jurisdiction=jurisdiction,
            name=data["name"],
            channel=data["channel"],
            asset_ids=data["asset_ids"],
        ),
        lambda package: _("Package %(code)s created.") % {"code": package.code},
    )
    return redirect("package-suggestions" if package is None else package)
