"""The demo seed: deterministic, idempotent, complete, and its money adds up.

The tests seed the SMALL size, which runs the same code as the full demo with fewer rows.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from panhuo.core.testing import concluded_project
from panhuo.core.tests.demo_snapshot import seed_small_demo, seeded_on
from panhuo.disposal.models import DisposalProject, PackageItem, ProjectEvent, ProjectStatus
from panhuo.disposal.workflow import RECEIVING
from panhuo.finance import services as fs
from panhuo.finance.debts.repayments import ledger_mismatches
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_verify
from panhuo.organisation.models import Role, RoleAssignment, TaskForce, User
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.site.demo import DEMO_PASSWORD, SMALL, is_seeded, seed_demo
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.catalogue import USERS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def fingerprint() -> dict[str, list]:
    """Everything the seed decides, without database ids (those differ between databases)."""
    return {
        "assets": list(
            Asset.objects.order_by("code").values_list(
                "code",
                "name",
                "kind",
                "unit__code",
                "address",
                "latitude",
                "longitude",
                "area",
                "book_value",
                "appraised_value",
                "status",
                "criticality",
            )
        ),
        "debts": list(
            Debt.objects.order_by("code").values_list(
                "code", "creditor", "debt_type", "principal", "rate", "outstanding"
            )
        ),
        "projects": list(
            DisposalProject.objects.order_by("code").values_list(
                "code", "package__code", "channel", "status", "reserve_price", "deal_price", "buyer"
            )
        ),
        "receipts": list(
            Receipt.objects.order_by("voucher").values_list(
                "voucher", "project__code", "amount", "allocated", "received_on"
            )
        ),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("created_at", "action")),
        "allocations": list(
            Allocation.objects.order_by("receipt__voucher", "debt__code").values_list(
                "receipt__voucher", "debt__code", "amount", "allocated_on"
            )
        ),
    }


def seed_and_forget(**kwargs) -> dict[str, list]:
    """Seed, read the result, and roll it all back: the next seed starts from an empty DB."""
    with transaction.atomic():
        seed_demo(size=SMALL, **kwargs)
        seen = fingerprint()
        transaction.set_rollback(True)
    return seen


class _Enough(Exception):
    """Ends a seed once it has registered its first assets."""


def first_assets(seed: int, day) -> list:
    """The first assets the demo's random ``seed`` registers on ``day`` (at most 20), read as
    that seed stops there and rolls back: where two random seeds first part, without the rest
    of a whole seed (seconds on each database, CI time, issue 11)."""
    from panhuo.site.demo.seed import _Seeder

    real, seen = _Seeder.assets, []

    def assets(seeder, district, count, registrar):
        real(seeder, district, min(count, 20), registrar)
        seen.extend(fingerprint()["assets"])
        raise _Enough

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Seeder, "assets", assets)
        with pytest.raises(_Enough):
            seed_demo(size=SMALL, seed=seed, today=day)
    assert not is_seeded()
    return seen


# Each seed of even the small demo costs seconds on each database: the checks of one seeded
# district share its seed (CI time, issue 11), each still its own function. The worker's copy
# of the small demo (demo_snapshot.py) is itself a real seed, made once per worker whichever
# test asks first: the determinism test compares a second real seed against it, and the
# command's test lays it down instead of seeding a third time (CI's demo stage and the SIGTERM
# test run the command's real seed, at full size and small).


@pytest.mark.amount_check  # as the worker's copy was seeded: with the amount check on
def test_two_seeds_of_empty_databases_are_identical_and_another_seed_differs():
    """The same seed on the same day gives the same district, times included; another seed
    another. The first seed is the worker's copy of the small demo, laid down with the rows its
    real seed wrote; the second seeds again on its day. Another random seed already registers
    other assets: each seed's first are compared (``first_assets``), not two whole seeds."""
    with transaction.atomic():
        assert seed_small_demo().created
        first = fingerprint()
        transaction.set_rollback(True)
    day = seeded_on()
    assert not is_seeded() and not Asset.objects.exists()
    second = seed_and_forget(today=day)
    assert first["assets"], "the seed made no assets"
    assert first == second
    ours = first_assets(c.DEFAULT_SEED, day)
    assert ours and {a[0] for a in ours} <= {a[0] for a in first["assets"]}
    assert first_assets(2, day) != ours


def test_the_seeded_district():
    """Seeded once: every kind, state and role; the workflow taken by the right people; the
    money adding up; and a second run adding nothing. The district is this worker's copy of
    a real seed (demo_snapshot.py) with that seed's result; the second, real, run must find it
    complete and count the same rows as the seed did."""
    first = seed_small_demo()
    assert first.created
    _has_every_kind_state_and_role(first)
    _workflow_was_taken_by_the_right_people()
    _money_adds_up()
    entries = AuditEntry.objects.count()
    before = fingerprint()
    again = seed_demo(size=SMALL)
    assert not again.created
    assert again.counts == first.counts
    assert AuditEntry.objects.count() == entries
    assert User.objects.count() == len(USERS)
    assert fingerprint() == before


def _has_every_kind_state_and_role(result) -> None:
    counts = result.counts
    assert set(counts["assets_by_kind"]) == set(AssetKind.values)
    assert set(counts["projects_by_status"]) == set(ProjectStatus.values)
    assert len(counts["debts_by_type"]) >= 5
    # The debt management system's fields: every bond has its code and purpose; debts of all
    # three liability classes.
    assert set(Debt.objects.values_list("liability_class", flat=True)) == {
        "government", "contingent", "implicit"}  # fmt: skip
    bonds = Debt.objects.filter(debt_type__in=["general_bond", "special_bond"])
    assert bonds.exists() and not bonds.filter(Q(bond_code="") | Q(bond_purpose="")).exists()
    assert counts["units"] >= 8
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    supervisor = RoleAssignment.objects.get(user__username="supervisor")
    assert supervisor.jurisdiction.level == "city"
    officer = RoleAssignment.objects.get(user__username="unit_officer")
    assert officer.unit is not None
    # The district's task force: its founding document and members (who held their roles
    # already, so joining started none).
    force = TaskForce.objects.get(jurisdiction__code=c.DISTRICT[0])
    assert force.document_number == f"河西区政府办〔{force.established_on.year}〕12号"
    members = {m.user.username: m for m in force.members.filter(left_on__isnull=True)}
    assert set(members) == set(c.TASK_FORCE_MEMBERS)
    assert all(m.assignment_id is None for m in members.values())
    # The printed password really signs in, for every account.
    for account in result.accounts:
        assert account.password == DEMO_PASSWORD
        assert User.objects.get(username=account.username).check_password(DEMO_PASSWORD)
    assert {a.username for a in result.accounts} == set(USERS)


def _workflow_was_taken_by_the_right_people() -> None:
    for project in DisposalProject.objects.exclude(approved_by=None):
        assert project.approved_by_id != project.submitted_by_id
    # Every project's status is where its recorded events lead.
    for project in DisposalProject.objects.all():
        last = ProjectEvent.objects.filter(project=project).order_by("at", "pk").last()
        assert (last.to_status if last else ProjectStatus.DRAFT) == project.status
        assert AuditEntry.objects.filter(
            object_type="disposal.disposalproject", object_id=str(project.pk)
        ).exists()
    # Essential assets never entered a package; concluded packages left the live set.
    assert not PackageItem.objects.filter(asset__criticality=Criticality.ESSENTIAL).exists()
    for item in PackageItem.objects.filter(
        package__projects__status__in=[ProjectStatus.CONCLUDED, ProjectStatus.CLOSED]
    ):
        assert not item.live
        assert item.asset.status in {
            AssetStatus.DISPOSED,
            AssetStatus.LEASED_OUT,
            AssetStatus.WRITTEN_OFF,
        }
    # The channels of issue 12 seed their lots only in a demo with candidates to spare (not
    # the small one); any that exist went through their gates.
    by_channel = dict(
        DisposalProject.objects.filter(
            channel__in=["free_transfer", "scrap", "loss", "write_off"]
        ).values_list("channel", "status")
    )
    assert set(by_channel.values()) <= {"closed", "concluded", "submitted"}


def _money_adds_up() -> None:
    assert Allocation.objects.exists() and Receipt.objects.exists()
    for receipt in Receipt.objects.all():
        allocated = receipt.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert allocated <= receipt.amount
        assert allocated == receipt.allocated
        assert receipt.received_on <= timezone.localdate()
    for debt in Debt.objects.all():
        repaid = debt.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        created = AuditEntry.objects.get(action="debt.create", object_id=str(debt.pk))
        assert debt.outstanding >= 0
        # Debt-for-asset swaps settle debt without cash (a settlement, not an allocation);
        # matured debts were repaid by refinancing or from the budget (seed_repayments).
        settled = debt.settlements.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        other = debt.repayments.filter(source__in=["budget", "refinancing"])
        manual = other.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert debt.outstanding == (
            Decimal(created.after["outstanding"]) - repaid - settled - manual
        )
        assert debt.issue_date < debt.maturity_date
    # One truth: every balance is its principal less its repayment ledger.
    assert ledger_mismatches(Debt.objects.all()) == []
    for project in DisposalProject.objects.all():
        # A forfeited deposit is treasury money but pays no price.
        paid = project.receipts.exclude(kind="forfeited_deposit")
        received = paid.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        # Each channel's own states: paid in full once paid; some received while a deal or a
        # contract runs; nothing before, and never cash for transfers to SOEs and swaps.
        if project.channel in {"soe_transfer", "debt_swap"}:
            assert received == 0
        elif project.status in {ProjectStatus.CLOSED, ProjectStatus.PAID, ProjectStatus.PUBLISHED}:
            assert received == project.deal_price
        elif project.status in RECEIVING:
            assert received <= project.deal_price
        else:
            assert received == 0
    for value in Asset.objects.values_list("book_value", flat=True):
        assert isinstance(value, Decimal) and value >= 0
    result = audit_verify()
    assert result.ok, result.reason
    assert result.checked == AuditEntry.objects.count()


def test_demo_command_prints_sign_ins_and_serves_with_waitress(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    served = {}

    def fake_serve(app, **kwargs):
        served.update(kwargs, app=app)

    monkeypatch.setattr("waitress.serve", fake_serve)

    class FakeWorker:
        """Stands in for the worker process, which would open its own database."""

        started: list = []
        stopped = False

        def __init__(self, args, **kwargs):
            FakeWorker.started.append(args)

        def terminate(self):
            FakeWorker.stopped = True

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr("panhuo.site.management.commands.demo.subprocess.Popen", FakeWorker)

    def seed_once(*, size, seed, log):
        """The worker's copy of the small demo (a real seed's rows) on an empty database;
        the real seed, which finds it and adds nothing, on a seeded one."""
        assert size == SMALL and seed == c.DEFAULT_SEED
        return seed_small_demo() if not is_seeded() else seed_demo(size=size, seed=seed, log=log)

    monkeypatch.setattr("panhuo.site.management.commands.demo.seed_demo", seed_once)
    out = io.StringIO()
    call_command("demo", "--size", "small", "--port", "8765", stdout=out)
    # The demo runs the background-task worker beside the server, and stops it with the server.
    assert FakeWorker.started[0][-3:] == ["-m", "panhuo.cli", "worker"] and FakeWorker.stopped
    text = out.getvalue()
    assert "Seeded the demo district" in text
    assert "http://127.0.0.1:8765/" in text
    for username in USERS:
        assert f"  {username} " in text
    assert DEMO_PASSWORD in text
    assert served["host"] == "127.0.0.1" and served["port"] == 8765
    assert callable(served["app"])
    assert (tmp_path / "static").is_dir()

    # The second run finds its district, adds nothing and (with --no-serve) does not serve.
    served.clear()
    assets = Asset.objects.count()
    out = io.StringIO()
    call_command("demo", "--size", "small", "--no-serve", stdout=out)
    assert "already seeded" in out.getvalue()
    assert Asset.objects.count() == assets
    assert served == {}


def test_a_debt_repaid_exactly_in_pieces_ends_at_zero(world):
    """The seed repays debts exactly, in pieces; on SQLite that once left -2.8e-17 behind
    (floating-point F() arithmetic) and the check constraint refused the last allocation."""
    finance = world.user("finance")
    project = concluded_project(world, deal_price=Decimal("0.30"))
    receipt = fs.receipt_create(
        actor=finance,
        project=project,
        amount="0.30",
        received_on=dt.date(2026, 1, 5),
        voucher="V-EXACT",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=finance,
        jurisdiction=world.district,
        data={
            "creditor": "Supplier",
            "debt_type": "arrears",
            "principal": "0.30",
            "rate": Decimal("0"),
            "issue_date": dt.date(2025, 1, 1),
            "maturity_date": dt.date(2026, 1, 1),
        },
    )
    fs.allocation_create(actor=finance, receipt=receipt, debt=debt, amount="0.10")
    fs.allocation_create(actor=finance, receipt=receipt, debt=debt, amount="0.20")
    debt.refresh_from_db()
    receipt.refresh_from_db()
    assert debt.outstanding == Decimal("0.00")
    assert receipt.allocated == receipt.amount == Decimal("0.30")
