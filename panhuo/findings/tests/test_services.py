"""Findings: raised only on a record the auditor may see, in their jurisdiction; moved only by
the table, by the role its row names, with a comment; every write audited; refusals name the
field or the step and leave nothing behind."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from panhuo.findings import services as fs
from panhuo.findings.models import Finding, FindingEvent, FindingStatus
from panhuo.findings.tests.support import records_of_every_kind
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted


def _raise(w, record_kind, record_id, who="auditor", **kw):
    return fs.finding_raise(
        actor=w.user(who),
        record_kind=record_kind,
        record_id=record_id,
        title=kw.pop("title", "Price too low"),
        description=kw.pop("description", "See file."),
        **kw,
    )


def test_an_auditor_raises_a_finding_on_every_kind_of_record(world):
    recs, _aw = records_of_every_kind(world)
    for kind, record in recs.items():
        before = AuditEntry.objects.count()
        f = _raise(world, kind, record.pk, severity="high")
        assert (f.record_kind, f.record_id, f.status) == (kind, record.pk, FindingStatus.RAISED)
        assert f.jurisdiction == world.district
        assert f.code.startswith("FND")
        assert AuditEntry.objects.count() == before + 1
        assert AuditEntry.objects.latest("seq").action == "finding.raise"
    asset = Finding.objects.get(record_kind="asset")
    assert asset.unit == world.unit  # an asset's holding unit is counted with its finding
    assert Finding.objects.get(record_kind="debt").unit is None


def test_a_record_missing_or_out_of_reach_is_refused_naming_the_field(world):
    recs, aw = records_of_every_kind(world)
    cases = [
        ("asset", aw.other_asset.pk, "auditor", "record_id"),  # district B's asset
        ("asset", 10**9, "auditor", "record_id"),
        ("asset", "x", "auditor", "record_id"),
        ("lease", 1, "auditor", "record_kind"),
    ]
    for kind, pk, who, field in cases:
        with pytest.raises(ValidationError) as exc:
            _raise(world, kind, pk, who)
        assert field in exc.value.message_dict, (kind, pk)
    with pytest.raises(ValidationError) as exc:
        _raise(world, "asset", recs["asset"].pk, title="  ")
    assert "title" in exc.value.message_dict
    # Readers who are not auditors may not raise findings; district B's auditor cannot see A.
    for who in ("office", "head", "supervisor", "finance"):
        with pytest.raises((NotPermitted, ValidationError)):
            _raise(world, "asset", recs["asset"].pk, who)
    with pytest.raises(ValidationError):
        _raise(world, "asset", recs["asset"].pk, "outsider_auditor")
    assert not Finding.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="finding.").exists()


def test_the_table_decides_who_moves_a_finding_and_from_where(world):
    recs, _aw = records_of_every_kind(world)
    a = _raise(world, "debt", recs["debt"].pk)
    auditor, sup = world.user("auditor"), world.user("supervisor")
    assert [t.name for t in fs.steps_for(auditor, a)] == ["escalate", "justify", "rectify", "refer"]
    assert fs.steps_for(sup, a) == []  # the supervisor acts on escalated findings only
    with pytest.raises(NotPermitted):
        fs.finding_transition(actor=sup, finding=a, step="justify", comment="ok")
    with pytest.raises(ValidationError) as exc:
        fs.finding_transition(actor=auditor, finding=a, step="escalate", comment=" ")
    assert "comment" in exc.value.message_dict
    a = fs.finding_transition(actor=auditor, finding=a, step="escalate", comment="Too big for us")
    assert a.status == FindingStatus.ESCALATED and a.resolved_at is None
    assert fs.steps_for(auditor, a) == []
    with pytest.raises(NotPermitted):
        fs.finding_transition(actor=auditor, finding=a, step="refer", comment="x")
    with pytest.raises(NotPermitted):
        fs.finding_transition(actor=world.user("head"), finding=a, step="refer", comment="x")
    a = fs.finding_transition(actor=sup, finding=a, step="refer", comment="To the commission")
    assert a.status == FindingStatus.REFERRED and a.resolved_at is not None
    with pytest.raises(ValidationError) as exc:
        fs.finding_transition(actor=sup, finding=a, step="justify", comment="x")
    assert "step" in exc.value.message_dict and "justify" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        fs.finding_transition(actor=auditor, finding=a, step="delete", comment="x")
    assert "step" in exc.value.message_dict
    steps = list(FindingEvent.objects.filter(finding=a).values_list("step", "to_status"))
    assert steps == [("raise", "raised"), ("escalate", "escalated"), ("refer", "referred")]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"finding.raise", "finding.escalate", "finding.refer"} <= actions


def test_an_auditor_resolves_directly_and_comments(world):
    recs, _aw = records_of_every_kind(world)
    auditor = world.user("auditor")
    for step, status in (("justify", "justified"), ("rectify", "rectified"), ("refer", "referred")):
        f = _raise(world, "receipt", recs["receipt"].pk)
        fs.finding_comment(actor=auditor, finding=f, comment="Asked for the voucher")
        f = fs.finding_transition(actor=auditor, finding=f, step=step, comment="Done")
        assert f.status == status
    with pytest.raises(NotPermitted):
        fs.finding_comment(actor=world.user("office"), finding=f, comment="no")
    with pytest.raises(NotPermitted):  # district B's auditor has no reach here
        fs.finding_comment(actor=world.user("outsider_auditor"), finding=f, comment="no")
    assert FindingEvent.objects.filter(step="comment").count() == 3


def test_evidence_is_added_by_auditors_and_read_by_readers_of_findings(world):
    from panhuo.integrity.document_models import Document
    from panhuo.integrity.document_services import document_upload
    from panhuo.integrity.tests.document_support import pdf_bytes, upload

    recs, _aw = records_of_every_kind(world)
    f = _raise(world, "asset", recs["asset"].pk)
    doc = document_upload(
        actor=world.user("auditor"),
        target=f,
        kind="other",
        title="Site photo",
        file=upload("p.pdf", pdf_bytes("x")),
    )
    for who in ("office", "head", "unit_officer", "outsider_auditor"):
        with pytest.raises(NotPermitted):
            document_upload(
                actor=world.user(who),
                target=f,
                kind="other",
                title="No",
                file=upload("n.pdf", pdf_bytes("n")),
            )
    seen = {
        who: Document.objects.visible_to(world.user(who)).filter(pk=doc.pk).exists()
        for who in ("auditor", "head", "supervisor", "office", "unit_officer", "outsider_auditor")
    }
    assert seen == {
        "auditor": True,
        "head": True,
        "supervisor": True,
        "office": False,
        "unit_officer": False,
        "outsider_auditor": False,
    }
