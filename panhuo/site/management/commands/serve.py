"""``panhuo serve``: the production web server (waitress) in front of the application.

Forwarding headers (client address, https) are believed only from the proxies listed in
``PANHUO_TRUSTED_PROXIES`` (see ``panhuo/site/proxy.py``); waitress's own handling of them is
turned off so that exactly one place decides.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand


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
        parser.add_argument("--threads", type=int, default=8, help="worker threads (8)")

    def handle(self, *args, **options):
        from waitress import serve

        from panhuo.site.proxy import behind_proxies

        # Importing the WSGI module builds the application (and its middleware), which only
        # the serving command needs: `manage.py help` and the other commands load this module.
        from panhuo.wsgi import application

        proxies = settings.PANHUO["TRUSTED_PROXIES"]
        listen = " ".join(options["listen"] or ["127.0.0.1:8000"])
        self.stdout.write(
            f"Serving on {listen}; forwarding headers trusted from: "
            f"{', '.join(proxies) or 'nobody'}."
        )
        serve(
            behind_proxies(application, proxies),
            listen=listen,
            threads=options["threads"],
            ident="panhuo",
            clear_untrusted_proxy_headers=False,
        )
