"""Expected receipts get the time they were cancelled, so a figure as of a day counts a row
cancelled later (the monthly report's forecast, regenerated, says what it said).

The rows cancelled before this field existed get the time of the project's audited step that
cancelled them: the first of the project's audit entries of those steps (a contract ended, the
deal passed to the runner-up, a payment plan set) written after the row was recorded. A row
with no such entry keeps no time and counts as cancelled on every day, as before."""

import bisect
from collections import defaultdict

from django.db import migrations, models

#: The audited steps of a project that cancel its expected receipts.
CANCELLING = ("project.end", "project.deal_reassign", "instalment_plan.set")


def backfill(apps, schema_editor=None) -> int:
    """Give the cancelled rows without a time the time of the step that cancelled them; return
    how many got one."""
    expected = apps.get_model("finance", "ExpectedReceipt")
    audit = apps.get_model("integrity", "AuditEntry")
    rows = list(expected.objects.filter(cancelled=True, cancelled_at__isnull=True))
    if not rows:
        return 0
    steps: dict[str, list] = defaultdict(list)
    entries = audit.objects.filter(
        object_type="disposal.disposalproject", action__in=CANCELLING,
        object_id__in={str(r.project_id) for r in rows},
    ).order_by("created_at", "seq")  # fmt: skip
    for object_id, at in entries.values_list("object_id", "created_at").iterator():
        steps[object_id].append(at)
    dated = []
    for r in rows:
        times = steps.get(str(r.project_id), [])
        i = bisect.bisect_right(times, r.created_at)
        if i < len(times):
            r.cancelled_at = times[i]
            dated.append(r)
    expected.objects.bulk_update(dated, ["cancelled_at"], batch_size=1000)
    return len(dated)


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0010_project_rollup"),
        ("finance", "0021_risk_rollups"),
        ("integrity", "0007_documentpublication"),
    ]

    operations = [
        migrations.AddField(
            model_name="expectedreceipt",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="expectedreceipt",
            constraint=models.CheckConstraint(
                condition=models.Q(("cancelled_at__isnull", True), ("cancelled", True),
                                   _connector="OR"),
                name="expected_cancelled_at_only_if_cancelled",
            ),
        ),
    ]
