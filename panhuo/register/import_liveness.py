"""What every process can read about a running import, through the cache: its progress, a
request to cancel it, its one-time passwords, and the worker's heartbeat.

So that a run whose worker died (killed, machine lost) does not read "running" for ever, the
worker keeps a heartbeat while it works: a thread writes the time to the cache every
``HEARTBEAT_SECONDS`` (the cache, not the run's row, so the beat never waits for a database
lock). A running run whose heartbeat is older than ``PANHUO["IMPORT_STALE_SECONDS"]`` is stale;
``imports.fail_if_stale`` marks it failed.
"""

from __future__ import annotations

import io
import threading
import time
from typing import IO

from django.conf import settings
from django.core.cache import cache

from panhuo.register.import_models import ImportRun

PROGRESS_TTL = 24 * 3600
HEARTBEAT_SECONDS = 2.0


def progress_key(run_id: int) -> str:
    return f"panhuo:import:{run_id}:progress"


def cancel_key(run_id: int) -> str:
    return f"panhuo:import:{run_id}:cancel"


def heartbeat_key(run_id: int) -> str:
    return f"panhuo:import:{run_id}:heartbeat"


#: How long an import's one-time passwords wait to be read once (then they are gone; the
#: site administrator resets the users' passwords).
SECRETS_TTL = 3600


def secrets_key(run_id: int) -> str:
    return f"panhuo:import:{run_id}:secrets"


def take_secrets(run: ImportRun) -> dict[str, str]:
    """The one-time passwords a users import made, by username, to its owner, once: read and
    forgotten (they were never stored with the run or in the database)."""
    key = secrets_key(run.pk)
    secrets = cache.get(key) or {}
    cache.delete(key)
    return secrets


def stale_after() -> float:
    """Seconds without a heartbeat after which a running import counts as stopped."""
    return float(settings.PANHUO.get("IMPORT_STALE_SECONDS", 60))


def beat(run_id: int) -> None:
    cache.set(heartbeat_key(run_id), time.time(), PROGRESS_TTL)


def last_heartbeat(run: ImportRun) -> float | None:
    """When the worker last showed it was alive (seconds since the epoch), if it ever did."""
    seen = cache.get(heartbeat_key(run.pk))
    if seen is None and run.started_at is not None:
        return run.started_at.timestamp()
    return seen


def is_stale(run: ImportRun, now: float | None = None) -> bool:
    if run.status != ImportRun.Status.RUNNING:
        return False
    seen = last_heartbeat(run)
    return seen is not None and (now or time.time()) - seen > stale_after()


class Heartbeat:
    """A daemon thread that beats for one run while the worker imports it."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"beat-{run_id}")

    def _loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            beat(self.run_id)

    def __enter__(self) -> Heartbeat:
        beat(self.run_id)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_SECONDS * 2)


class CountingReader(io.RawIOBase):
    """Counts bytes read, so progress can be shown as a share of the file."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.raw.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self.raw.seek(offset, whence)
        self.count = pos
        return pos

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data
