"""gunicorn, run from ``panhuo serve --workers``: processes forked from the command's own, each
loading the application after the fork (no connection or thread crosses it).

Only the options Panhuo needs are set; gunicorn's own reading of forwarding headers is off (no
secure-scheme headers, no trusted forwarders): ``site/proxy.py`` alone decides, as with
waitress. gthread workers: each process serves ``threads`` requests at once, so a live-bidding
stream (auctions/live.py) holds one thread, not a whole process.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, load: Callable[[], Callable], options: dict) -> None:
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self._load()


def run(load: Callable[[], Callable], *, bind: list[str], workers: int, threads: int) -> None:
    """Serve ``load()``'s WSGI application until stopped (SIGTERM or SIGINT: gracefully)."""
    _Server(
        load,
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "secure_scheme_headers": {},
            "forwarded_allow_ips": "",
            "proc_name": "panhuo",
            # Requests are logged by the proxy in front; errors go to standard error.
            "errorlog": "-",
            "loglevel": os.environ.get("LOG_LEVEL", "warning").lower(),
            # A worker that has not answered its master for this long is restarted (gthread
            # workers answer between requests, so a long request does not trip it).
            "timeout": 60,
            "graceful_timeout": 30,
        },
    ).run()
