"""Import runs: store the uploaded file, queue the work, follow its progress, cancel it.

The web request only stores the file and queues a task; a worker (``panhuo worker``) runs the
import in its own transaction and reports progress through the cache, which every process can
read while the import's transaction is still open.

A worker that dies mid-file (killed, machine lost) leaves nothing: while it reads and checks
the file it has written nothing, and the batches it wrote before dying are reverted when its
run is found stale (``importing/writing.py``). A run whose worker stopped beating
(``import_liveness.py``) is marked failed ("the worker stopped") when it is read, when a worker
starts, and whenever a worker starts an import. What a committing run wrote is undone by a
worker, never by the page or API call that found the run stale (``fail_if_stale``);
``import_run_rerun`` then queues the same file with the same mapping again. Saved mappings are
``import_mappings.py``'s.

A committing import records its outcome ("succeeded", with its report) inside the transaction
of its last batch, just before the commit: so "running" or "failed … nothing was written" is
never read about a file whose rows were all committed, whatever point the worker dies at.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.register import import_failures as failures
from panhuo.register import import_liveness as liveness
from panhuo.register.import_mappings import MAPPING_PERMISSION, check_mapping
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.importing.engine import ImportCancelled, Mapping, run_import, target_for
from panhuo.register.importing.readers import FileRejected

logger = logging.getLogger(__name__)

#: The message code of a committing run whose worker stopped, while a worker undoes its writes.
UNDOING = "worker_stopped_undoing"


def fail_if_stale(run: ImportRun, *, undo_now: bool = False) -> ImportRun:
    """Mark a running import whose worker stopped as failed; returns the run as it now reads.

    A dry run (or a target without ``revert``, which writes in one transaction) wrote nothing
    that survived: it reads "failed … nothing was written" at once. A committing run may have
    left batches; undoing them can take minutes (200,000 assets), which a page or an API call
    must never do: there the run reads failed while its writes are being undone, and a task is
    queued for the worker (``undo_stopped_run_task``), which says "nothing was written" when
    done. The worker's own sweeps pass ``undo_now`` and undo in place."""
    if not liveness.is_stale(run):
        return run
    revert = getattr(target_for(run.target), "revert", None) if run.commit else None
    if revert is None:
        _mark_stopped(
            run.pk, ImportRun.Status.RUNNING, failures.worker_stopped(int(liveness.stale_after()))
        )
    elif undo_now:
        _undo_stopped(run, revert)
    elif _mark_stopped(run.pk, ImportRun.Status.RUNNING, failures.worker_stopped_undoing()):
        # Only the reader whose update marked the run queues its undo.
        undo_stopped_run_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _mark_stopped(run_id: int, status: str, texts: dict[str, Any]) -> bool:
    """Mark the run failed with ``texts`` if it is still ``status``; whether it was."""
    return bool(
        ImportRun.objects.filter(pk=run_id, status=status).update(
            status=ImportRun.Status.FAILED,
            message=failures.english(texts),
            message_i18n=texts,
            finished_at=timezone.now(),
        )
    )


def _undo_stopped(run: ImportRun, revert) -> None:
    """Undo what a stopped committing run wrote (in the worker), then say nothing was written.
    Batches a dead worker wrote are found by their audit entries (importing/writing.py); running
    it twice reverts nothing more."""
    revert(actor=run.owner, source={"import": run.pk})
    texts = failures.worker_stopped(int(liveness.stale_after()))
    if not _mark_stopped(run.pk, ImportRun.Status.RUNNING, texts):
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.FAILED).update(
            message=failures.english(texts), message_i18n=texts
        )


def undoing(run: ImportRun) -> bool:
    """Whether a worker has yet to undo what this stopped run wrote."""
    return run.status == ImportRun.Status.FAILED and run.message_code == UNDOING


@task()
def undo_stopped_run_task(run_id: int) -> str:
    """The worker's half of ``fail_if_stale``: undo a stopped committing run's writes."""
    run = ImportRun.objects.select_related("owner").get(pk=run_id)
    if undoing(run):
        _undo_stopped(run, target_for(run.target).revert)
    return ImportRun.objects.get(pk=run_id).message_code


def fail_stale_runs(owner: User | None = None, *, undo_now: bool = False) -> list[int]:
    """Mark every running import (of ``owner``, if given) whose worker stopped as failed:
    before a list of runs is shown (the undo is queued), and a worker's sweeps (``undo_now``:
    the undo is done, including any a page queued that was lost)."""
    failed = []
    running = ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
    if owner is not None:
        running = running.filter(owner=owner)
    for run in running.select_related("owner"):
        if fail_if_stale(run, undo_now=undo_now).status == ImportRun.Status.FAILED:
            failed.append(run.pk)
    if undo_now:
        pending = ImportRun.objects.filter(
            status=ImportRun.Status.FAILED, message_i18n__msg__code=UNDOING
        ).select_related("owner")
        for run in pending:
            _undo_stopped(run, target_for(run.target).revert)
    return failed


def imports_dir() -> Path:
    path = settings.DATA_DIR / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_run_create(
    *,
    actor: User,
    upload: IO[bytes],
    filename: str,
    mapping: dict[str, Any] | None = None,
    mapping_name: str = "",
    commit: bool = False,
    valid_only: bool = False,
    target: str = "assets",
) -> ImportRun:
    """Keep the uploaded file (named by its SHA-256) and queue its import. Who may import:
    asset creators (assets), whoever may edit debts somewhere (debts; each row is then
    checked against the row's jurisdiction), the site administrator (units, users)."""
    resource, action = MAPPING_PERMISSION.get(target, ("", ""))
    if not resource:
        message = gettext("Unknown import target “%(name)s”.") % {"name": target}
        raise ValidationError({"target": [message]})
    if not policy.can_any(actor, resource, action):
        refusals = {
            "assets": gettext("You may not import assets."),
            "debts": gettext("You may not import debts."),
            "fiscal": gettext("You may not import fiscal figures."),
            "units": gettext("You may not import holding units."),
            "users": gettext("You may not import users."),
        }
        raise policy.NotPermitted(refusals.get(target) or gettext("You may not import this."))
    if mapping_name:
        saved = ImportMapping.objects.filter(owner=actor, target=target, name=mapping_name).first()
        if saved is None:
            message = gettext("You have no mapping named “%(name)s”.") % {"name": mapping_name}
            raise ValidationError({"mapping": [message]})
        mapping = saved.as_json()
    spec = check_mapping(mapping or {}, target)
    limit = settings.PANHUO["IMPORT_MAX_BYTES"]
    digest = hashlib.sha256()
    tmp = imports_dir() / f".upload-{timezone.now().timestamp()}-{id(upload)}"
    size = 0
    with tmp.open("wb") as out:
        while chunk := upload.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                out.close()
                tmp.unlink(missing_ok=True)
                message = gettext("The file is larger than %(limit)s bytes.") % {"limit": limit}
                raise ValidationError({"file": [message]})
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        tmp.unlink(missing_ok=True)
        raise ValidationError({"file": [gettext("The file is empty.")]})
    suffix = Path(filename).suffix.lower()[:10]
    stored = imports_dir() / f"{digest.hexdigest()}{suffix}"
    shutil.move(tmp, stored)
    with transaction.atomic():
        run = ImportRun.objects.create(
            owner=actor,
            file_name=Path(filename).name[:255] or "upload",
            file_sha256=digest.hexdigest(),
            file_size=size,
            stored_path=stored.name,
            target=target,
            mapping_name=mapping_name,
            mapping=spec.as_json(),
            commit=commit,
            valid_only=valid_only,
        )
        audit_record(
            actor=actor,
            action="import_run.create",
            obj=run,
            after={"file": run.file_name, "sha256": run.file_sha256, "size": size,
                   "commit": commit, "valid_only": valid_only},
        )  # fmt: skip
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    result = run_import_task.enqueue(run_id)
    ImportRun.objects.filter(pk=run_id).update(task_id=str(result.id))


def import_run_cancel(*, actor: User, run: ImportRun) -> None:
    """Ask the worker to stop; it rolls back everything this run wrote."""
    if run.owner_id != actor.pk:
        raise policy.NotPermitted(gettext("Only who started an import may cancel it."))
    if run.finished:
        message = gettext("Import #%(id)s has already ended (%(status)s).") % {
            "id": run.pk,
            "status": run.get_status_display(),
        }
        raise ValidationError({"status": [message]})
    cache.set(liveness.cancel_key(run.pk), True, liveness.PROGRESS_TTL)
    if run.status == ImportRun.Status.QUEUED:
        ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED).update(
            status=ImportRun.Status.CANCELLED, finished_at=timezone.now()
        )


def import_run_rerun(*, actor: User, run: ImportRun) -> ImportRun:
    """Queue the same stored file again with the same mapping and mode, as a new run (after a
    failure, e.g. a stopped worker, or a cancel). Only who started the run may rerun it."""
    if run.owner_id != actor.pk:
        raise policy.NotPermitted(gettext("Only who started an import may rerun it."))
    run = fail_if_stale(run)
    if undoing(run):
        message = gettext(
            "Import #%(id)s cannot be rerun yet: the worker is still undoing what it wrote "
            "before it stopped. Rerun it once it says nothing was written."
        ) % {"id": run.pk}
        raise ValidationError({"status": [message]})
    if run.status not in (ImportRun.Status.FAILED, ImportRun.Status.CANCELLED):
        message = gettext(
            "Import #%(id)s is %(status)s: only a failed or cancelled import can be rerun."
        ) % {"id": run.pk, "status": run.get_status_display()}
        raise ValidationError({"status": [message]})
    path = imports_dir() / run.stored_path
    if not path.is_file():
        raise ValidationError({"file": [gettext("The stored file is gone; upload it again.")]})
    with path.open("rb") as stored:
        new = import_run_create(
            actor=actor,
            upload=stored,
            filename=run.file_name,
            mapping=run.mapping,
            commit=run.commit,
            valid_only=run.valid_only,
            target=run.target,
        )
    if run.mapping_name:
        ImportRun.objects.filter(pk=new.pk).update(mapping_name=run.mapping_name)
        new.mapping_name = run.mapping_name
    return new


def import_progress(run: ImportRun) -> dict[str, Any]:
    """Rows read so far (live, from the cache while running) and the final report when done.
    A run whose worker stopped reads as failed."""
    run = fail_if_stale(run)
    live = cache.get(liveness.progress_key(run.pk)) or {}
    rows = max(run.rows_done, live.get("rows", 0))
    return {
        "id": run.pk,
        "status": run.status,
        "rows": rows,
        "size": run.file_size,
        "bytes": live.get("bytes"),
        "report": run.report,
        "message": run.shown_message,
        "finished": run.finished,
    }


def execute_import(run: ImportRun) -> ImportRun:
    """Run one import now, in this process (the worker's task, and the CLI's path).

    Only a queued run is run, and it is claimed by one conditional update: a run that has
    ended (succeeded, rejected, failed, cancelled) or that another worker already runs is left
    as it is, however often its task is queued or picked up again (a retried task, a second
    worker, an old queue entry). Its rows and texts are in the language of who started it
    (the row errors are messages, read in each reader's language; a fixed value's column
    label and the choice words the file may use in that language)."""
    queued = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED)
    if cache.get(liveness.cancel_key(run.pk)):
        queued.update(status=ImportRun.Status.CANCELLED, finished_at=timezone.now())
        run.refresh_from_db()
        return run
    if not queued.update(status=ImportRun.Status.RUNNING, started_at=timezone.now()):
        run.refresh_from_db()
        logger.warning("Import #%s is %s, not queued: not run again.", run.pk, run.status)
        return run
    with translation.override(run.owner.language or settings.LANGUAGE_CODE):
        return _execute(run)


def _execute(run: ImportRun) -> ImportRun:
    path = imports_dir() / run.stored_path
    status, texts, report = ImportRun.Status.FAILED, {}, {}

    def finish(result) -> None:
        # Inside the import's transaction: the run reads "succeeded" exactly when its rows
        # are committed, even if this process dies right after the commit.
        _record_outcome(run.pk, ImportRun.Status.SUCCEEDED, {}, result.as_dict())

    with liveness.Heartbeat(run.pk), path.open("rb") as raw:
        stream = liveness.CountingReader(raw)

        def progress(rows: int) -> bool:
            cache.set(
                liveness.progress_key(run.pk),
                {"rows": rows, "bytes": stream.count},
                liveness.PROGRESS_TTL,
            )
            liveness.beat(run.pk)
            if pause := settings.PANHUO["IMPORT_BATCH_PAUSE"]:
                # Leave the database to other users between batches of a big import.
                time.sleep(pause)
            return bool(cache.get(liveness.cancel_key(run.pk)))

        try:
            result = run_import(
                target_for(run.target),
                actor=run.owner,
                stream=stream,
                mapping=Mapping.from_json(run.mapping),
                commit=run.commit,
                valid_only=run.valid_only,
                progress=progress,
                filename=run.file_name,
                run_id=run.pk,
                finish=finish,
            )
            if result.committed:
                if result.secrets:
                    cache.set(liveness.secrets_key(run.pk), result.secrets, liveness.SECRETS_TTL)
                run.refresh_from_db()
                return run
            report = result.as_dict()
            status = (
                ImportRun.Status.SUCCEEDED
                if not run.commit and result.rejected == 0
                else ImportRun.Status.REJECTED
            )
        except ImportCancelled:
            status, texts = ImportRun.Status.CANCELLED, failures.cancelled()
        except FileRejected as exc:
            status, texts = ImportRun.Status.REJECTED, failures.rejected(exc)
    # Nothing was written (a dry run, a rejected file, a cancel): a crash before this line
    # leaves the run "running" until it reads as stopped, which is then true.
    _record_outcome(run.pk, status, texts, report)
    run.refresh_from_db()
    return run


def _record_outcome(run_id: int, status: str, texts: dict[str, str], report: dict) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        message=failures.english(texts),
        message_i18n=texts,
        report=report,
        rows_done=report.get("rows", 0),
        finished_at=timezone.now(),
    )


@task()
def run_import_task(run_id: int) -> str:
    """The worker's entry point: run the import and return its final status."""
    fail_stale_runs(undo_now=True)
    run = ImportRun.objects.select_related("owner").get(pk=run_id)
    try:
        return execute_import(run).status
    except Exception as exc:
        # Only a run still running: one whose outcome was committed with its rows keeps it.
        # Its reader is told why in words (never "see the worker log"); the worker logs the
        # traceback as for any failed task.
        texts = failures.failed(exc)
        ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED,
            message=failures.english(texts),
            message_i18n=texts,
            finished_at=timezone.now(),
        )
        raise
