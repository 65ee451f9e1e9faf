"""The demo carries the district's issued scorecards of the year, with one reward and one
criticism approved by the head."""

from __future__ import annotations

import pytest

from panhuo.scorecards.models import Decision, DecisionStatus, Scorecard

pytestmark = pytest.mark.django_db


def test_the_demo_has_issued_scorecards_a_reward_and_a_criticism(small_demo):
    cards = list(Scorecard.objects.filter(period="Y"))
    assert cards and sorted(c.rank for c in cards) == list(range(1, len(cards) + 1))
    decided = Decision.objects.filter(status=DecisionStatus.APPROVED)
    assert sorted(decided.values_list("kind", flat=True)) == ["budget_reward", "criticism"]
    assert decided.get(kind="budget_reward").scorecard.rank == 1
