"""What the tests run in other processes against an ``ExternalDb`` (see external.py).

``python -m panhuo.core.tests.external_tasks FUNCTION JSON_KWARGS`` sets Django up from the
environment, calls the function and prints its JSON result as the last line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def world() -> dict[str, Any]:
    """The test world (users per role, units U1/U2/U3), once per database."""
    from panhuo.core.testing import build_world
    from panhuo.organisation.models import User

    if not User.objects.filter(username="office").exists():
        build_world()
    return {"users": User.objects.count()}


def queue_import(*, rows: int, prefix: str) -> dict[str, Any]:
    """Queue a committing import of a generated CSV of ``rows`` new assets coded PREFIX-n."""
    import io

    from panhuo.organisation.models import User
    from panhuo.register import imports

    lines = ["unit,code,name,kind,book_value,status"]
    lines += [f"U1,{prefix}-{i:06d},Generated asset {i},equipment,{1000 + i}.50,idle"
              for i in range(rows)]  # fmt: skip
    data = ("\n".join(lines) + "\n").encode()
    run = imports.import_run_create(
        actor=User.objects.get(username="office"),
        upload=io.BytesIO(data),
        filename=f"{prefix}.csv",
        commit=True,
    )
    return {"run": run.pk, "bytes": len(data)}


def import_state(*, run: int, prefix: str, other: int | None = None) -> dict[str, Any]:
    """How the run reads to a user now (stale detection included) and what the file wrote."""
    from panhuo.integrity.services import audit_verify
    from panhuo.register import imports
    from panhuo.register.import_models import ImportRun
    from panhuo.register.models import Asset

    progress = imports.import_progress(ImportRun.objects.get(pk=run))
    return {
        "status": progress["status"],
        "message": progress["message"],
        "rows": progress["rows"],
        "report": progress["report"],
        "assets": Asset.objects.filter(code__startswith=f"{prefix}-").count(),
        "audit_ok": audit_verify().ok,
        "stopped_run": other and ImportRun.objects.get(pk=other).status,
    }


def import_then_die(*, run: int) -> dict[str, Any]:
    """Run the queued import in this process and die (``os._exit``, as a kill would: no
    cleanup, no later statement) the moment the import's transaction has committed."""
    import os

    from panhuo.register import imports
    from panhuo.register.import_models import ImportRun

    real = imports.run_import

    def run_then_die(*args, **kwargs):
        real(*args, **kwargs)
        os._exit(9)

    imports.run_import = run_then_die
    imports.execute_import(ImportRun.objects.select_related("owner").get(pk=run))
    return {"survived": True}


def after_kill(*, run: int, prefix: str, stale_after: float) -> dict[str, Any]:
    """Right after the worker was killed: the run as read now; then, once the heartbeat is
    older than ``stale_after`` seconds, as read again (one process, to keep the test quick).
    The second read marks the run failed and queues the undo for a worker; a rerun is refused
    until that is done."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    first = import_state(run=run, prefix=prefix)
    settings.PANHUO["IMPORT_STALE_SECONDS"] = stale_after
    time.sleep(stale_after + 0.5)
    later = import_state(run=run, prefix=prefix)
    try:
        rerun(run=run)
        early = "allowed"
    except ValidationError as exc:
        early = " ".join(exc.messages)
    return {"first": first, "later": later, "early_rerun": early}


def rerun(*, run: int) -> dict[str, Any]:
    from panhuo.organisation.models import User
    from panhuo.register import imports
    from panhuo.register.import_models import ImportRun

    new = imports.import_run_rerun(
        actor=User.objects.get(username="office"), run=ImportRun.objects.get(pk=run)
    )
    return {"run": new.pk}


def queue_then_work(*, rows: int, prefix: str, interval: float) -> dict[str, Any]:
    """``queue_import``, its run printed (and flushed) as a first JSON line, then this process
    becomes ``panhuo worker`` (the command itself): one process start-up where two were."""
    from django.core.management import call_command

    queued = queue_import(rows=rows, prefix=prefix)
    print(json.dumps(queued), flush=True)
    call_command("worker", interval=interval)
    return queued


def queue_then_die(*, rows: int, prefix: str) -> dict[str, Any]:
    """``queue_import``, its run printed (and flushed) as a first JSON line, then
    ``import_then_die`` on it in this same process."""
    queued = queue_import(rows=rows, prefix=prefix)
    print(json.dumps(queued), flush=True)
    return import_then_die(run=queued["run"])


def work_then_state(
    *, run: int, prefix: str, other: int | None = None, then_rerun: bool = False
) -> dict[str, Any]:
    """``panhuo worker --batch`` (the command itself) until the queue is empty, then the run as
    ``import_state`` reads it, and with ``then_rerun`` a rerun of it (``rerun``'s ``run``)."""
    from django.core.management import call_command

    call_command("worker", batch=True, interval=0.1, verbosity=0)
    state = import_state(run=run, prefix=prefix, other=other)
    if then_rerun:
        state["rerun"] = rerun(run=run)["run"]
    return state


def race_setup(*, receipt: str, debts: list[str]) -> dict[str, Any]:
    """A concluded project with one receipt of ``receipt`` yuan and debts with the given
    outstanding amounts, all in district D1."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from panhuo.core.testing import World, concluded_project
    from panhuo.finance import services as fs
    from panhuo.organisation.models import Jurisdiction, Unit, User

    district = Jurisdiction.objects.get(code="D1")
    w = World(
        Jurisdiction.objects.get(code="P1"),
        Jurisdiction.objects.get(code="C1"),
        district,
        Jurisdiction.objects.get(code="D2"),
        Unit.objects.get(code="U1"),
        Unit.objects.get(code="U2"),
        Unit.objects.get(code="U3"),
        {u.username: u for u in User.objects.all()},
    )
    project = concluded_project(w, deal_price=Decimal(receipt))
    r = fs.receipt_create(
        actor=w.user("finance"),
        project=project,
        amount=receipt,
        received_on=timezone.localdate() - dt.timedelta(days=1),
        voucher=f"RACE-{project.pk}",
        budget_class="non_tax",
    )
    ids = []
    for amount in debts:
        d = fs.debt_create(
            actor=w.user("finance"),
            jurisdiction=district,
            data={
                "creditor": "Race Bank",
                "debt_type": "bank_loan",
                "principal": amount,
                "rate": Decimal("4.2"),
                "issue_date": dt.date(2021, 1, 1),
                "maturity_date": dt.date(2030, 1, 1),
            },
        )
        ids.append(d.pk)
    return {"receipt": r.pk, "debts": ids}


def allocate(
    *, receipt: int, debt: int, amount: str, start_file: str, ready_file: str
) -> dict[str, Any]:
    """Wait for the start signal, then allocate once; report the outcome, never raise."""
    from django.core.exceptions import ValidationError

    from panhuo.core.errors import Conflict
    from panhuo.finance import services as fs
    from panhuo.finance.models import Debt, Receipt
    from panhuo.organisation.models import User

    actor = User.objects.get(username="finance")
    r, d = Receipt.objects.get(pk=receipt), Debt.objects.get(pk=debt)
    from django.db import connection

    connection.close()  # each attempt opens its own connection after the start signal
    Path(ready_file).touch()
    deadline = time.monotonic() + 60
    while not Path(start_file).exists():
        if time.monotonic() > deadline:
            return {"outcome": "error", "detail": "no start signal"}
        time.sleep(0.005)
    try:
        a = fs.allocation_create(actor=actor, receipt=r, debt=d, amount=amount)
    except ValidationError as exc:
        return {"outcome": "refused", "detail": " ".join(exc.messages)}
    except Conflict as exc:
        return {"outcome": "busy", "detail": str(exc)}
    except Exception as exc:  # the test wants to see anything unexpected
        return {"outcome": "error", "detail": f"{type(exc).__name__}: {exc}"}
    return {"outcome": "ok", "allocation": a.pk}


def money_state(*, receipt: int, debts: list[int]) -> dict[str, Any]:
    from django.db.models import Sum

    from panhuo.finance.models import Allocation, Debt, Receipt
    from panhuo.integrity.services import audit_verify

    r = Receipt.objects.get(pk=receipt)
    return {
        "receipt_amount": str(r.amount),
        "receipt_allocated": str(r.allocated),
        "sum_allocations": str(
            Allocation.objects.filter(receipt=r).aggregate(s=Sum("amount"))["s"] or 0
        ),
        "debts": {
            str(d.pk): {
                "principal": str(d.principal),
                "outstanding": str(d.outstanding),
                "allocated": str(
                    Allocation.objects.filter(debt=d).aggregate(s=Sum("amount"))["s"] or 0
                ),
            }
            for d in Debt.objects.filter(pk__in=debts)
        },
        "audit_ok": audit_verify().ok,
    }


def sign_in_fail(*, subject: str, start_file: str, ready_file: str) -> dict[str, Any]:
    """Wait for the start signal, then count one failed sign-in for ``subject``."""
    from django.db import connection

    from panhuo.organisation.throttle import throttle

    throttle.retry_after("user", subject)  # connect and warm up before the signal
    connection.close()
    Path(ready_file).touch()
    deadline = time.monotonic() + 60
    while not Path(start_file).exists():
        if time.monotonic() > deadline:
            return {"outcome": "error", "detail": "no start signal"}
        time.sleep(0.005)
    try:
        throttle.failed("user", subject)
    except Exception as exc:  # the test wants to see anything unexpected
        return {"outcome": "error", "detail": f"{type(exc).__name__}: {exc}"}
    return {"outcome": "ok"}


def set_passwords(*, usernames: list[str]) -> dict[str, Any]:
    """Give these users the test password hashed by this process's hasher (production's)."""
    from panhuo.core.testing import PASSWORD
    from panhuo.organisation.models import User

    for user in User.objects.filter(username__in=usernames):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return {"users": len(usernames)}


def sign_in_state(*, subject: str) -> dict[str, Any]:
    from panhuo.organisation.throttle import throttle

    return {"retry_after": throttle.retry_after("user", subject)}


def busy_setup(*, rows: int, prefix: str) -> dict[str, Any]:
    """The test world, what other users need while an import runs (``test_import_concurrency``:
    a concluded project to record receipts against, district D1, an API token for finance) and
    the import queued (see ``queue_import``), in one process."""
    world()
    from decimal import Decimal

    from panhuo.core.testing import World, concluded_project
    from panhuo.integrity.services import Operator
    from panhuo.organisation.models import Jurisdiction, Unit, User
    from panhuo.organisation.services import api_token_issue

    w = World(
        *(Jurisdiction.objects.get(code=c) for c in ("P1", "C1", "D1", "D2")),
        *(Unit.objects.get(code=c) for c in ("U1", "U2", "U3")),
        {u.username: u for u in User.objects.all()},
    )
    project = concluded_project(w, deal_price=Decimal("100000000.00"))
    _token, key = api_token_issue(
        operator=Operator("test"), user=User.objects.get(username="finance"), name="busy"
    )
    return {
        "project": project.pk,
        "district": Jurisdiction.objects.get(code="D1").pk,
        "token": key,
        "run": queue_import(rows=rows, prefix=prefix)["run"],
    }


def token_touch_while_busy() -> dict[str, Any]:
    """An API token's use while another connection holds the database's write lock (SQLite) or
    the token's row (PostgreSQL): how long the check took and whether the use was noted; then
    the same once the lock is gone."""
    from django.conf import settings
    from django.db import connection

    from panhuo.integrity.services import Operator
    from panhuo.organisation.models import ApiToken, User
    from panhuo.organisation.services import api_token_authenticate, api_token_issue

    world()
    token, key = api_token_issue(
        operator=Operator("test"), user=User.objects.get(username="finance"), name="touch"
    )
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        import sqlite3

        other = sqlite3.connect(db["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        other = psycopg.connect(
            dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"],
            password=db["PASSWORD"] or None,
        )  # fmt: skip
        other.execute("SELECT id FROM organisation_apitoken WHERE id = %s FOR UPDATE", [token.pk])
    try:
        start = time.monotonic()
        user = api_token_authenticate(key)
        took = time.monotonic() - start
        noted = ApiToken.objects.get(pk=token.pk).last_used_at is not None
    finally:
        other.rollback()
        other.close()
    api_token_authenticate(key)
    return {
        "user": user and user.username,
        "took": took,
        "noted_while_busy": noted,
        "noted_after": ApiToken.objects.get(pk=token.pk).last_used_at is not None,
    }


def token_setup() -> dict[str, Any]:
    """The test world, an asset of U1, and an API token for the office (``test_serve``)."""
    world()
    from panhuo.core.testing import AssetFactory
    from panhuo.integrity.services import Operator
    from panhuo.organisation.models import Unit, User
    from panhuo.organisation.services import api_token_issue

    asset = AssetFactory(unit=Unit.objects.get(code="U1"))
    token, key = api_token_issue(
        operator=Operator("test"), user=User.objects.get(username="office"), name="serve"
    )
    return {"token": token.pk, "key": key, "asset": asset.code}


def token_revoke(*, token: int) -> dict[str, Any]:
    """Revoke a token through its service (an audited write)."""
    from panhuo.organisation.models import ApiToken
    from panhuo.organisation.services import api_token_revoke

    found = ApiToken.objects.select_related("user").get(pk=token)
    api_token_revoke(actor=found.user, token=found)
    return {}


def main() -> None:
    import django

    django.setup()
    name, kwargs = sys.argv[1], json.loads(sys.argv[2])
    result = globals()[name](**kwargs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
