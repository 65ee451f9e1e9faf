"""Seeding the demo district through the service functions, deterministically.

One ``random.Random(seed)`` draws every choice, and every date is counted back from the seed's
day (the day the demo is seeded, or one a test injects; ``seed_clock``), so a fresh demo looks
current whenever it is seeded, and two seeds of fresh databases on the same day give the same
asset codes, names, amounts and times. Every write of the register, disposal and finance goes
through the services as the user whose role takes it, so the audit chain, the project events and
the money controls are the real ones. The organisation (jurisdictions, units, users, roles) is
written directly (``seed_organisation``), each object with its own audit entry.

The whole seed is one transaction: either the district is there complete, or not at all. The
demo jurisdiction is the marker; a second run finds it and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.flags.engine import recompute
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Jurisdiction, Role, Unit, User
from panhuo.register.models import Asset
from panhuo.site.demo import catalogue as c
from panhuo.site.demo import (
    seed_approvals,
    seed_channels,
    seed_codes,
    seed_documents,
    seed_gates_channels,
    seed_gates_listing,
    seed_pricing,
)
from panhuo.site.demo.seed_clock import SeedClock, running
from panhuo.site.demo.seed_disposals import DisposalSeeding
from panhuo.site.demo.seed_organisation import OrganisationSeeding


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
    #: Land and buildings sold in earlier rounds: the deals the valuation model learns from.
    past_sales: int = 8


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
    past_sales=16,
)
SMALL = DemoSize(
    assets=240,
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
    *,
    size: DemoSize = FULL,
    seed: int = c.DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> SeedResult:
    """Seed the demo district once; a database that already has it is left as it is.
    ``today`` is the day the demo is seeded on (the real local date unless a test says)."""
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    clock = SeedClock(today or timezone.localdate())
    with transaction.atomic():
        # Checked inside the transaction: on SQLite it holds the write lock from BEGIN, so two
        # concurrent seeds cannot both pass; on PostgreSQL the unique code stops the second.
        if is_seeded():
            return SeedResult(False, 0.0, demo_counts(), demo_accounts())
        with running(clock):
            seeder = _Seeder(random.Random(seed), size, say, clock)
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


class _Seeder(OrganisationSeeding, DisposalSeeding):
    def __init__(
        self, rng: random.Random, size: DemoSize, say: Callable[[str], None], clock: SeedClock
    ):
        self.rng = rng
        self.clock = clock
        #: The data's "today": the last working day on or before the day of seeding.
        self.today = clock.today
        #: The register is taken stock of from a month after the task force is founded.
        self.registered_from = self.today - dt.timedelta(days=c.TASK_FORCES[c.DISTRICT[0]][1] - 30)
        #: Which day each record was entered: a generator of its own, so the data draws the same.
        self.days = random.Random(rng.random())
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
        #: Whether a listed sale whose disclosure ended unsold was walked yet (``seed_channels``),
        #: and whether the sale being walked is one to be withdrawn.
        self.unsold_listing = False
        self.withdrawing = False

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
        from panhuo.site.demo import seed_fiscal, seed_monitor

        seed_monitor.seed(self)  # monthly fiscal revenue by category, from 2022
        seed_fiscal.seed(self)  # fiscal capacity and expenditure: the debt ratio's denominators
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
        from panhuo.site.demo import seed_repayments

        seed_repayments.seed(self)  # matured bonds and loans repaid by refinancing or budget
        from panhuo.site.demo import seed_portal

        seed_portal.seed(self)  # the listings' terms on the portal, two announcements
        from panhuo.site.demo import seed_auctions

        seed_auctions.seed(self)  # registered bidders; lots closed, running and scheduled
        from panhuo.site.demo import seed_flags

        seed_flags.seed(self)  # the same appraiser every time; a payment plan changed
        from panhuo.site.demo import seed_flag_cases

        seed_flag_cases.seed(self)  # red-flag cases: a value-destroying sale, a split site
        from panhuo.site.demo import seed_flag_lots, seed_flag_prices

        seed_flag_prices.seed(self)  # a token rent approved, a sale below comparable deals
        seed_flag_lots.seed(self)  # a sniped lot, a lone bidder, identical exchange prices
        seed_flag_prices.holiday_declared(self)  # a local day off cuts running disclosures
        from panhuo.site.demo import seed_plans

        seed_plans.seed(self)  # the year's approved work plan, its progress from the records
        from panhuo.site.demo import seed_decisions

        seed_decisions.seed(self)  # a value-destroying package, debts' schedules

        self.say("Raising red flags…")
        recompute()  # every rule over the seeded records: the flags the auditor works through
        from panhuo.site.demo import seed_scorecards

        seed_scorecards.seed(self)  # the year's scorecards issued, a reward and a criticism
        from panhuo.site.demo import seed_optimiser

        seed_optimiser.seed(self)  # the disposal plan optimiser's run, adopted
        seed_decisions.seed_runs(self)  # stored scenario runs, over the records as left
