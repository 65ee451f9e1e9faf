"""``panhuo serve``: the production web server in front of the application.

``panhuo serve --workers auto`` (the production way) runs gunicorn: one process per core, each
with ``--threads`` threads (gthread workers), so the application uses every core where a single
Python process uses about one. Without ``--workers`` it is one waitress process (the demo's
server, and a small site's).

Forwarding headers (client address, https) are believed only from the proxies listed in
``PANHUO_TRUSTED_PROXIES`` (see ``panhuo/site/proxy.py``); the servers' own handling of them is
turned off so that exactly one place decides.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _


def cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(value: str) -> int:
    if value == "auto":
        return cores()
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise CommandError(
            _("--workers must be a whole number of processes, 1 or more, or “auto”: “%(value)s”.")
            % {"value": value}
        )
    return workers


class Command(BaseCommand):
    help = (
        "Serve Panhuo with waitress, trusting X-Forwarded-For/-Proto only from the addresses in "
        "PANHUO_TRUSTED_PROXIES."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--listen",
            action="append",
            help="HOST:PORT to listen on (repeatable; default 127.0.0.1:8000).",
        )
        parser.add_argument("--threads", type=int, default=8, help="threads per process (8)")
        parser.add_argument(
            "--workers",
            help="processes (a number, or 'auto': one per core), served by gunicorn; "
            "without it, one waitress process",
        )

    def handle(self, *args, **options):
        from panhuo.site.checks import check_trusted_proxies
        from panhuo.site.proxy import behind_proxies

        # The deployment check is a gate here, not only a warning of `check --deploy`: behind
        # the TLS proxy with nobody trusted, every request would be redirected in a loop.
        if check_trusted_proxies():
            raise CommandError(
                _(
                    "Not serving: PANHUO_TRUSTED_PROXIES is empty while SECURE_SSL_REDIRECT is "
                    "on, so every request would be redirected in a loop. Set "
                    "PANHUO_TRUSTED_PROXIES to the TLS proxy's address (e.g. %(example)s)."
                )
                % {"example": "127.0.0.1"}
            )

        # Importing the WSGI module builds the application (and its middleware), which only
        # the serving command needs: `manage.py help` and the other commands load this module.
        from panhuo.wsgi import application

        proxies = settings.PANHUO["TRUSTED_PROXIES"]
        addresses = options["listen"] or ["127.0.0.1:8000"]
        listen = " ".join(addresses)
        workers = worker_count(options["workers"]) if options["workers"] else None
        self.stdout.write(
            f"Serving on {listen}"
            + (f" with {workers} processes of {options['threads']} threads" if workers else "")
            + f"; forwarding headers trusted from: {', '.join(proxies) or 'nobody'}.",
        )
        self.stdout.flush()
        if workers:
            from panhuo.site.gunicorn import run

            # Each worker is forked from this process: it must not share its connections.
            connections.close_all()
            run(
                lambda: behind_proxies(application, proxies),
                bind=addresses,
                workers=workers,
                threads=options["threads"],
            )
            return
        from waitress import serve

        serve(
            behind_proxies(application, proxies),
            listen=listen,
            threads=options["threads"],
            ident="panhuo",
            clear_untrusted_proxy_headers=False,
        )
