"""What the findings app installs in the layers below (FindingsConfig.ready): its permission
rules (workflow.py), the finding as a record that holds evidence documents (integrity's
document registry), and the "Raise a finding" / "Findings on this record" actions on the
pages of the records it audits (core.record_actions)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.core.record_actions import RecordAction, record_actions
from panhuo.findings import records, workflow  # noqa: F401 (workflow adds the rules)
from panhuo.findings.selectors import findings_of
from panhuo.integrity import document_registry
from panhuo.organisation import policy


def _record_actions(*, user, record) -> list[RecordAction]:
    """On a page of a record findings may be raised on: the findings on it (to readers of
    findings) and the form raising one (to those who may raise one in its jurisdiction)."""
    kind = records.kind_of(record)
    if kind is None or not policy.can_any(user, "finding", "view"):
        return []
    out = []
    query = urlencode({"record_kind": kind, "record_id": record.pk})
    n = findings_of(user, kind, record.pk).count()
    if n:
        label = _("Findings on this record (%(n)s)") % {"n": n}
        out.append(RecordAction(label, f"{reverse('finding-list')}?{query}", "record-findings"))
    place = records.SPECS[kind].jurisdiction(record)
    if policy.allowed(user, "finding", "raise", jurisdiction=place):
        out.append(
            RecordAction(
                _("Raise a finding"), f"{reverse('finding-create')}?{query}", "raise-finding"
            )
        )
    return out


FINDING_TARGET = document_registry.DocumentTarget(
    "finding",
    "findings.finding",
    "finding",
    gettext_lazy("Audit finding"),
    lambda f: f.jurisdiction,
)


def install() -> None:
    document_registry.TARGETS["finding"] = FINDING_TARGET
    record_actions.register("findings", _record_actions)
