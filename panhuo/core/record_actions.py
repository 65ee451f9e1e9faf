"""Actions and links a record's page offers on behalf of the apps above the record's own,
without the record's app knowing them: e.g. the auditor's "Raise a finding" and "Findings on
this record (2)" from the findings app. Each app registers ``handler(user=, record=)``
returning the :class:`RecordAction` objects ``user`` may follow, in its ``AppConfig.ready()``;
a detail page renders them with ``{% record_actions record %}`` (templatetags/panhuo_record.py).
Following one never changes the record: the action is the other app's, on its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from panhuo.core.hooks import Hook


@dataclass(frozen=True)
class RecordAction:
    label: str
    url: str
    testid: str = ""


#: ``handler(user=, record=) -> list[RecordAction]``, filled by the apps above.
record_actions = Hook("core.record_actions")


def actions_for(user, record) -> list[RecordAction]:
    """Every registered app's actions on ``record`` for ``user``, in registration order."""
    return [a for actions in record_actions.call(user=user, record=record) for a in actions]
