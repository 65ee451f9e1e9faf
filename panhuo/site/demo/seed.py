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

from panhuo.disposal import services as disposal
from panhuo.disposal.candidates import with_scope
from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.finance import services as finance
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, TaskForce, Unit, User
from panhuo.register import services as register
from panhuo.register.models import Asset, Criticality
from panhuo.register.scope import scope_decide
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import (
    seed_approvals,
    seed_assets,
    seed_channels,
    seed_codes,
    seed_documents,
    seed_gates_channels,
    seed_gates_listing,
    seed_pricing,
)
from panhuo.site.demo.seed_assets import money as _money
from panhuo.site.demo.seed_assets import rounded as _round

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
    assets=120,
    other_assets=6,
    debts=8,
    other_debts=2,
    # Two listed sales: the price exceptions (one approved, one pending) need them; two drafts:
    # the amount check's demo submits one (tests run without that check, so it may go through).
    projects={s: 1 for s in ProjectStatus}
    | {ProjectStatus.CLOSED: 2, ProjectStatus.LISTED: 2, ProjectStatus.DRAFT: 2},
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
        seed_codes.load_local_codes()  # the classes GB/T 14885 leaves out
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
        seed_documents.seed(self)  # appraisal reports, approvals, contracts
        from panhuo.site.demo import seed_monitor

        seed_monitor.seed(self)  # monthly fiscal revenue by category, from 2022
        from panhuo.site.demo import seed_securities

        seed_securities.seed(self)  # guarantees and collateral of the district's debts
        from panhuo.site.demo import seed_gates_rules

        seed_gates_rules.seed(self)  # rule sets per asset class; a draft held by the amount check
        from panhuo.site.demo import seed_gates_approvals

        seed_gates_approvals.seed(self)  # the approval gates: refused chains (issue 12)
        from panhuo.site.demo import seed_gates_periods

        seed_gates_periods.seed(self)  # two sales held back by the period gates, today
        seed_gates_channels.seed(self)  # new channels (issue 12) and a give-away refused
        seed_gates_listing.seed(self)  # relisting, conditions on buyers, land periods held
        from panhuo.site.demo import seed_gates_scope

        seed_gates_scope.seed(self)  # an asset no scope decision covers, refused a package

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
                jurisdiction=self.places[code],
                name=name,
                established_on=established,
                document_number=c.TASK_FORCE_DOCUMENTS.get(code, ""),
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
        self.task_force_members()

    def task_force_members(self) -> None:
        """The demo district's task force: its members, added by its site administrator."""
        from panhuo.organisation import taskforce

        tf = TaskForce.objects.get(jurisdiction=self.places[c.DISTRICT[0]])
        for username, (position, bureau) in c.TASK_FORCE_MEMBERS.items():
            taskforce.member_join(
                actor=self.users["siteadmin"],
                task_force=tf,
                user=self.users[username],
                position=position,
                seconded_from=bureau,
                joined_on=tf.established_on,
            )

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
            data = {
                "code": code,
                "unit": unit,
                "kind": kind,
                "classification": seed_codes.KIND_CLASSIFICATION[kind],
                **seed_assets.asset_spec(self.rng, kind, district),
            }
            # A unit's own asset officer registers that unit's assets; the office the rest.
            actor = self.users["unit_officer" if unit.code == c.OFFICER_UNIT else registrar]
            register.asset_create(actor=actor, data=data)

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
        """Assets that may be packaged, grouped by (unit, kind): the scope the task force has
        just confirmed (gate ``scope_not_included``: no asset enters a package unless the latest
        scope decision includes it), in the demo district."""
        district = self.places[c.DISTRICT[0]]
        scope_decide(
            actor=self.users["head"],
            jurisdiction=district,
            note="Scope of the first round of packages, confirmed at task-force meeting No. 1.",
        )
        buckets: dict[tuple[str, str], list[Asset]] = defaultdict(list)
        eligible = (
            with_scope(Asset.objects.filter(unit__jurisdiction=district))
            .filter(scope_included=True)
            .exclude(criticality=Criticality.ESSENTIAL)
            .select_related("unit")
            .order_by("code")
        )
        for asset in eligible:
            buckets[(asset.unit.code, asset.kind)].append(asset)
        self.say(f"The scope includes {sum(map(len, buckets.values()))} assets.")
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

    def _keep_for_suggestions(self, buckets) -> None:
        """Set aside, for the next round, the in-scope assets of one unit and kind that the
        package suggestions group (by holding unit: kinds with neither coordinates nor an
        address), so that GET /packages/suggestions has something to show after the seed."""
        by_unit = sorted(
            (k for k, v in buckets.items() if len(v) >= 2 and k[1] not in c.LOCATED | c.ADDRESSED),
            key=lambda k: (-len(buckets[k]), k),
        )
        if by_unit:
            kept = buckets.pop(by_unit[0])
            self.say(f"{len(kept)} in-scope assets kept for the next round's suggestions.")

    def disposals(self) -> None:
        buckets = self._buckets()
        self._keep_for_suggestions(buckets)
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
        kw = seed_gates_listing.with_land_announcement(project, transition, kw)
        if transition == "approve":  # what the approval rests on (Decree 738 art. 19)
            seed_documents.decision_documents(self, project)
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
