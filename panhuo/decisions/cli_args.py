"""What the actions of ``panhuo plan`` share (scenario, optimise): the place, the user and the
day they read, their numeric options, and refusals turned into the command's errors naming the
field."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from panhuo.organisation import policy


def place_parser(sub, action: str, numbers: dict, *, help: str, as_help: str, as_of_help: str):
    """The action's parser: ``--jurisdiction``, ``--as``, ``--as-of``, one typed option per
    entry of ``numbers`` (its name with dashes; ``None`` when not given) and ``--json``."""
    s = sub.add_parser(action, help=help)
    s.add_argument("--jurisdiction", required=True, help="The place's code (and below).")
    s.add_argument("--as", dest="username", required=True, help=as_help)
    s.add_argument("--as-of", default="", help=as_of_help)
    for name, kind in numbers.items():
        s.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    s.add_argument("--json", action="store_true", help="The whole answer as JSON.")
    return s


@contextlib.contextmanager
def refusals_as_errors():
    """A refused input or a refused user ends the command with what was refused, by field."""
    try:
        yield
    except ValidationError as exc:
        named = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
        raise CommandError("; ".join(named)) from None
    except policy.NotPermitted as exc:
        raise CommandError(str(exc)) from None
