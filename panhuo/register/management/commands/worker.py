"""panhuo worker: run queued background tasks (imports, reports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from panhuo.core.hooks import worker_started
from panhuo.integrity.checkpoints import checkpoint_quietly, schedule_checkpoints


class Command(BaseCommand):
    help = (
        "Run the background task worker (django-tasks-db); --batch exits when the queue is empty."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **opts):
        from panhuo.register.imports import fail_stale_runs

        # Imports left "running" by a worker that died are reported failed (and can be rerun).
        stale = fail_stale_runs(undo_now=True)
        if stale and opts["verbosity"]:
            self.stderr.write(f"Marked {len(stale)} stopped import(s) failed: {stale}.")
        # The audit chain's head is checkpointed (signed, outside the database) on a schedule,
        # starting now (a head already checkpointed is not signed twice).
        if schedule_checkpoints():
            checkpoint_quietly("worker started")
        # Periodic tasks of the apps above (the monthly reports), queued once.
        worker_started.call()
        call_command("db_worker", batch=opts["batch"], interval=opts["interval"],
                     startup_delay=False, verbosity=opts["verbosity"])  # fmt: skip
