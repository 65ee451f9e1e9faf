"""Nothing an auditor does changes the audited records: every row of every audited table is
snapshotted before and compared after each auditor action, through the services, the pages
and the API (raise on every kind, comment, escalate, resolve, add evidence, read, export)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.tests.api_support import call
from panhuo.findings import services as fs
from panhuo.findings.models import OPEN_STATUSES, Finding
from panhuo.findings.tests.support import audited_rows, records_of_every_kind
from panhuo.findings.workflow import STEP_NAMES
from panhuo.integrity.document_services import document_upload
from panhuo.integrity.tests.document_support import pdf_bytes, upload


def test_no_auditor_action_changes_an_audited_row(world):
    recs, _aw = records_of_every_kind(world)
    auditor, sup = world.user("auditor"), world.user("supervisor")
    web, sweb = Client(), Client()
    web.force_login(auditor)
    sweb.force_login(sup)
    rows = audited_rows()

    def unchanged(what: str) -> None:
        assert audited_rows() == rows, f"{what} changed an audited row"

    made = []
    for kind, record in recs.items():
        made.append(
            fs.finding_raise(
                actor=auditor,
                record_kind=kind,
                record_id=record.pk,
                title=f"On the {kind}",
                description="Looks wrong.",
            )
        )
        unchanged(f"raising a finding on the {kind}")
        page = web.get(record.get_absolute_url())
        assert page.status_code == 200
        unchanged(f"reading the {kind}'s page")
    f = made[0]
    document_upload(
        actor=auditor,
        target=f,
        kind="other",
        title="Site photo",
        file=upload("photo.pdf", pdf_bytes("evidence")),
    )
    unchanged("adding evidence")
    fs.finding_comment(actor=auditor, finding=f, comment="Asked the unit")
    unchanged("a comment")
    fs.finding_transition(actor=auditor, finding=f, step="escalate", comment="Up")
    unchanged("escalating")
    fs.finding_transition(actor=sup, finding=f, step="rectify", comment="Fixed")
    unchanged("the supervisor's resolution")
    for step, finding in zip(("justify", "rectify", "refer"), made[1:4], strict=True):
        fs.finding_transition(actor=auditor, finding=finding, step=step, comment="ok")
        unchanged(step)
    # The pages and the API, as the auditor uses them.
    r = web.post(
        reverse("finding-create"),
        {
            "record_kind": "package",
            "record_id": recs["package"].pk,
            "title": "Split lots",
            "severity": "high",
            "description": "Two lots, one buyer",
        },
    )
    assert r.status_code == 302
    unchanged("raising through the page")
    page_f = Finding.objects.get(title="Split lots")
    r = web.post(reverse("finding-step", args=[page_f.pk]), {"step": "justify", "comment": "ok"})
    assert r.status_code == 302
    unchanged("resolving through the page")
    for url in (
        reverse("finding-list") + "?export=xlsx",
        reverse("finding-list") + "?export=csv",
        reverse("finding-stats"),
        reverse("finding-detail", args=[f.pk]),
    ):
        assert web.get(url).status_code == 200
    unchanged("reading and exporting")
    body = {
        "record_kind": "allocation",
        "record_id": recs["allocation"].pk,
        "title": "Late",
        "description": "Allocated late",
    }
    r = call(web, "post", "/api/v1/findings", body)
    assert r.status_code == 201, r.content
    r = call(
        web, "post", f"/api/v1/findings/{r.json()['id']}/steps", {"step": "refer", "comment": "x"}
    )
    assert r.status_code == 200, r.content
    unchanged("the API")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["auditor", "supervisor", "head", "office"]),
            st.sampled_from([*STEP_NAMES, "comment"]),
        ),
        max_size=6,
    )
)
def test_any_sequence_of_moves_keeps_the_finding_consistent_and_the_records_untouched(world, moves):
    """Whatever is tried in whatever order: a refused move writes nothing; the status is
    resolved exactly when resolved_at is set; once resolved it never moves again; the audited
    rows never change."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from panhuo.core.testing import AssetFactory
    from panhuo.register.models import Asset

    # One asset for all the examples (the world is the test's, not the example's).
    asset = Asset.objects.filter(unit=world.unit).first() or AssetFactory(unit=world.unit)
    rows = audited_rows()
    f = fs.finding_raise(
        actor=world.user("auditor"),
        record_kind="asset",
        record_id=asset.pk,
        title="t",
        description="d",
    )
    for who, step in moves:
        before = Finding.objects.values().get(pk=f.pk)
        try:
            if step == "comment":
                fs.finding_comment(actor=world.user(who), finding=f, comment="c")
            else:
                fs.finding_transition(actor=world.user(who), finding=f, step=step, comment="c")
        except (PermissionDenied, ValidationError):
            assert Finding.objects.values().get(pk=f.pk) == before
        now = Finding.objects.get(pk=f.pk)
        assert (now.status in OPEN_STATUSES) == (now.resolved_at is None)
        if before["status"] not in OPEN_STATUSES:
            assert now.status == before["status"]
    assert audited_rows() == rows
