"""The splitting rule's reads over the few packages one write reached, and the ways from a
written asset or package to the sales and packages it reaches (``reach``), as hand-written SQL
built once per process (``core.statements``), the columns converted as the ORM converts them.

An update after a write whose changed fields are not known (a create, a delete) follows every
way a rule watches: the splitting rule then runs over the packages at the written assets' sites.
Through the ORM that was a dozen statements built and compiled each time, and two of them
(the packages holding assets of the sites' units) a join PostgreSQL answered by scanning every
package item, so growing with the province (bench/flags.py, docs/benchmarks.md). Here a site's
assets are read by unit (indexed), the site matched in Python (``hits.site_key``: spaces and
case ignored), and their items read by asset id (indexed).

Each function gives what its ORM twin in ``splitting.py`` or ``reach.py`` gives for the same ids;
``test_demo_flags`` holds the two equal over the demo. Nothing is written."""

# ruff: noqa: S608 (the statements' text is literal but for placeholders; values are parameters)

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.db import connection

from panhuo.core.statements import converted, rows, statement
from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.flags.hits import site_key
from panhuo.flags.value_sql import money
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing.models import PriceRuleSet
from panhuo.pricing.rules import SELLING_CHANNELS

_SELLING = sorted(SELLING_CHANNELS)
_LIVE = sorted(str(s) for s in (Package.Status.OPEN, Package.Status.DISPOSED))


def _ints(ids) -> list[int]:
    return sorted({int(i) for i in ids if str(i).isdigit()})


def projects_of_assets(ids) -> list[int]:
    """``reach.projects_of_assets``: the projects selling a package that holds these assets."""
    ids = _ints(ids)
    if not ids:
        return []
    sql = statement("reach_projects_of_assets", (len(ids),), lambda i: f"""
        SELECT DISTINCT p.id FROM disposal_disposalproject p
        JOIN disposal_packageitem i ON i.package_id = p.package_id
        WHERE i.asset_id IN ({i})""")  # fmt: skip
    return [pk for (pk,) in rows(sql, ids)]


def projects_of_units_of_assets(ids) -> list[int]:
    """``reach.projects_of_units_of_assets``: the projects selling assets of these assets'
    units."""
    ids = _ints(ids)
    if not ids:
        return []
    sql = statement("reach_projects_of_units", (len(ids),), lambda i: f"""
        SELECT DISTINCT p.id FROM disposal_disposalproject p
        JOIN disposal_packageitem i ON i.package_id = p.package_id
        JOIN register_asset a ON a.id = i.asset_id
        WHERE a.unit_id IN (SELECT w.unit_id FROM register_asset w
                            WHERE w.id IN ({i}))""")  # fmt: skip
    return [pk for (pk,) in rows(sql, ids)]


def site_assets(asset_ids=(), package_ids=(), sold: bool = False) -> list[tuple]:
    """(id, unit, address, written) of every asset with an address of the units holding the
    written assets (with an address): ``asset_ids`` and the items of ``package_ids`` (with
    ``sold``, only of those packages some project sells). ``written`` is 1 for those, else 0."""
    assets, packages = _ints(asset_ids), _ints(package_ids)
    if not assets and not packages:
        return []

    def build(a: str, p: str) -> str:
        parts = [f"SELECT id FROM register_asset WHERE id IN ({a})"] if assets else []
        if packages:
            parts.append(
                f"SELECT i.asset_id FROM disposal_packageitem i WHERE i.package_id IN ({p})"
                + (" AND EXISTS (SELECT 1 FROM disposal_disposalproject d"
                   " WHERE d.package_id = i.package_id)" if sold else "")
            )  # fmt: skip
        return f"""
            WITH written (id) AS ({" UNION ".join(parts)})
            SELECT a.id, a.unit_id, a.address,
                   CASE WHEN a.id IN (SELECT id FROM written) THEN 1 ELSE 0 END
            FROM register_asset a
            WHERE a.address <> '' AND a.unit_id IN (
                SELECT w.unit_id FROM register_asset w
                WHERE w.address <> '' AND w.id IN (SELECT id FROM written))"""

    sql = statement("site_assets", (len(assets), len(packages), int(sold)),
                    lambda a, p, _sold: build(a, p))  # fmt: skip
    return rows(sql, [*assets, *packages])


def packages_at_sites(package_ids=(), asset_ids=()) -> list[int]:
    """``reach.packages_at_sites``: every package holding assets at the sites of these
    packages' or these assets' assets."""
    found = site_assets(asset_ids, package_ids)
    sites = {site_key(unit, address) for _pk, unit, address, written in found if written}
    at_sites = sorted({pk for pk, unit, address, _w in found if site_key(unit, address) in sites})
    if not at_sites:
        return []
    sql = statement("packages_of_assets", (len(at_sites),), lambda i: f"""
        SELECT DISTINCT package_id FROM disposal_packageitem
        WHERE asset_id IN ({i})""")  # fmt: skip
    return sorted(pk for (pk,) in rows(sql, at_sites))


def site_packages(package_ids) -> dict[str, set[int]]:
    """``splitting._items`` for a scope of these packages alone, everywhere: per site of their
    assets (the packages some project sells), the live packages of a selling channel holding
    its assets."""
    found = site_assets(package_ids=package_ids, sold=True)
    touched = {site_key(u, a) for _pk, u, a, written in found if written and a.strip()}
    at_site = {
        pk: key for pk, u, a, _w in found if a.strip() and (key := site_key(u, a)) in touched
    }
    sites: dict[str, set[int]] = {}
    if not at_site:
        return sites
    ids = sorted(at_site)
    sql = statement("site_packages", (len(ids), len(_SELLING), len(_LIVE)), lambda i, c, s: f"""
        SELECT i.package_id, i.asset_id FROM disposal_packageitem i
        JOIN disposal_package k ON k.id = i.package_id
        WHERE i.asset_id IN ({i}) AND k.channel IN ({c}) AND k.status IN ({s})""")  # fmt: skip
    for package_id, asset_id in rows(sql, [*ids, *_SELLING, *_LIVE]):
        sites.setdefault(at_site[asset_id], set()).add(package_id)
    return sites


def package_values(package_ids) -> dict[int, Decimal]:
    """``splitting.package_values``: each package's live project's deal price, else reserve,
    else its assets' appraised (else book) values."""
    ids = _ints(package_ids)
    if not ids:
        return {}
    sql = statement("package_values", (len(ids),), lambda i: f"""
        SELECT k.id, SUM(COALESCE(a.appraised_value, a.book_value)) FROM disposal_package k
        LEFT JOIN disposal_packageitem i ON i.package_id = k.id
        LEFT JOIN register_asset a ON a.id = i.asset_id
        WHERE k.id IN ({i})
        GROUP BY k.id""")  # fmt: skip
    values = {p: Decimal(money(v, None) or 0) for p, v in rows(sql, ids)}
    sql = statement("package_live_prices", (len(ids),), lambda i: f"""
        SELECT package_id, deal_price, reserve_price FROM disposal_disposalproject
        WHERE package_id IN ({i}) AND NOT (status = %s)
        ORDER BY created_at DESC, code""")  # fmt: skip
    fields = [None, *(DisposalProject._meta.get_field(n) for n in ("deal_price", "reserve_price"))]
    for p, deal, reserve in converted(fields, rows(sql, [*ids, str(ProjectStatus.WITHDRAWN)])):
        values[p] = deal or reserve
    return values


def packages(ids) -> dict[int, Package]:
    """The packages ``ids`` with their place loaded (``select_related("jurisdiction")``)."""
    ids = _ints(ids)
    if not ids:
        return {}
    pf, jf = Package._meta.concrete_fields, Jurisdiction._meta.concrete_fields
    cols = ", ".join([*(f"k.{f.column}" for f in pf), *(f"j.{f.column}" for f in jf)])
    sql = statement("split_packages", (len(ids),), lambda i: f"""
        SELECT {cols} FROM disposal_package k
        JOIN organisation_jurisdiction j ON j.id = k.jurisdiction_id
        WHERE k.id IN ({i})""")  # fmt: skip
    out = {}
    n = len(pf)
    for row in converted([*pf, *jf], rows(sql, ids)):
        package = Package.from_db(connection.alias, [f.attname for f in pf], row[:n])
        package.jurisdiction = Jurisdiction.from_db(
            connection.alias, [f.attname for f in jf], row[n:]
        )
        out[package.pk] = package
    return out


def price_rules(classes) -> dict[tuple[str, str], SimpleNamespace]:
    """``splitting.price_rules``: every place's own thresholds of these rule classes, by (path,
    class): the evaded thresholds only."""
    classes = sorted(str(c) for c in classes)
    names = ("finance_approval_above", "physical_mid_to")
    cols = ", ".join(f"r.{PriceRuleSet._meta.get_field(n).column}" for n in names)
    sql = statement("split_price_rules", (len(classes),), lambda c: f"""
        SELECT j.path, r.rule_class, {cols} FROM pricing_priceruleset r
        JOIN organisation_jurisdiction j ON j.id = r.jurisdiction_id
        WHERE r.rule_class IN ({c})""")  # fmt: skip
    fields = [None, None, *(PriceRuleSet._meta.get_field(n) for n in names)]
    return {(path, rule_class): SimpleNamespace(**dict(zip(names, values, strict=True)))
            for path, rule_class, *values in converted(fields, rows(sql, classes))}  # fmt: skip
