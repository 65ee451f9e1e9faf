"""Seeding the demo district through the service functions, deterministically.

One ``random.Random(seed)`` draws every choice, and every date is fixed relative to
``REFERENCE_DATE`` (never the real today), so two seeds of fresh databases give the same asset
codes, names and amounts. Every write of the register, disposal and finance goes through the
services as the user whose role takes it, so the audit chain, the project events and the money
controls are the real ones. The organisation (jurisdictions, units, users, roles) has no service
functions yet; it is written here, each object with its own audit entry.

The whole seed is one transaction: either the district is there complete, or not at all. The
demo jurisdiction is the marker; a second run finds it and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from panhuo.disposal import services as disposal
from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.finance import services as finance
from panhuo.finance.models import Allocation, BudgetClass, Debt, Receipt
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, TaskForce, Unit, User
from panhuo.register import services as register
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import seed_approvals, seed_channels, seed_pricing

CENT = Decimal("0.01")
USER_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "language"]


@dataclass(frozen=True)
class DemoSize:
    """How big a district to seed. ``FULL`` is the demo; ``SMALL`` is the same code for tests."""

    assets: int
    other_assets: int
    debts: int
    other_debts: int
    projects: dict[str, int]
    open_packages: int
    max_package: int = 4


FULL = DemoSize(
    assets=2000,
    other_assets=160,
    debts=44,
    other_debts=6,
    projects={
        ProjectStatus.DRAFT: 6,
        ProjectStatus.SUBMITTED: 5,
        ProjectStatus.APPROVED: 4,
        ProjectStatus.LISTED: 6,
        ProjectStatus.CONCLUDED: 8,
        ProjectStatus.CLOSED: 18,
        ProjectStatus.WITHDRAWN: 5,
        **seed_channels.FULL_EXTRA,
    },
    open_packages=3,
)
SMALL = DemoSize(
    assets=72,
    other_assets=6,
    debts=8,
    other_debts=2,
    projects={s: 1 for s in ProjectStatus} | {ProjectStatus.CLOSED: 2},
    open_packages=1,
    max_package=2,
)
SIZES = {"full": FULL, "small": SMALL}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    where: str


@dataclass
class SeedResult:
    created: bool
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)


def is_seeded() -> bool:
    return Jurisdiction.objects.filter(code=c.MARKER_CODE).exists()


def demo_accounts() -> list[DemoAccount]:
    """The demo's sign-ins that exist in this database, with their documented password."""
    present = set(User.objects.filter(username__in=c.USERS).values_list("username", flat=True))
    where = {"district": c.DISTRICT[1], "other": c.OTHER_DISTRICT[1], "city": c.CITY[1]}
    unit_name = c.UNITS[c.OFFICER_UNIT][0]
    return [
        DemoAccount(
            username=name,
            password=c.DEMO_PASSWORD,
            role=str(role.label),
            where=unit_name if role == Role.UNIT_OFFICER else where[place],
        )
        for name, (role, place, _first, _last) in c.USERS.items()
        if name in present
    ]


def seed_demo(
    *, size: DemoSize = FULL, seed: int = c.DEFAULT_SEED, log: Callable[[str], None] | None = None
) -> SeedResult:
    """Seed the demo district once; a database that already has it is left as it is."""
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    with transaction.atomic():
        # Checked inside the transaction: on SQLite it holds the write lock from BEGIN, so two
        # concurrent seeds cannot both pass; on PostgreSQL the unique code stops the second.
        if is_seeded():
            return SeedResult(False, 0.0, demo_counts(), demo_accounts())
        seeder = _Seeder(random.Random(seed), size, say)
        seeder.run()
    return SeedResult(True, time.perf_counter() - started, demo_counts(), demo_accounts())


def demo_counts() -> dict[str, Any]:
    """What the demo district holds, for the command's summary and the tests."""
    return {
        "jurisdictions": Jurisdiction.objects.filter(code__startswith="DEMO-").count(),
        "units": Unit.objects.filter(jurisdiction__code__startswith="DEMO-").count(),
        "users": User.objects.filter(username__in=c.USERS).count(),
        "assets": Asset.objects.count(),
        "assets_by_kind": dict(
            Asset.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind")
        ),
        "debts": Debt.objects.count(),
        "debts_by_type": dict(
            Debt.objects.values_list("debt_type").annotate(n=Count("pk")).order_by("debt_type")
        ),
        "packages": Package.objects.count(),
        "projects": DisposalProject.objects.count(),
        "projects_by_status": dict(
            DisposalProject.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        ),
        "receipts": Receipt.objects.count(),
        "allocations": Allocation.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }


def _money(yuan: int) -> Decimal:
    return Decimal(yuan).quantize(CENT)


def _round(yuan: int, step: int) -> int:
    return max(step, yuan // step * step)


def _not_after_today(day: dt.date) -> dt.date:
    # The data lives before REFERENCE_DATE; this only matters on a machine whose clock is
    # earlier still, where a receipt may not be dated in the future.
    return min(day, timezone.localdate())


class _Seeder:
    def __init__(self, rng: random.Random, size: DemoSize, say: Callable[[str], None]):
        self.rng = rng
        self.size = size
        self.say = say
        self.places: dict[str, Jurisdiction] = {}
        self.units: dict[str, Unit] = {}
        self.users: dict[str, User] = {}
        self.kind_seq: Counter[str] = Counter()
        self.voucher_seq = 0
        self.approver_turn = 0
        self.debts: list[Debt] = []
        self.outstanding: dict[int, Decimal] = {}

    def run(self) -> None:
        self.organisation()
        self.say(f"Registering {self.size.assets + self.size.other_assets:,} assets…")
        self.assets(c.DISTRICT[0], self.size.assets, "office")
        self.assets(c.OTHER_DISTRICT[0], self.size.other_assets, "dc_office")
        self.say("Recording debts…")
        self.debts = self.debt_register(c.DISTRICT[0], self.size.debts, "finance")
        self.debt_register(c.OTHER_DISTRICT[0], self.size.other_debts, "dc_finance")
        self.outstanding = {d.pk: d.outstanding for d in self.debts}
        seed_pricing.appraise(self)  # valuations, before projects are listed
        seed_approvals.seed(self)  # approval chains and a delegation, before the projects
        self.say("Taking disposal projects through their states…")
        self.disposals()
        seed_pricing.estimate(self)  # the valuation model, trained on the deals
        from panhuo.site.demo import seed_deposits

        seed_deposits.seed(self)  # bidders' deposits, a sale paid by instalments
        from panhuo.site.demo import seed_documents

        seed_documents.seed(self)  # appraisal reports, approvals, contracts
        from panhuo.site.demo import seed_monitor

        seed_monitor.seed(self)  # monthly fiscal revenue by category, from 2022
        from panhuo.site.demo import seed_securities

        seed_securities.seed(self)  # guarantees and collateral of the district's debts

    # Organisation ---------------------------------------------------------------------------

    def _record(self, obj, after: dict[str, Any], path: str) -> None:
        audit_record(
            actor=None,
            action=f"{obj._meta.model_name}.create",
            obj=obj,
            after=after,
            jurisdiction_path=path,
        )

    def organisation(self) -> None:
        levels = [
            (c.PROVINCE, Jurisdiction.Level.PROVINCE, None),
            (c.CITY, Jurisdiction.Level.CITY, c.PROVINCE[0]),
            (c.DISTRICT, Jurisdiction.Level.DISTRICT, c.CITY[0]),
            (c.OTHER_DISTRICT, Jurisdiction.Level.DISTRICT, c.CITY[0]),
        ]
        for (code, name), level, parent in levels:
            j = Jurisdiction.objects.create(
                code=code, name=name, level=level, parent=self.places.get(parent)
            )
            self.places[code] = j
            self._record(j, snapshot(j), j.path)
        for code, (name, established) in c.TASK_FORCES.items():
            tf = TaskForce.objects.create(
                jurisdiction=self.places[code], name=name, established_on=established
            )
            self._record(tf, snapshot(tf), tf.jurisdiction.path)
        for code, (name, kind, place) in c.UNITS.items():
            unit = Unit(code=code, name=name, kind=kind, jurisdiction=self.places[place])
            unit.full_clean()
            unit.save(force_insert=True)
            self.units[code] = unit
            self._record(unit, snapshot(unit), unit.jurisdiction.path)
        where = {"district": c.DISTRICT[0], "other": c.OTHER_DISTRICT[0], "city": c.CITY[0]}
        for username, (role, place, first, last) in c.USERS.items():
            user = User.objects.create_user(
                username,
                email=f"{username}@demo.panhuo.example",
                password=c.DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
            self.users[username] = user
            jurisdiction = self.places[where[place]]
            self._record(user, snapshot(user, USER_FIELDS), jurisdiction.path)
            ra = RoleAssignment.objects.create(
                user=user,
                role=role,
                jurisdiction=jurisdiction,
                unit=self.units[c.OFFICER_UNIT] if role == Role.UNIT_OFFICER else None,
            )
            self._record(ra, snapshot(ra), jurisdiction.path)

    # Register -------------------------------------------------------------------------------

    def assets(self, district: str, count: int, registrar: str) -> None:
        kinds = list(c.KIND_WEIGHTS)
        weights = list(c.KIND_WEIGHTS.values())
        prefix = district.removeprefix("DEMO-")
        for i in range(count):
            # Every kind at least once, then by weight.
            kind = kinds[i] if i < len(kinds) else self.rng.choices(kinds, weights)[0]
            holders = [u for u in c.KIND_UNITS[kind] if c.UNITS[u][2] == district]
            if not holders:
                holders = [u for u, spec in c.UNITS.items() if spec[2] == district]
            unit = self.units[self.rng.choice(holders)]
            self.kind_seq[f"{prefix}{kind}"] += 1
            code = f"{prefix}-{c.KIND_CODES[kind]}-{self.kind_seq[f'{prefix}{kind}']:05d}"
            data = {"code": code, "unit": unit, "kind": kind, **self.asset_spec(kind, district)}
            # A unit's own asset officer registers that unit's assets; the office the rest.
            actor = self.users["unit_officer" if unit.code == c.OFFICER_UNIT else registrar]
            register.asset_create(actor=actor, data=data)

    def asset_spec(self, kind: str, district: str) -> dict[str, Any]:
        r = self.rng
        road = r.choice(c.ROADS)
        place = r.choice(c.PLACES)
        area: int | None = None
        fill = {
            "road": road,
            "place": place,
            "hill": r.choice(c.HILLS),
            "water": r.choice(c.WATERS),
            "company": r.choice(c.COMPANIES),
            "owner": r.choice(c.OWNERS),
            "year": r.randint(2019, 2025),
            "n": r.randint(12, 480),
            "a": r.randint(2, 9),
        }
        fill["b"] = fill["a"] + r.randint(1, 4)
        if kind == AssetKind.LAND:
            area = r.randint(1_500, 60_000)
            book = area * r.randint(600, 4_500)
            appraised_pct = r.randint(100, 240)
            name = f"{r.choice(c.LAND_USES)} land-use right, {place} plot HX{fill['year']}-"
            name += f"{r.randint(1, 199):03d}"
        elif kind == AssetKind.BUILDING:
            area = r.randint(80, 15_000)
            book = area * r.randint(2_500, 9_000)
            appraised_pct = r.randint(80, 160)
            name = r.choice(c.BUILDINGS).format(**fill) + f", {road}"
        elif kind == AssetKind.VEHICLE:
            model, body = r.choice(c.VEHICLES)
            book = r.randint(60_000, 450_000)
            appraised_pct = r.randint(15, 70)
            plate = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))
            name = f"{model} {body}, plate JN·A{plate}"
        elif kind == AssetKind.EQUIPMENT:
            label, low, high = r.choice(c.EQUIPMENT)
            book = r.randint(low, high)
            appraised_pct = r.randint(10, 80)
            name = label
        elif kind == AssetKind.EQUITY:
            pct = r.choice([5, 10, 12, 15, 20, 25, 30, 34, 49, 51])
            book = r.randint(1_000_000, 80_000_000)
            appraised_pct = r.randint(60, 200)
            name = f"{pct}% stake in {fill['company']}"
        elif kind == AssetKind.OPERATING_RIGHT:
            book = r.randint(200_000, 20_000_000)
            appraised_pct = r.randint(80, 300)
            name = r.choice(c.OPERATING_RIGHTS).format(**fill)
        elif kind == AssetKind.NATURAL_RESOURCE:
            area = r.randint(10_000, 2_000_000)
            book = r.randint(1_000_000, 60_000_000)
            appraised_pct = r.randint(100, 300)
            name = r.choice(c.NATURAL_RESOURCES).format(**fill)
        elif kind == AssetKind.DATA:
            book = r.randint(50_000, 3_000_000)
            appraised_pct = r.randint(50, 400)
            name = r.choice(c.DATA_ASSETS).format(**fill)
        else:  # receivable / idle fund
            book = r.randint(100_000, 30_000_000)
            appraised_pct = r.randint(30, 100)
            name = r.choice(c.RECEIVABLES).format(**fill)
        book = _round(book, 100)
        # One asset in eight has no appraisal yet.
        appraised = None if r.random() < 0.125 else _round(book * appraised_pct // 100, 100)
        statuses, sweights = list(c.STATUS_WEIGHTS), list(c.STATUS_WEIGHTS.values())
        crits, cweights = list(c.CRITICALITY_WEIGHTS), list(c.CRITICALITY_WEIGHTS.values())
        spec: dict[str, Any] = {
            "name": name[:200],
            "book_value": _money(book),
            "appraised_value": None if appraised is None else _money(appraised),
            "status": r.choices(statuses, sweights)[0],
            "criticality": r.choices(crits, cweights)[0],
            "area": None if area is None else _money(area),
        }
        # The full record: when it fell idle, depreciation, income and cost, title and age —
        # so that the scope rules find real candidates and exclusions in the demo.
        if spec["status"] in (AssetStatus.IDLE, AssetStatus.UNDER_USED):
            spec["idle_since"] = c.REFERENCE_DATE - dt.timedelta(days=r.randint(20, 6 * 365))
        acquired_years = r.randint(1, 30)
        spec["acquired_on"] = c.REFERENCE_DATE - dt.timedelta(days=round(acquired_years * 365.25))
        if kind in (AssetKind.BUILDING, AssetKind.VEHICLE, AssetKind.EQUIPMENT):
            life = {AssetKind.BUILDING: 50, AssetKind.VEHICLE: 8, AssetKind.EQUIPMENT: 10}[kind]
            share = min(acquired_years, life) / life
            spec["accumulated_depreciation"] = _money(_round(int(book * share * 0.95), 100))
        if spec["status"] in (AssetStatus.IN_USE, AssetStatus.LEASED_OUT):
            spec["annual_income"] = _money(_round(book * r.randint(0, 8) // 100, 100))
        spec["annual_holding_cost"] = _money(_round(book * r.randint(0, 3) // 100, 100))
        spec["title_complete"] = r.random() < (
            0.8 if kind in (AssetKind.LAND, AssetKind.BUILDING) else 0.95
        )
        if spec["title_complete"] and kind in (AssetKind.LAND, AssetKind.BUILDING):
            spec["certificate_number"] = f"JN({c.REFERENCE_DATE.year - acquired_years})"
            spec["certificate_number"] += f"Qinghe No.{r.randint(1, 99999):05d}"
        if kind in c.LOCATED or kind in c.ADDRESSED:
            district_name = c.DISTRICT[1] if district == c.DISTRICT[0] else c.OTHER_DISTRICT[1]
            spec["address"] = f"No. {r.randint(1, 888)} {road}, {district_name.split(' ')[0]} "
            spec["address"] += "District, Qinghe"
        if kind in c.LOCATED:
            lat, lon = c.CENTRE[district]
            spec["latitude"] = Decimal(lat + round(r.gauss(0, 1) * 22_000)).scaleb(-6)
            spec["longitude"] = Decimal(lon + round(r.gauss(0, 1) * 26_000)).scaleb(-6)
        return spec

    # Debts ----------------------------------------------------------------------------------

    def debt_register(self, district: str, count: int, officer: str) -> list[Debt]:
        types = list(c.DEBT_TYPES)
        weights = [14, 14, 30, 12, 10, 12, 8]
        debts = []
        for i in range(count):
            debt_type = types[i] if i < len(types) else self.rng.choices(types, weights)[0]
            creditors, (rate_lo, rate_hi), (p_lo, p_hi), (t_lo, t_hi) = c.DEBT_TYPES[debt_type]
            principal = self.rng.randint(p_lo, p_hi) * 10_000
            issue = c.REFERENCE_DATE - dt.timedelta(days=self.rng.randint(120, 8 * 365))
            maturity = issue + dt.timedelta(days=round(self.rng.randint(t_lo, t_hi) * 365.25))
            outstanding = principal
            if debt_type in {"bank_loan", "trust_leasing"}:
                # Amortising loans have repaid part of their principal already.
                outstanding = _round(principal * self.rng.randint(55, 100) // 100, 10_000)
            data = {
                "creditor": self.rng.choice(creditors),
                "debt_type": debt_type,
                "principal": _money(principal),
                "rate": Decimal(self.rng.randint(rate_lo, rate_hi)).scaleb(-3),
                "issue_date": issue,
                "maturity_date": maturity,
                "outstanding": _money(outstanding),
            }
            debts.append(
                finance.debt_create(
                    actor=self.users[officer], jurisdiction=self.places[district], data=data
                )
            )
        return debts

    # Disposals ------------------------------------------------------------------------------

    def _buckets(self) -> dict[tuple[str, str], list[Asset]]:
        """Assets that may be packaged, grouped by (unit, kind): idle or under-used and not
        essential, in the demo district."""
        buckets: dict[tuple[str, str], list[Asset]] = defaultdict(list)
        eligible = (
            Asset.objects.filter(
                unit__jurisdiction=self.places[c.DISTRICT[0]],
                status__in=[AssetStatus.IDLE, AssetStatus.UNDER_USED, AssetStatus.OCCUPIED],
            )
            .exclude(criticality=Criticality.ESSENTIAL)
            .select_related("unit")
            .order_by("code")
        )
        for asset in eligible:
            buckets[(asset.unit.code, asset.kind)].append(asset)
        return buckets

    def _take(self, buckets, *, unit: str | None = None) -> list[Asset]:
        keys = sorted(k for k, v in buckets.items() if v and (unit is None or k[0] == unit))
        if not keys:
            raise RuntimeError("The demo size leaves too few idle assets for its packages.")
        key = self.rng.choice(keys)
        count = min(self.rng.randint(1, self.size.max_package), len(buckets[key]))
        taken = self.rng.sample(buckets[key], count)
        for a in taken:
            buckets[key].remove(a)
        return taken

    def _package(self, assets: list[Asset], n: int, channel: str | None = None) -> Package:
        kind = assets[0].kind
        unit_name = assets[0].unit.name.removeprefix("Hexi District ").removeprefix("Hexi ")
        return disposal.package_create(
            actor=self.users["office"],
            jurisdiction=self.places[c.DISTRICT[0]],
            name=f"{c.KIND_PLURAL[kind]} of {unit_name.split(' 河')[0]} — lot {n}",
            channel=channel or self.rng.choice(c.KIND_CHANNELS[kind]),
            asset_ids=[a.pk for a in assets],
        )

    def _approver(self) -> User:
        self.approver_turn += 1
        return self.users["head" if self.approver_turn % 2 else "deputy"]

    def disposals(self) -> None:
        buckets = self._buckets()
        targets = [status for status, n in self.size.projects.items() for _ in range(n)]
        self.rng.shuffle(targets)
        withdraw_from = [ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.APPROVED]
        withdraw_from.append(ProjectStatus.LISTED)
        drafts = 0
        for n, target in enumerate(targets, start=1):
            by_unit_officer = n % 4 == 0 and any(
                v for k, v in buckets.items() if k[0] == c.OFFICER_UNIT
            )
            assets = self._take(buckets, unit=c.OFFICER_UNIT if by_unit_officer else None)
            package = self._package(
                assets, n, seed_channels.channel_for(self, target, assets[0].kind, n)
            )
            proposer = self.users["unit_officer" if by_unit_officer else "office"]
            appraised = sum(int(a.appraised_value or a.book_value) for a in assets)
            # The reserve is set from the appraisal and never below it on a first listing.
            reserve = _round(appraised * self.rng.randint(100, 106) // 100, 1_000)
            project = disposal.project_create(
                actor=proposer,
                package=package,
                reserve_price=_money(reserve),
                note=f"Appraisal report QH-PG-{c.REFERENCE_DATE.year}-{n:04d}.",
            )
            stop = target
            if target == ProjectStatus.WITHDRAWN:
                stop = withdraw_from[(n - 1) % len(withdraw_from)]
            if target == ProjectStatus.DRAFT:
                drafts += 1
                if drafts % 2 == 0:
                    # Sent back once: a draft with a history (submitted as its channel asks).
                    seed_channels.walk(self, project, ProjectStatus.SUBMITTED, proposer, reserve)
                    self.move(
                        project,
                        "reject",
                        self._approver(),
                        comment="The appraisal is older than twelve months; renew it first.",
                    )
                continue
            project = seed_channels.walk(self, project, stop, proposer, reserve)
            if target == ProjectStatus.WITHDRAWN:
                by = self.users["head" if stop == ProjectStatus.SUBMITTED else "office"]
                self.move(
                    project,
                    "withdraw",
                    by,
                    comment=self.rng.choice(
                        [
                            "The holding unit needs the premises back for a school annex.",
                            "Title dispute found during due diligence; withdrawn pending court.",
                            "Market too thin; to be repackaged with neighbouring plots.",
                            "The city asked to keep it for the metro line 4 depot.",
                        ]
                    ),
                )
        for n in range(len(targets) + 1, len(targets) + 1 + self.size.open_packages):
            self._package(self._take(buckets), n)

    def move(self, project: DisposalProject, transition: str, actor: User, **kw):
        return disposal.project_transition(
            actor=actor, project=project, transition=transition, **kw
        )

    def walk(self, project, stop: str, proposer: User, reserve: int) -> DisposalProject:
        """Take a draft along the main path up to ``stop``, each step by the right role."""
        order = [
            ProjectStatus.SUBMITTED,
            ProjectStatus.APPROVED,
            ProjectStatus.LISTED,
            ProjectStatus.CONCLUDED,
            ProjectStatus.CLOSED,
        ]
        steps = order[: order.index(stop) + 1] if stop in order else []
        office = self.users["office"]
        for state in steps:
            if state == ProjectStatus.SUBMITTED:
                project = self.move(project, "submit", proposer)
            elif state == ProjectStatus.APPROVED:
                meeting = self.rng.randint(3, 40)
                comment = f"Approved at task-force meeting No. {meeting}."
                project = self.move(project, "approve", self._approver(), comment=comment)
            elif state == ProjectStatus.LISTED:
                comment = "Listed on the Qinghe Public Resources Exchange for 20 working days."
                project = self.move(project, "list", office, comment=comment)
            elif state == ProjectStatus.CONCLUDED:
                deal = _round(reserve * self.rng.randint(100, 135) // 100, 100)
                project = self.move(
                    project,
                    "conclude",
                    office,
                    deal_price=_money(deal),
                    buyer=self._buyer(project),
                )
        return project

    def _buyer(self, project: DisposalProject) -> str:
        if project.channel == "soe_transfer":
            return c.UNITS["HX-UCI"][0]
        if project.channel == "debt_swap":
            return self.rng.choice(c.DEBT_TYPES["bank_loan"][0])
        return self.rng.choice(c.BUYERS)

    # Money ----------------------------------------------------------------------------------

    def collect(self, project: DisposalProject, *, full: bool) -> None:
        """Receipts for a concluded project (in full if it is to be closed), then allocations."""
        deal = int(project.deal_price)
        kind = project.package.items.first().asset.kind
        budget = (
            BudgetClass.GOVERNMENT_FUND
            if kind in {AssetKind.LAND, AssetKind.NATURAL_RESOURCE}
            else BudgetClass.NON_TAX
        )
        if full:
            parts = self.rng.choice([1, 1, 2, 3])
            down = deal * self.rng.randint(30, 60) // 100 if parts > 1 else deal
            amounts = [down]
            rest = deal - down
            for k in range(parts - 1, 0, -1):
                piece = rest if k == 1 else rest // k
                amounts.append(piece)
                rest -= piece
        elif self.rng.random() < 0.75:
            # A down payment of at least 30 %; the rest is due within the year.
            amounts = [deal * self.rng.randint(30, 50) // 100]
        else:
            amounts = []
        day = c.REFERENCE_DATE - dt.timedelta(days=self.rng.randint(40, 330))
        for amount in amounts:
            self.voucher_seq += 1
            receipt = finance.receipt_create(
                actor=self.users["finance"],
                project=project,
                amount=_money(amount),
                received_on=_not_after_today(day),
                voucher=f"HX-FZ-{day.year}-{self.voucher_seq:05d}",
                budget_class=budget,
            )
            self.allocate(receipt, day)
            day = min(c.REFERENCE_DATE, day + dt.timedelta(days=self.rng.randint(10, 45)))

    def allocate(self, receipt: Receipt, day: dt.date) -> None:
        """Apply most of a receipt to the debts falling due first; never more than either has."""
        if self.rng.random() < 0.15:
            return  # some proceeds wait in the treasury, unallocated
        left = (receipt.amount * Decimal(self.rng.randint(60, 100)) / 100).quantize(CENT)
        on = min(c.REFERENCE_DATE, day + dt.timedelta(days=self.rng.randint(0, 20)))
        on = _not_after_today(on)
        open_debts = sorted(
            (d for d in self.debts if self.outstanding[d.pk] > 0),
            key=lambda d: (d.maturity_date, d.code),
        )
        for debt in open_debts[: self.rng.randint(1, 3)]:
            if left <= 0:
                break
            amount = min(left, self.outstanding[debt.pk])
            finance.allocation_create(
                actor=self.users["finance"],
                receipt=receipt,
                debt=debt,
                amount=amount,
                allocated_on=on,
            )
            self.outstanding[debt.pk] -= amount
            left -= amount
