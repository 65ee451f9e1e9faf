"""Writes of packages: a package of assets in scope and how they join or leave it while it is
open; each write is one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panhuo.core.codes import next_code
from panhuo.core.errors import ValidationError
from panhuo.core.validation import full_clean
from panhuo.disposal.models import (
    Channel,
    Package,
    PackageItem,
    ProjectStatus,
)
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.register.models import GONE_STATUSES, Asset, Criticality


def _resolve_assets(actor: User, asset_ids: Iterable[int], jurisdiction: Jurisdiction):
    ids = list(dict.fromkeys(int(a) for a in asset_ids))
    assets = list(
        Asset.objects.visible_to(actor)
        .select_related("unit__jurisdiction")
        .filter(pk__in=ids)
        .select_for_update()
    )
    found = {a.pk for a in assets}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"assets": [_("Unknown asset id(s): %(missing)s.") % {"missing": missing}]}
        )
    for a in assets:
        if not a.unit.jurisdiction.path.startswith(jurisdiction.path):
            raise ValidationError(
                {
                    "assets": [
                        _("Asset %(code)s is outside %(jurisdiction)s.")
                        % {"code": a.code, "jurisdiction": jurisdiction}
                    ]
                }
            )
        if a.criticality == Criticality.ESSENTIAL:
            raise ValidationError(
                {
                    "assets": [
                        _(
                            "Asset %(code)s serves an essential public service and cannot enter a "
                            "package."
                        )
                        % {"code": a.code}
                    ]
                }
            )
        if a.status in GONE_STATUSES:
            raise ValidationError(
                {"assets": [_("Asset %(code)s is already disposed.") % {"code": a.code}]}
            )
    from panhuo.disposal.candidates import assets_in_scope

    assets_in_scope(assets)  # gate scope_not_included
    busy = PackageItem.objects.filter(asset__in=assets, live=True).select_related(
        "package", "asset"
    )
    if busy:
        first = busy[0]
        raise ValidationError(
            {
                "assets": [
                    _("Asset %(first_asset)s is already in live package %(first_package)s.")
                    % {"first_asset": first.asset.code, "first_package": first.package.code}
                ]
            }
        )
    return assets


def package_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    name: str,
    channel: str,
    asset_ids: Iterable[int] = (),
) -> Package:
    """Group in-scope assets into a lot for one channel."""
    policy.require(actor, "package", "create", jurisdiction=jurisdiction)
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": [_("Unknown channel “%(channel)s”.") % {"channel": channel}]}
        )
    if not (name or "").strip():
        raise ValidationError({"name": [_("This field is required.")]})
    with transaction.atomic():
        package = Package(
            code=next_code(Package, "PKG"),
            name=name.strip(),
            jurisdiction=jurisdiction,
            channel=channel,
            created_by=actor,
        )
        full_clean(package)
        package.save(force_insert=True)
        assets = _resolve_assets(actor, asset_ids, jurisdiction)
        PackageItem.objects.bulk_create(PackageItem(package=package, asset=a) for a in assets)
        audit_record(
            actor=actor,
            action="package.create",
            obj=package,
            after={**snapshot(package), "assets": sorted(a.pk for a in assets)},
            jurisdiction_path=jurisdiction.path,
        )
    return package


def _refuse_unless_open(package: Package) -> None:
    if package.status != Package.Status.OPEN:
        raise ValidationError(
            {
                "package": [
                    _("Package %(package)s is %(package_status)s.")
                    % {
                        "package": package.code,
                        "package_status": package.get_status_display().lower(),
                    }
                ]
            }
        )


def _package_is_editable(package: Package) -> None:
    _refuse_unless_open(package)
    if package.projects.exclude(status__in=[ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN]).exists():
        raise ValidationError(
            {
                "package": [
                    _("Package %(package)s has a project under way; withdraw it first.")
                    % {"package": package.code}
                ]
            }
        )


def package_add_assets(*, actor: User, package: Package, asset_ids: Iterable[int]) -> Package:
    policy.require(actor, "package", "edit", jurisdiction=package.jurisdiction)
    try:
        with transaction.atomic():
            package = Package.objects.select_for_update().get(pk=package.pk)
            _package_is_editable(package)
            assets = _resolve_assets(actor, asset_ids, package.jurisdiction)
            PackageItem.objects.bulk_create(PackageItem(package=package, asset=a) for a in assets)
            audit_record(
                actor=actor,
                action="package.add_assets",
                obj=package,
                after={"assets": sorted(a.pk for a in assets)},
                jurisdiction_path=package.jurisdiction.path,
            )
    except IntegrityError as exc:
        # Another writer put one of these assets into a live package first.
        raise ValidationError({"assets": [_("An asset is already in a live package.")]}) from exc
    return package


def package_remove_asset(*, actor: User, package: Package, asset_id: int) -> Package:
    policy.require(actor, "package", "edit", jurisdiction=package.jurisdiction)
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package.pk)
        _package_is_editable(package)
        deleted = PackageItem.objects.filter(package=package, asset_id=asset_id).delete()[0]
        if not deleted:
            raise ValidationError(
                {
                    "asset": [
                        _("Asset %(asset_id)s is not in %(package)s.")
                        % {"asset_id": asset_id, "package": package.code}
                    ]
                }
            )
        audit_record(
            actor=actor,
            action="package.remove_asset",
            obj=package,
            before={"assets": [int(asset_id)]},
            jurisdiction_path=package.jurisdiction.path,
        )
    return package


def _package_units(package: Package) -> set[int]:
    return set(package.items.values_list("asset__unit_id", flat=True))
