"""Bids racing on one lot from many PROCESSES, each with its own database connection, against a
committed database of the suite's kind (PostgreSQL on the PostgreSQL run, a SQLite file in WAL
mode on the SQLite run), all released at once: the database orders them under the lot's row
lock, so none is lost, none is accepted against a stale price (the accepted bids, replayed in
the database's order through the rules, give exactly the rows, price, leader and end written:
``live_tasks.check``), and the soft close holds when the last bids race the end and the
closing task. (test_concurrency.py races threads of one process; this one races processes.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from panhuo.auctions.tests.test_live_http import task
from panhuo.core.tests.external import ExternalDb

pytestmark = [pytest.mark.slow, pytest.mark.races]

PROCESSES = 16
D = Decimal


@pytest.fixture
def ext(tmp_path):
    db = ExternalDb(tmp_path).create()
    yield db
    db.drop()


def race(ext: ExternalDb, calls: list[tuple[str, dict]]) -> list[dict]:
    """One process per call, each with its own connection, released at once (forked by
    ``live_tasks.race``); what each answered."""
    out = task(ext, "race", calls=calls)
    assert out["processes"] == len(calls)
    assert not [a for a in out["answers"] if "error" in a], out["answers"]
    return out["answers"]


def test_processes_bidding_at_once_none_lost_none_against_a_stale_price(ext):
    made = task(ext, "setup", bidders=PROCESSES)
    lot, start, inc = made["lot"], D(made["start_price"]), D(made["increment"])
    # Every attempt a distinct maximum, a whole number of increments above the start, spread
    # so that many arrive below a price another process has already moved.
    amounts = {
        b["username"]: [str(start + inc * (3 * i + 48 * k)) for k in range(3)]
        for i, b in enumerate(made["bidders"])
    }
    answers = race(ext, [
        ("bids", {"lot": lot, "username": user, "amounts": mine})
        for user, mine in amounts.items()
    ])  # fmt: skip
    accepted, refused, busy = [], [], []
    for user, answer in zip(amounts, answers, strict=True):
        for r in answer["results"]:
            if "accepted" in r:
                accepted.append([user, r["accepted"]])
            elif "refused" in r:
                refused.append(r["refused"])
            else:
                busy.append(r["busy"])
    if ext.vendor == "postgresql":
        assert busy == []  # the row lock makes each wait its turn
    assert set(refused) <= {"too_low"}, refused
    assert len(accepted) + len(refused) + len(busy) == 3 * PROCESSES
    state = task(ext, "check", lot=lot)
    assert state["problems"] == []
    # None lost, none twice: the bids written are exactly those answered "accepted".
    assert state["placed"] == sorted(accepted)
    # The highest maximum was accepted (nothing was ever above it) and leads.
    top = max((a for mine in amounts.values() for a in mine), key=D)
    owner = next(u for u, mine in amounts.items() if top in mine)
    if ext.vendor == "postgresql":
        assert [owner, top] in accepted
    if [owner, top] in accepted:  # (on SQLite it may have been answered busy)
        assert state["leader"] == owner and state["leader_max"] == top


def test_the_soft_close_holds_when_the_last_processes_race_the_end(ext):
    made = task(ext, "setup", bidders=PROCESSES - 2, minutes=60)
    lot, start, inc = made["lot"], D(made["start_price"]), D(made["increment"])
    end = dt.datetime.fromisoformat(made["end_at"])
    first, *late = made["bidders"]
    task(ext, "bid", lot=lot, username=first["username"], amount=str(start),
         at=(end - dt.timedelta(minutes=30)).isoformat())  # fmt: skip
    a_second_before = (end - dt.timedelta(seconds=1)).isoformat()
    calls = [
        ("bids", {"lot": lot, "username": b["username"], "at": a_second_before,
                  "amounts": [str(start + inc * (2 + i))]})
        for i, b in enumerate(late)
    ] + [("close", {"at": end.isoformat()})] * 2  # fmt: skip
    answers = race(ext, calls)
    bids = [a["results"][0] for a in answers[: len(late)]]
    closes = answers[len(late) :]
    state = task(ext, "check", lot=lot)
    assert state["problems"] == []  # ordered, none stale, no bid at or after its end
    accepted = [b for b in bids if "accepted" in b]
    if state["status"] == "closed":
        # The close came first: every late bid was refused as after the close, the end held.
        assert accepted == [] and state["extensions"] == 0
        assert dt.datetime.fromisoformat(state["end_at"]) == end
        assert all(b.get("refused", "closed") == "closed" for b in bids)
        assert sum(len(c.get("closed", [])) for c in closes) == 1
    else:
        # A late bid came first and extended the end by five minutes, so the close was not
        # due; the others of the same second were then outside the window: one extension.
        assert state["status"] == "open" and accepted
        assert dt.datetime.fromisoformat(state["end_at"]) == end + dt.timedelta(minutes=5)
        assert state["extensions"] == 1
        assert all(c.get("closed", []) == [] for c in closes)
        assert {b.get("refused") for b in bids if "refused" in b} <= {"too_low"}
