"""Optimiser runs: queue one (the web request only stores the question), the worker's task
that gathers, solves and stores the plan, its progress and cancel through the cache (as the
imports do: every process reads it while the run is open), and adopting a done plan, which
opens the plan's draft disposal projects through disposal's services. Every write checks
permission and writes the audit log; every status change follows ``TRANSITIONS``."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.decisions.optimiser.explain import optimise
from panhuo.decisions.optimiser.gather import debt_service, params_of
from panhuo.decisions.optimiser.models import TRANSITIONS, OptimiserRun, RunStatus
from panhuo.disposal.models import Package
from panhuo.disposal.services.projects import project_create
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy

TTL = 24 * 3600


def _key(run: OptimiserRun, what: str) -> str:
    """A cache key of the run; its creation time in it, so that a run id used again (a restored
    or test database) never reads an older run's progress or cancel."""
    return f"panhuo:optimiser:{run.pk}:{run.created_at.timestamp()}:{what}"


def progress_key(run: OptimiserRun) -> str:
    return _key(run, "progress")


def cancel_key(run: OptimiserRun) -> str:
    return _key(run, "cancel")


def progress(run: OptimiserRun) -> dict:
    return cache.get(progress_key(run)) or {}


def _move(run_id: int, to: str, **fields) -> bool:
    """Move the run to ``to`` if the table allows it from the state it is in now."""
    src = [s for s, nxt in TRANSITIONS.items() if to in nxt]
    return bool(OptimiserRun.objects.filter(pk=run_id, status__in=src).update(status=to, **fields))


def _refuse_move(run: OptimiserRun, to: str) -> None:
    if to not in TRANSITIONS[run.status]:
        raise ValidationError({"status": [
            _("Optimiser run #%(id)s is %(status)s: it cannot become %(to)s.")
            % {"id": run.pk, "status": run.get_status_display(), "to": RunStatus(to).label}
        ]})  # fmt: skip


def run_create(*, actor, place, on: dt.date, params: dict) -> OptimiserRun:
    """Queue a run of the optimiser for ``place`` as of ``on``; the parameters and the debt
    service are checked first (bad input is refused naming the field, nothing is written)."""
    policy.require(actor, "plan_run", "create", jurisdiction=place)
    policy.require(actor, "package", "view", jurisdiction=place)
    policy.require(actor, "debt", "view", jurisdiction=place)
    given = params_of(params)
    debt_service(actor, place, on, int(given["horizon"]))  # a debt without schedule, none due
    checked = {k: str(v) for k, v in given.items() if v is not None}
    with transaction.atomic():
        run = OptimiserRun.objects.create(jurisdiction=place, on=on, params=checked,
                                          created_by=actor)  # fmt: skip
        audit_record(actor=actor, action="optimiser_run.create", obj=run, after=snapshot(run),
                     jurisdiction_path=place.path)  # fmt: skip
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    result = optimise_task.enqueue(run_id)
    OptimiserRun.objects.filter(pk=run_id).update(task_id=str(result.id))


def run_cancel(*, actor, run: OptimiserRun) -> None:
    """Ask the worker to stop the run (a queued run is cancelled at once)."""
    policy.require(actor, "plan_run", "create", jurisdiction=run.jurisdiction)
    _refuse_move(run, RunStatus.CANCELLED)
    cache.set(cancel_key(run), True, TTL)
    with transaction.atomic():
        if run.status == RunStatus.QUEUED:
            _move(run.pk, RunStatus.CANCELLED, finished_at=timezone.now())
        audit_record(actor=actor, action="optimiser_run.cancel", obj=run,
                     before={"status": run.status},
                     jurisdiction_path=run.jurisdiction.path)  # fmt: skip
    run.refresh_from_db()


def execute(run: OptimiserRun) -> OptimiserRun:
    """The worker's half: gather, solve, store. A run cancelled before it starts is left."""
    if not _move(run.pk, RunStatus.RUNNING, started_at=timezone.now()):
        run.refresh_from_db()
        return run
    seen = {"at": 0.0}

    def should_stop() -> bool:
        return bool(cache.get(cancel_key(run)))

    def on_progress(info: dict) -> None:
        now = time.monotonic()
        if now - seen["at"] >= 0.5 or "stage" in info:
            seen["at"] = now
            cache.set(progress_key(run), {**progress(run), **info}, TTL)

    params = {k: Decimal(v) for k, v in run.params.items()}
    try:
        cache.set(progress_key(run), {"stage": "gathering"}, TTL)
        out = optimise(run.created_by, run.jurisdiction, on=run.on, params=params,
                       should_stop=should_stop, on_progress=on_progress)  # fmt: skip
    except (ValidationError, policy.NotPermitted) as exc:
        message = " ".join(getattr(exc, "messages", [str(exc)]))
        _move(run.pk, RunStatus.FAILED, message=message, finished_at=timezone.now())
    else:
        to = RunStatus.CANCELLED if out["status"] == "cancelled" else RunStatus.DONE
        _move(run.pk, to, result=out, message=out["message"], finished_at=timezone.now())
    cache.set(progress_key(run), {**progress(run), "stage": "finished"}, TTL)
    run.refresh_from_db()
    return run


@task()
def optimise_task(run_id: int) -> str:
    """The worker's entry point: run the optimiser and return the run's final status."""
    run = OptimiserRun.objects.select_related("jurisdiction", "created_by").get(pk=run_id)
    try:
        return execute(run).status
    except Exception as exc:
        _move(run_id, RunStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now())
        raise


def run_adopt(*, actor, run: OptimiserRun) -> list:
    """Adopt a done plan that covers every quarter: a draft disposal project for each chosen
    package, by the chosen channel, at the package's appraised value as its reserve (a lease's
    reserve is its yearly rent), all in one transaction. A package that meanwhile left the
    candidates (dissolved, or a live project opened) refuses the adoption, naming it."""
    policy.require(actor, "plan_run", "adopt", jurisdiction=run.jurisdiction)
    _refuse_move(run, RunStatus.ADOPTED)
    plan = run.result.get("plan") or []
    if not plan:
        raise ValidationError({"status": [_("Optimiser run #%(id)s has no plan to adopt.")
                                          % {"id": run.pk}]})  # fmt: skip
    projects = []
    with transaction.atomic():
        for row in plan:
            package = Package.objects.visible_to(actor).filter(pk=row["package_id"]).first()
            if package is None:
                raise ValidationError({"plan": [_("Package %(code)s is no longer visible to you.")
                                                % {"code": row["package"]}]})  # fmt: skip
            reserve = Decimal(row["reserve"])
            if row["channel"] == "lease":
                reserve = (Decimal(row["cash"]) / row["quarters"] * 4).quantize(Decimal("0.01"))
            where = {"id": run.pk, "period": row["period"], "starts": row["starts"]}
            note = _("Adopted from optimiser run #%(id)s: quarter %(period)s (from %(starts)s).")
            note = note % where
            projects.append(project_create(actor=actor, package=package, reserve_price=reserve,
                                           channel=row["channel"], note=note,
                                           confirm_amount=True))  # fmt: skip
        if not _move(run.pk, RunStatus.ADOPTED, adopted_by=actor, adopted_at=timezone.now()):
            raise ValidationError({"status": [_("The run changed meanwhile; read it again.")]})
        audit_record(actor=actor, action="optimiser_run.adopt", obj=run,
                     before={"status": RunStatus.DONE},
                     after={"status": RunStatus.ADOPTED, "projects": [p.code for p in projects]},
                     jurisdiction_path=run.jurisdiction.path)  # fmt: skip
    run.refresh_from_db()
    return projects
