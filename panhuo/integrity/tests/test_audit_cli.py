"""`panhuo audit verify` (and the other CLI commands) against an intact and a tampered chain.

The append-only trigger refuses UPDATE on audit entries, so to tamper the test first drops
(SQLite) or disables (PostgreSQL) it, as an attacker with database access would. DDL is
transactional on both, so the test's rollback restores the trigger.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from panhuo.cli import main
from panhuo.core.testing import concluded_project
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_verify
from panhuo.organisation.models import ApiToken


def _disable_append_only_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire the foreign-key checks deferred by this test's inserts first: PostgreSQL
            # refuses to ALTER a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE integrity_auditentry DISABLE TRIGGER integrity_audit_no_update"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS integrity_audit_no_update")


def _raw_set_after(seq: int, after: dict) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE integrity_auditentry SET "after" = %s{cast} WHERE seq = %s',  # noqa: S608
            [json.dumps(after), seq],
        )


@pytest.fixture
def keep_connection(monkeypatch):
    """`panhuo` closes the database connections when a command ends, as manage.py does; in a
    test that would end the test's own transaction, so closing is a no-op here."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def chain(world):
    """A real chain: a project taken to concluded through the services."""
    concluded_project(world)
    assert AuditEntry.objects.count() >= 6
    return world


def test_verify_intact_chain_exits_zero_and_counts(chain):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    total = AuditEntry.objects.count()
    assert f"intact: {total} entries checked" in out.getvalue()


def test_panhuo_main_verify_intact_returns_normally(chain, capsys, keep_connection):
    main(["audit", "verify"])  # no SystemExit means exit status 0
    assert f"{AuditEntry.objects.count()} entries checked" in capsys.readouterr().out


def test_tampered_after_is_detected_and_named(chain, capsys, keep_connection):
    victim = AuditEntry.objects.get(action="project.conclude")
    forged = dict(victim.after)
    forged["deal_price"] = "1.00"
    _disable_append_only_trigger()
    _raw_set_after(victim.seq, forged)
    victim.refresh_from_db()
    assert victim.after["deal_price"] == "1.00"  # the edit really reached the database

    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    message = str(excinfo.value)
    assert f"entry #{victim.seq}:" in message
    assert "does not match its hash" in message
    assert f"{victim.seq - 1} entries before it are intact" in message

    # The `panhuo` command itself exits non-zero and names the entry on stderr.
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "verify"])
    assert exit_info.value.code == 1
    assert f"#{victim.seq}" in capsys.readouterr().err


def test_deleted_entry_is_named(chain):
    victim = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(seq=victim.seq).delete()  # the trigger guards UPDATE only
    with pytest.raises(CommandError, match=rf"entry #{victim.seq}: entry #{victim.seq} is missing"):
        call_command("audit", "verify")


def test_trigger_refuses_plain_update(chain):
    victim = AuditEntry.objects.order_by("seq").first()
    before = victim.after
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw_set_after(victim.seq, {"forged": True})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=victim.seq).update(action="forged")
    victim.refresh_from_db()
    assert victim.after == before
    assert victim.action != "forged"
    assert audit_verify().ok


def test_token_create_prints_key_once_and_stores_only_its_hash(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "finance", "--name", "ETL job", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.user("finance"))
    assert token.name == "ETL job"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in err.getvalue()
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1
    assert audit_verify().ok


def test_token_create_for_unknown_user_writes_nothing(world):
    with pytest.raises(CommandError, match="No user named “ghost”"):
        call_command("token", "create", "ghost", "--name", "ETL")
    assert ApiToken.objects.count() == 0
    assert not AuditEntry.objects.filter(action="api_token.create").exists()


def test_token_create_records_the_operator_as_creator(world):
    """Issue 13: ``panhuo token create head`` recorded head as the token's creator."""
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "head", "--name", "ETL", "--operator", "li.wei",
                 stdout=out, stderr=err)  # fmt: skip
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor_id is None
    assert entry.actor_name == "li.wei (command line)"
    assert entry.after["created_by"] == "li.wei (command line)"
    assert entry.after["user"] == world.user("head").pk
    assert ApiToken.objects.get().user == world.user("head")
    assert audit_verify().ok
    # Without --operator, the system account running the command is named.
    call_command("token", "create", "head", "--name", "ETL 2", stdout=out, stderr=err)
    second = AuditEntry.objects.filter(action="api_token.create").order_by("-seq").first()
    assert second.actor_id is None and second.actor_name.endswith("(command line)")
    assert second.actor_name != "head"
