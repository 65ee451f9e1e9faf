"""``panhuo flags coverage``: CI runs it on the full demo it seeds, so it must fail naming the
rules with no open or resolved flag (a cleared one does not count) and pass once each has one."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from panhuo.flags.models import Flag
from panhuo.flags.registry import RULES

pytestmark = pytest.mark.django_db


def _flag(world, rule: str, status: str) -> None:
    now = timezone.now()
    Flag.objects.create(
        rule=rule, severity=RULES[rule].severity, jurisdiction=world.district,
        subject_type="disposal.disposalproject", subject_id=rule, subject_label=rule,
        fingerprint=rule, first_seen=now, last_seen=now, status=status,
        resolution="justified" if status == "resolved" else "",
    )  # fmt: skip


def test_coverage_fails_naming_the_rules_without_a_case(world):
    codes = list(RULES)
    _flag(world, codes[0], "resolved")
    _flag(world, codes[1], "cleared")
    for code in codes[2:-1]:
        _flag(world, code, "open")
    with pytest.raises(CommandError) as refused:
        call_command("flags", "coverage", stdout=io.StringIO())
    assert str(refused.value) == f"No open or resolved flag of: {codes[1]}, {codes[-1]}."
    _flag(world, codes[1], "open")
    _flag(world, codes[-1], "open")
    out = io.StringIO()
    call_command("flags", "coverage", stdout=out)
    assert f"{codes[0]}: 0 open, 1 resolved" in out.getvalue()
    assert f"Every one of the {len(codes)} rules has a case." in out.getvalue()
