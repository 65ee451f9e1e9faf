"""The ``panhuo`` command: Django's ``manage.py`` with Panhuo's own commands beside it.

``panhuo <command> [options]`` runs any Django management command with
``DJANGO_SETTINGS_MODULE=panhuo.settings`` (unless it is set). Panhuo adds, among others:

- ``panhuo demo [--no-serve] [--host 127.0.0.1] [--port 8000]``: the seeded demo, served by
  waitress. It sets ``PANHUO_ENV=demo`` unless the environment already chose a profile.
- ``panhuo audit verify``: check the audit log's hash chain and the signed checkpoints kept
  outside the database; non-zero exit when the chain is broken or a checkpoint contradicted.
  ``panhuo audit checkpoint`` signs the head now; ``keygen`` / ``public-key`` the key;
  ``panhuo audit reconcile`` compares every audited record's row with its replayed entries.
- ``panhuo token create USERNAME --name NAME``: an API token for scripts, shown once.
- ``panhuo backup FILE`` / ``panhuo restore FILE [--force] [--allow-unsigned]``: the whole
  database (and stored files) to a checksummed, signed archive and back, on SQLite or
  PostgreSQL.
- ``panhuo serve [--listen HOST:PORT]``: the production web server (waitress), believing
  forwarding headers only from ``PANHUO_TRUSTED_PROXIES``.
- ``panhuo worker``: runs queued imports; runs left "running" by a worker that died are
  reported failed.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else ["panhuo", *argv])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # Settings are read once, at start-up, so the profile must be chosen before Django is.
        os.environ.setdefault("PANHUO_ENV", "demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["panhuo", *argv[1:]])


if __name__ == "__main__":
    main()
