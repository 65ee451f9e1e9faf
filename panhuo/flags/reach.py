"""What one write reaches, for the people, splitting and value rules: from the ids of a written
record (text, as the audit log names them) to the ids of the rules' subjects to recompute
(projects; packages for splitting). The engine calls these after the write commits."""

from __future__ import annotations

from django.db.models import Q

from panhuo.bidders.models import DeclaredRelation
from panhuo.disposal.models import DisposalProject, PackageItem
from panhuo.flags import split_sql, value_sql
from panhuo.flags.hits import site_key
from panhuo.register.models import Asset


def _ints(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _projects(q: Q) -> list[int]:
    return list(DisposalProject.objects.filter(q).values_list("pk", flat=True).distinct())


def projects_of_assets(ids) -> list[int]:
    if value_sql.ENABLED:
        return split_sql.projects_of_assets(ids)
    return _projects(Q(package__items__asset__in=_ints(ids)))


def projects_of_packages(ids) -> list[int]:
    return _projects(Q(package__in=_ints(ids)))


def projects_of_receipts(ids) -> list[int]:
    return _projects(Q(receipts__in=_ints(ids)))


def projects_of_allocations(ids) -> list[int]:
    return _projects(Q(receipts__allocations__in=_ints(ids)))


def projects_of_debts(ids) -> list[int]:
    """Projects whose proceeds repaid these debts (a rate changed, a debt voided)."""
    return _projects(Q(receipts__allocations__debt__in=_ints(ids)))


def projects_of_units_of_assets(ids) -> list[int]:
    """Projects selling assets of the units these assets belong to: an asset falling idle, or
    packaged, changes what waits beside every sale of its unit."""
    if value_sql.ENABLED:
        return split_sql.projects_of_units_of_assets(ids)
    units = Asset.objects.filter(pk__in=_ints(ids)).values("unit_id")
    return _projects(Q(package__items__asset__unit__in=units))


def projects_of_bidders(ids) -> list[int]:
    """Projects these bidders bought or registered for."""
    ids = _ints(ids)
    return _projects(Q(buyer_party__in=ids) | Q(rounds__lot__registrations__bidder__in=ids))


def projects_of_relations(ids) -> list[int]:

    bidders = DeclaredRelation.objects.filter(pk__in=_ints(ids)).values_list("bidder_id", flat=True)
    return projects_of_bidders(list(bidders))


def projects_of_registrations(ids) -> list[int]:
    return _projects(Q(rounds__lot__registrations__in=_ints(ids)))


def deals_of_same_buyers(ids) -> list[int]:
    """Every deal, in the same places, of the buyers of these projects: a repeat buyer's flag
    hangs on their latest deal, so a new deal moves it."""
    rows = DisposalProject.objects.filter(pk__in=_ints(ids)).exclude(buyer="")
    q = Q(pk__in=[])
    for party, name, jur in rows.values_list("buyer_party_id", "buyer", "package__jurisdiction_id"):
        who = Q(buyer_party=party) if party else Q(buyer__iexact=name.strip())
        q |= who & Q(package__jurisdiction=jur)
    return sorted(set(_ints(ids)) | set(_projects(q)))


def packages_at_sites(package_ids=(), asset_ids=()) -> list[int]:
    """Every package holding assets at the sites of these packages' or these assets' assets."""
    if value_sql.ENABLED:
        return split_sql.packages_at_sites(package_ids, asset_ids)
    items = PackageItem.objects.filter(
        Q(package__in=_ints(package_ids)) | Q(asset__in=_ints(asset_ids))
    )

    # The items' assets read by id, not OR-ed with them through a join: PostgreSQL scanned every
    # asset for that OR (73 ms at a tenth of the province, growing with it; docs/benchmarks.md).
    ids = set(_ints(asset_ids)) | set(items.values_list("asset_id", flat=True))
    assets = Asset.objects.filter(pk__in=sorted(ids)).exclude(address="")
    sites = {site_key(u, a) for u, a in assets.values_list("unit_id", "address")}
    units = {int(k.split(":", 1)[0]) for k in sites}
    found = PackageItem.objects.filter(asset__unit__in=units).exclude(asset__address="")
    return sorted(
        {p for p, u, a in found.values_list("package_id", "asset__unit_id", "asset__address")
         if site_key(u, a) in sites}
    )  # fmt: skip


def sites_of_packages(ids) -> list[int]:
    return packages_at_sites(package_ids=ids)


def sites_of_projects(ids) -> list[int]:
    packages = DisposalProject.objects.filter(pk__in=_ints(ids)).values_list(
        "package_id", flat=True
    )
    return packages_at_sites(package_ids=list(packages))


def sites_of_assets(ids) -> list[int]:
    return packages_at_sites(asset_ids=ids)
