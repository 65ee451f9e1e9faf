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
from panhuo.findings.selectors import finding_list, findings_of
from panhuo.flags.models import Flag
from panhuo.integrity import document_registry
from panhuo.organisation import policy


def _record_actions(*, user, record) -> list[RecordAction]:
    """On a page of a record findings may be raised on (or of a red flag): the findings on it
    (to readers of findings) and the form raising one (to those who may raise one in its
    jurisdiction; from a flag, on the flag's record with the flag named)."""
    if not policy.can_any(user, "finding", "view"):
        return []
    if isinstance(record, Flag):
        return _flag_actions(user, record)
    kind = records.kind_of(record)
    if kind is None:
        return []
    query = urlencode({"record_kind": kind, "record_id": record.pk})
    n = findings_of(user, kind, record.pk).count()
    place = records.SPECS[kind].jurisdiction(record)
    return _actions(user, place, n, query, query)


def _flag_actions(user, flag) -> list[RecordAction]:
    found = records.record_of_flag(flag)
    n = finding_list(user, flag_id=flag.pk).count()
    raise_query = ""
    if found is not None:
        raise_query = urlencode(
            {"record_kind": found[0], "record_id": found[1], "flag_id": flag.pk}
        )
    return _actions(user, flag.jurisdiction, n, urlencode({"flag_id": flag.pk}), raise_query)


def _actions(user, place, n: int, list_query: str, raise_query: str) -> list[RecordAction]:
    out = []
    if n:
        label = _("Findings on this record (%(n)s)") % {"n": n}
        out.append(
            RecordAction(label, f"{reverse('finding-list')}?{list_query}", "record-findings")
        )
    if raise_query and policy.allowed(user, "finding", "raise", jurisdiction=place):
        url = f"{reverse('finding-create')}?{raise_query}"
        out.append(RecordAction(_("Raise a finding"), url, "raise-finding"))
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
