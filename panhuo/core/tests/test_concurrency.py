"""Two people, or many processes, at once.

- Two users editing the same asset or project (API and form): the second, who read the old
  version, gets 409 and the first one's change stays; after reloading, the second can save.
- Allocations racing for one receipt from separate processes, each with its own connection,
  against a real committed database (a SQLite file in WAL mode on the SQLite run, a PostgreSQL
  database on the PostgreSQL run): never more than the receipt or the debt's outstanding, and
  every process gets either its allocation or a clear refusal.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.urls import reverse

from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import Conflict
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.register.models import Asset

# Tier: see the markers in pyproject.toml.
pytestmark = pytest.mark.slow

# --- two users, one record ----------------------------------------------------------------


@pytest.mark.django_db
def test_asset_api_second_writer_gets_a_conflict_and_nothing_is_lost(world):
    asset = AssetFactory(unit=world.unit)
    a, b = client_for(world, "office"), client_for(world, "office2")
    read_a = a.get(f"/api/v1/assets/{asset.pk}").json()
    read_b = b.get(f"/api/v1/assets/{asset.pk}").json()
    assert read_a["version"] == read_b["version"]
    r = call(a, "PATCH", f"/api/v1/assets/{asset.pk}",
             {"name": "A's name", "version": read_a["version"]})  # fmt: skip
    assert r.status_code == 200
    r = call(b, "PATCH", f"/api/v1/assets/{asset.pk}",
             {"address": "B's address", "version": read_b["version"]})  # fmt: skip
    assert r.status_code == 409 and "changed by someone else" in r.json()["detail"]
    asset.refresh_from_db()
    assert (asset.name, asset.address) == ("A's name", "1 Renmin Road")
    # B reloads and saves on top of A's change: both changes are kept.
    fresh = b.get(f"/api/v1/assets/{asset.pk}").json()
    r = call(b, "PATCH", f"/api/v1/assets/{asset.pk}",
             {"address": "B's address", "version": fresh["version"]})  # fmt: skip
    assert r.status_code == 200
    asset.refresh_from_db()
    assert (asset.name, asset.address) == ("A's name", "B's address")


@pytest.mark.django_db
def test_project_api_second_writer_gets_a_conflict_and_nothing_is_lost(world):
    package = ds.package_create(
        actor=world.user("office"),
        jurisdiction=world.district,
        name="Lot",
        channel="auction",
        asset_ids=[AssetFactory(unit=world.unit).pk],
    )
    project = ds.project_create(
        actor=world.user("office"), package=package, reserve_price=Decimal("5500000.00")
    )
    url = f"/api/v1/projects/{project.pk}"
    a, b = client_for(world, "office"), client_for(world, "office2")
    version = a.get(url).json()["version"]
    assert b.get(url).json()["version"] == version
    r = call(a, "PATCH", url, {"note": "A's note", "version": version})
    assert r.status_code == 200 and r.json()["version"] == version + 1
    r = call(b, "PATCH", url, {"note": "B's note", "version": version})
    assert r.status_code == 409 and "changed by someone else" in r.json()["detail"]
    project.refresh_from_db()
    assert (project.note, project.version) == ("A's note", version + 1)
    r = call(b, "PATCH", url, {"note": "B's note", "version": version + 1})
    assert r.status_code == 200
    assert DisposalProject.objects.get(pk=project.pk).note == "B's note"


def _form_data(response) -> dict:
    """What a browser would post back from the page's form, unchanged."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = "on" if value is True else value
    return data


@pytest.mark.django_db
def test_asset_form_second_writer_gets_a_conflict_and_nothing_is_lost(world):
    asset = AssetFactory(unit=world.unit)
    url = reverse("asset-edit", args=[asset.pk])
    a, b = client_for(world, "office"), client_for(world, "office2")
    form_a, form_b = _form_data(a.get(url)), _form_data(b.get(url))
    r = a.post(url, form_a | {"name": "A's name"})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    r = b.post(url, form_b | {"address": "B's address"})
    assert r.status_code == 409 and b"changed by someone else" in r.content
    asset.refresh_from_db()
    assert (asset.name, asset.address) == ("A's name", "1 Renmin Road")
    r = b.post(url, _form_data(b.get(url)) | {"address": "B's address"})
    assert r.status_code == 302
    asset.refresh_from_db()
    assert (asset.name, asset.address) == ("A's name", "B's address")
    assert Asset.objects.get(pk=asset.pk).version == asset.version


# --- a busy database is retried, then refused cleanly ---------------------------------------


def test_busy_database_is_retried_then_refused_as_a_conflict(monkeypatch):
    monkeypatch.setattr("panhuo.core.busy.time.sleep", lambda _s: None)
    calls = []

    @retry_when_busy
    def write(fail_times: int) -> str:
        calls.append(1)
        if len(calls) <= fail_times:
            raise OperationalError("database is locked")
        return "written"

    assert write(2) == "written" and len(calls) == 3
    calls.clear()
    with pytest.raises(Conflict, match="busy"):
        write(99)
    assert len(calls) == 4
    calls.clear()

    @retry_when_busy
    def broken() -> None:
        calls.append(1)
        raise OperationalError("no such table: x")

    with pytest.raises(OperationalError, match="no such table"):
        broken()
    assert len(calls) == 1  # other errors are not retried


@pytest.mark.django_db
def test_allocation_page_shows_a_busy_refusal_not_an_error_page(world, monkeypatch):
    import datetime as dt

    from panhuo.core.testing import concluded_project
    from panhuo.finance import services as fs
    from panhuo.finance.models import Allocation

    project = concluded_project(world)
    receipt = fs.receipt_create(
        actor=world.user("finance"),
        project=project,
        amount="1000.00",
        received_on=dt.date(2026, 1, 5),
        voucher="V-BUSY",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=world.user("finance"),
        jurisdiction=world.district,
        data={"creditor": "Bank", "debt_type": "bank_loan", "principal": "500.00",
              "rate": Decimal("4.2"), "issue_date": dt.date(2021, 1, 1),
              "maturity_date": dt.date(2028, 1, 1)},
    )  # fmt: skip

    def busy(**_kwargs):
        raise Conflict("The database is busy with other changes; nothing was written.")

    monkeypatch.setattr("panhuo.finance.services.allocation_create", busy)
    r = client_for(world, "finance").post(
        reverse("allocation-create", args=[receipt.pk]), {"debt": debt.pk, "amount": "100.00"}
    )
    assert r.status_code == 200 and b"database is busy" in r.content
    assert not Allocation.objects.exists()


# --- many processes, one receipt ------------------------------------------------------------

PROCESSES = 8
AMOUNT = Decimal("150000.00")


def _race(ext, tmp_path, calls: list[tuple[str, dict]], env: dict | None = None) -> list[dict]:
    """Start one process per call against the external database, let them all get ready
    (connected, warmed up), release them at the same moment, and return what each returned."""
    ready, start = tmp_path / "ready", tmp_path / "start"
    ready.mkdir()
    procs = [
        ext.popen(
            ext.task_argv(name, **kwargs, start_file=str(start), ready_file=str(ready / str(i))),
            **(env or {}),
        )
        for i, (name, kwargs) in enumerate(calls)
    ]
    try:
        deadline = time.monotonic() + 90
        while len(list(ready.iterdir())) < len(procs):
            assert time.monotonic() < deadline, "the processes did not get ready"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.05)
        start.touch()
        outputs = [p.communicate(timeout=90) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    results = []
    for (out, err), p in zip(outputs, procs, strict=True):
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_allocations_racing_from_processes_never_over_allocate(external_db, tmp_path):
    """Receipt 1,000,000; debt A owes 450,000, debt B 10,000,000; eight processes each
    allocate 150,000 (four to A, four to B) at the same moment. A can take three, the receipt
    six in all (900,000): whatever the order, exactly six succeed and two are refused."""
    ext = external_db
    setup = ext.call("race_setup", receipt="1000000.00", debts=["450000.00", "10000000.00"])
    receipt, (debt_a, debt_b) = setup["receipt"], setup["debts"]
    results = _race(
        ext,
        tmp_path,
        [
            ("allocate", {"receipt": receipt, "debt": (debt_a, debt_b)[i % 2],
                          "amount": str(AMOUNT)})
            for i in range(PROCESSES)
        ],
    )  # fmt: skip
    outcomes = [r["outcome"] for r in results]
    assert "error" not in outcomes, results
    assert outcomes.count("ok") == 6 and outcomes.count("refused") == 2, results
    for r in results:
        if r["outcome"] == "refused":
            assert "exceeds" in r["detail"], r

    state = ext.call("money_state", receipt=receipt, debts=[debt_a, debt_b])
    total = Decimal(state["sum_allocations"])
    assert total == AMOUNT * 6
    assert total <= Decimal(state["receipt_amount"])
    assert Decimal(state["receipt_allocated"]) == total
    for debt in state["debts"].values():
        allocated = Decimal(debt["allocated"])
        assert allocated <= Decimal(debt["principal"])
        assert Decimal(debt["outstanding"]) == Decimal(debt["principal"]) - allocated >= 0
    assert Decimal(state["debts"][str(debt_a)]["allocated"]) <= Decimal("450000.00")
    assert state["audit_ok"]


# --- many processes, one user name being guessed ------------------------------------------

GUESSES = 5


def test_sign_in_failures_at_the_same_moment_are_each_counted(external_db, tmp_path):
    """A guesser firing exactly the limit's worth of wrong passwords at once, from separate
    processes, is locked: no failure is lost to another's read-then-write."""
    ext = external_db
    env = {"PANHUO_LOGIN_ATTEMPTS": str(GUESSES), "PANHUO_LOGIN_LOCKOUT": "900"}
    results = _race(ext, tmp_path, [("sign_in_fail", {"subject": "target"})] * GUESSES, env)
    assert results == [{"outcome": "ok"}] * GUESSES, results
    assert 0 < ext.call_env("sign_in_state", env, subject="target")["retry_after"] <= 900
    assert ext.call_env("sign_in_state", env, subject="someone else")["retry_after"] == 0
