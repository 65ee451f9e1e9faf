"""People red flags: who bid and who bought (DESIGN.md §3; State-Owned Assets Law art. 56:
insiders and their relatives bid on equal terms and take no part in running the sale).

* ``people.related_bidder`` — a bidder or buyer who declared a relation (relative, employee,
  shareholder) to the holding unit of an asset in the sale or to a unit of the selling place.
* ``people.shared_contact`` — two parties in one sale sharing an address, a phone or a bank
  account (one bidder behind several names).
* ``people.repeat_buyer`` — the same buyer winning many deals in one place within a window.

The parties of a sale are the bidders registered for its lots and its buyer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from django.db.models import Min

from panhuo.auctions.models import LotRegistration
from panhuo.bidders.models import Bidder, DeclaredRelation
from panhuo.disposal.models import DisposalProject, PackageItem, ProjectEvent
from panhuo.disposal.workflow import AFTER_DEAL
from panhuo.flags.hits import Hit, Limits, Scope, unique

RELATED = "related_bidder"
SHARED = "shared_contact"
REPEAT = "repeat_buyer"

DEFAULTS = {
    RELATED: {"buyers_only": False},
    SHARED: {"min_shared": 1},
    REPEAT: {"min_wins": 3, "window_days": 365},
}
CONTACTS = ("phone", "address", "bank_account")


def _parties(scope: Scope, buyers_only: bool = False) -> dict[int, set[int]]:
    """Per project in scope: the bidders registered for its lots and its registered buyer."""
    projects = DisposalProject.objects.filter(scope.projects_q())
    out: dict[int, set[int]] = defaultdict(set)
    for pk, buyer in projects.exclude(buyer_party=None).values_list("pk", "buyer_party_id"):
        out[pk].add(buyer)
    if not buyers_only:
        regs = LotRegistration.objects.filter(lot__round__project__in=projects.values("pk"))
        for pk, bidder in regs.values_list("lot__round__project_id", "bidder_id"):
            out[pk].add(bidder)
    return out


def related_bidders(scope: Scope, limits: Limits) -> list[Hit]:
    """Parties of a sale with a declared relation to a holding unit of its assets or to a unit
    of the selling place; one hit per project and party."""
    parties = {}
    for buyers_only in (False, True):
        found = _parties(scope, buyers_only)
        parties[buyers_only] = found
    everyone = set().union(*parties[False].values()) if parties[False] else set()
    relations = defaultdict(list)
    for r in (
        DeclaredRelation.objects.filter(bidder__in=everyone)
        .exclude(unit=None)
        .select_related("unit")
    ):
        relations[r.bidder_id].append(r)
    if not relations:
        return []
    projects = DisposalProject.objects.select_related("package", "buyer_party").in_bulk(
        [p for p, b in parties[False].items() if b & relations.keys()]
    )
    units = defaultdict(set)
    for pkg, unit in PackageItem.objects.filter(package__projects__in=projects).values_list(
        "package_id", "asset__unit_id"
    ):
        units[pkg].add(unit)
    hits = []
    for pid, p in projects.items():
        jur = p.package.jurisdiction_id
        buyers_only = bool(limits(RELATED, jur)["buyers_only"])
        found = [
            _related(p, b, relations.get(b, []), units[p.package_id])
            for b in sorted(parties[buyers_only].get(pid, ()))
        ]
        found = [f for f in found if f]
        if found:
            hits.append(_related_hit(p, found))
    return hits


def _related(project, bidder_id, relations, units) -> tuple | None:
    """A party's relations to the sale's holding units or its place (None: none)."""
    jur = project.package.jurisdiction_id
    match = [r for r in relations if r.unit_id in units or r.unit.jurisdiction_id == jur]
    return (match[0].bidder, match, units) if match else None


def _related_hit(project, found) -> Hit:
    """One hit per sale: each related party, whether they bought, and their relations."""
    parties = [
        {
            "bidder": b.name,
            "buyer": project.buyer_party_id == b.pk,
            "relations": [
                {"kind": r.kind, "who": r.who, "unit": r.unit.name, "holds_asset": r.unit_id in u}
                for r in match
            ],
        }
        for b, match, u in found
    ]
    first = found[0][1][0]
    figures = {
        "bidder": found[0][0].name,
        "relation": f"{first.who} ({first.unit.name})",
        "related_parties": len(found),
        "parties": parties,
    }
    records = [project, *(b for b, _m, _u in found), *(r.unit for _b, m, _u in found for r in m)]
    return Hit(RELATED, project, project.package.jurisdiction_id, "", figures, unique(records))


def _norm(value: str) -> str:
    """A contact compared as typed apart from spaces, dashes and case."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


def shared(a: Bidder, b: Bidder) -> list[str]:
    """The contact fields two parties share (blank fields never match)."""
    return [
        f for f in CONTACTS if _norm(getattr(a, f)) and _norm(getattr(a, f)) == _norm(getattr(b, f))
    ]


def shared_contacts(scope: Scope, limits: Limits) -> list[Hit]:
    """Pairs of parties in one sale sharing contacts; one hit per project and pair."""
    parties = {p: b for p, b in _parties(scope).items() if len(b) >= 2}
    if not parties:
        return []
    bidders = Bidder.objects.in_bulk(set().union(*parties.values()))
    projects = DisposalProject.objects.select_related("package").in_bulk(parties)
    hits = []
    for pid, ids in sorted(parties.items()):
        p = projects[pid]
        need = int(limits(SHARED, p.package.jurisdiction_id)["min_shared"])
        pairs = []
        for a, b in combinations(sorted(ids), 2):
            fields = shared(bidders[a], bidders[b])
            if fields and len(fields) >= need:
                pairs.append((bidders[a], bidders[b], fields))
        if pairs:
            hits.append(_shared_hit(p, pairs))
    return hits


def _shared_hit(project, pairs) -> Hit:
    """One hit per sale: each pair of parties and the contacts they share."""
    a, b, fields = pairs[0]
    figures = {
        "bidders": f"{a.name}, {b.name}",
        "shared": ", ".join(fields),
        "pairs": [{"bidders": [x.name, y.name], "shared": f} for x, y, f in pairs],
    }
    records = unique([project, *(x for pair in pairs for x in pair[:2])])
    return Hit(SHARED, project, project.package.jurisdiction_id, "", figures, records)


def _deal_days(project_ids) -> dict[int, dt.date]:
    """When each project's deal was made: its ``conclude`` event (else when it was created)."""
    days = {
        pk: at.date()
        for pk, at in ProjectEvent.objects.filter(project__in=project_ids, transition="conclude")
        .values("project")
        .annotate(at=Min("at"))
        .values_list("project", "at")
    }
    return days


def most_in_window(days: list[dt.date], window: int) -> tuple[int, int]:
    """The most deals within ``window`` days of each other, and where that run starts (the
    index into the sorted days): a sliding window."""
    days = sorted(days)
    best, start, lo = 0, 0, 0
    for hi, d in enumerate(days):
        while (d - days[lo]).days > window:
            lo += 1
        if hi - lo + 1 > best:
            best, start = hi - lo + 1, lo
    return best, start


def repeat_buyers(scope: Scope, limits: Limits) -> list[Hit]:
    """Buyers (a registered party, else the name as typed) winning at least ``min_wins`` deals
    in one place within ``window_days``; one hit per place and buyer."""
    narrowed = scope
    if scope.narrowed:
        # The buyers the write touched, then every deal of theirs in the place.
        touched = DisposalProject.objects.filter(scope.projects_q()).exclude(buyer="")
        narrowed = Scope(path=scope.path)
        keys = {(b, n.strip().lower()) for b, n in touched.values_list("buyer_party_id", "buyer")}
    deals = DisposalProject.objects.filter(narrowed.projects_q(), status__in=AFTER_DEAL).exclude(
        buyer=""
    )
    rows = list(
        deals.values_list("pk", "package__jurisdiction_id", "buyer_party_id", "buyer", "created_at")
    )
    if scope.narrowed:
        rows = [r for r in rows if (r[2], r[3].strip().lower()) in keys]
    events = _deal_days([r[0] for r in rows])
    groups = defaultdict(list)
    for pk, jur, party, name, created in rows:
        who = f"party:{party}" if party else f"name:{name.strip().lower()}"
        groups[jur, who].append((events.get(pk, created.date()), pk))
    return _repeat_hits(groups, limits)


def _repeat_hits(groups, limits) -> list[Hit]:
    found = []
    for (jur, who), deals in sorted(groups.items()):
        lim = limits(REPEAT, jur)
        deals.sort()
        n, start = most_in_window([d for d, _ in deals], int(lim["window_days"]))
        if n >= int(lim["min_wins"]):
            found.append((jur, who, n, lim, deals[start : start + n]))
    projects = DisposalProject.objects.in_bulk([pk for *_, run in found for _, pk in run])
    hits = []
    for jur, who, n, lim, run in found:
        records = tuple(projects[pk] for _, pk in run)
        figures = {"buyer": records[-1].buyer, "wins": n, "window_days": int(lim["window_days"]),
                   "first": run[0][0].isoformat(), "last": run[-1][0].isoformat(),
                   "deal_total": sum(p.deal_price or 0 for p in records)}  # fmt: skip
        hits.append(Hit(REPEAT, records[-1], jur, who, figures, records))
    return hits


# --- the rules, as the engine runs them -----------------------------------------------------

from decimal import Decimal  # noqa: E402

from django.utils.translation import gettext_lazy as _  # noqa: E402

from panhuo.flags import reach  # noqa: E402
from panhuo.flags.hits import declare  # noqa: E402
from panhuo.flags.models import Severity  # noqa: E402
from panhuo.flags.registry import PEOPLE, Param, same  # noqa: E402

_PARTIES = {"disposal.disposalproject": same, "bidders.bidder": reach.projects_of_bidders,
            "bidders.declaredrelation": reach.projects_of_relations,
            "auctions.lotregistration": reach.projects_of_registrations}  # fmt: skip


related_bidder = declare(
    related_bidders, RELATED, Severity.HIGH, category=PEOPLE,
    label=_("Bidder related to an official or unit"),
    source=_("State-Owned Assets Law (2008) art. 56; DESIGN.md §3"),
    explanation=_("%(related_parties)s party(ies) of this sale declared a relation to a holding "
                  "unit of its assets or a unit of its place: %(bidder)s, %(relation)s."),
    subject="disposal.disposalproject",
    params=[Param("buyers_only", 0, _("Flag the buyer only (1) or every registered bidder (0)"),
                  _("State-Owned Assets Law art. 56: insiders bid on equal terms"),
                  high=Decimal(1))],
    watches=_PARTIES,
)  # fmt: skip


shared_contact = declare(
    shared_contacts, SHARED, Severity.MEDIUM, category=PEOPLE,
    label=_("Bidders sharing an address, phone or account"),
    source=_("State-Owned Assets Law (2008) art. 54 (competitive bidding); DESIGN.md §3"),
    explanation=_("Parties of this sale share contact details: %(bidders)s share %(shared)s."),
    subject="disposal.disposalproject",
    params=[Param("min_shared", 1, _("Flag parties sharing at least this many of address, "
                                     "phone and bank account"),
                  _("DESIGN.md §3"), low=Decimal(1), high=Decimal(3))],
    watches=_PARTIES,
)  # fmt: skip


repeat_buyer = declare(
    repeat_buyers, REPEAT, Severity.MEDIUM, category=PEOPLE,
    label=_("The same buyer winning repeatedly in one place"),
    source=_("DESIGN.md §3 (one buyer taking several packages from one place)"),
    explanation=_("%(buyer)s won %(wins)s deals here within %(window_days)s days (%(first)s to "
                  "%(last)s), %(deal_total)s yuan in all."),
    subject="disposal.disposalproject",
    params=[Param("min_wins", 3, _("Flag a buyer with at least this many deals"),
                  _("DESIGN.md §3"), low=Decimal(2), high=Decimal(1000)),
            Param("window_days", 365, _("within this many days"), _("DESIGN.md §3"),
                  low=Decimal(1), high=Decimal(3660))],
    watches={"disposal.disposalproject": reach.deals_of_same_buyers},
)  # fmt: skip
