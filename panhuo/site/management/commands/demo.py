"""``panhuo demo``: migrate, seed the demo district once, collect static files, and serve it.

Serving uses waitress, a production-grade WSGI server, not ``runserver``. Running the command
again is safe: the seed finds its district and adds nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from panhuo.site.demo import SIZES, demo_accounts, seed_demo
from panhuo.site.demo.catalogue import DEFAULT_SEED, DEMO_PASSWORD


def _interrupt(signum, frame) -> None:
    """SIGTERM handler: stop serving the way Ctrl+C does."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Set up the demo: migrate, seed a deterministic synthetic district (once), create one "
        "user per role and print their sign-ins, then serve it with waitress."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Do everything but start the server."
        )
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="full",
            help="How big a district to seed (small is for quick trials).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed of the demo data."
        )
        parser.add_argument("--threads", type=int, default=8, help="Worker threads of the server.")

    def handle(self, *args, **options):
        if settings.ENV != "demo":
            self.stderr.write(
                self.style.WARNING(
                    f"PANHUO_ENV is {settings.ENV!r}; `panhuo demo` runs with PANHUO_ENV=demo."
                )
            )
        verbosity = options["verbosity"]
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))

        result = seed_demo(
            size=SIZES[options["size"]],
            seed=options["seed"],
            log=(lambda msg: self.stdout.write(f"  {msg}")) if verbosity else None,
        )
        counts = result.counts
        summary = (
            f"{counts['units']} units, {counts['assets']:,} assets, {counts['debts']} debts, "
            f"{counts['projects']} disposal projects, {counts['receipts']} receipts, "
            f"{counts['allocations']} allocations, {counts['audit_entries']:,} audit entries"
        )
        if result.created:
            self.stdout.write(f"Seeded the demo district in {result.seconds:.1f} s: {summary}.")
        else:
            self.stdout.write(f"The demo district is already seeded ({summary}); nothing added.")

        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)

        url = f"http://{options['host']}:{options['port']}/"
        self.print_accounts(url)
        if options["no_serve"]:
            return
        self.serve(options["host"], options["port"], options["threads"], url)

    def print_accounts(self, url: str) -> None:
        accounts = demo_accounts()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Panhuo demo: {url}"))
        self.stdout.write(f"API docs: {url}api/v1/docs")
        self.stdout.write(f"Sign in as any of these (every password is {DEMO_PASSWORD}):")
        width = max(len(a.username) for a in accounts) if accounts else 8
        self.stdout.write(f"  {'username':<{width}}  {'password':<{len(DEMO_PASSWORD)}}  role")
        for a in accounts:
            self.stdout.write(f"  {a.username:<{width}}  {a.password}  {a.role} — {a.where}")
        self.stdout.write("")

    def serve(self, host: str, port: int, threads: int, url: str) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        worker = self.start_worker()
        self.stdout.write(f"Serving with waitress on {url} — press Ctrl+C to stop.")
        self.stdout.flush()
        # SIGTERM (a service manager, a container stop, `kill`) stops the demo as Ctrl+C does:
        # through the ``finally`` below, so the worker goes with it instead of living on.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="panhuo")
        except OSError as exc:
            raise CommandError(
                _("Cannot serve on %(host)s:%(port)s: %(exc)s")
                % {"host": host, "port": port, "exc": exc}
            ) from exc
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def start_worker(self) -> subprocess.Popen:
        """The background-task worker (imports and other long work), as its own process beside
        the web server, with the same settings; it stops when the demo stops."""
        self.stdout.write("Starting the background task worker (panhuo worker).")
        return subprocess.Popen(
            [sys.executable, "-m", "panhuo.cli", "worker"], env=os.environ.copy()
        )
