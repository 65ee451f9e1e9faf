"""The engine: a rule's hit opens one flag, a recompute is idempotent, a flag no longer true is
cleared, a resolution stands until the figures change, thresholds inherit down the tree, and a
write queues the recompute of what it touched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.disposal.models import DisposalProject
from panhuo.flags import engine
from panhuo.flags.models import Flag, FlagStatus, FlagThreshold
from panhuo.flags.registry import RULES, params_for
from panhuo.flags.services import flag_resolve, thresholds_set
from panhuo.flags.tests.builders import sale
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_record
from panhuo.organisation.policy import NotPermitted

pytestmark = pytest.mark.django_db
RULE = ["deal_below_appraisal"]


def flags_of(project, status=None):
    qs = Flag.objects.filter(rule="deal_below_appraisal", subject_id=str(project.pk))
    return qs.filter(status=status) if status else qs


def test_fires_below_and_not_at_the_threshold(world):
    low = sale(world, deal=Decimal("999000.00"))  # 99.9 %
    at = sale(world, deal=Decimal("1000000.00"))  # 100 %
    out = engine.recompute(rules=RULE)
    assert out.opened == 1
    flag = flags_of(low).get()
    assert flag.status == FlagStatus.OPEN and flag.unit == world.unit
    assert flag.evidence["ratio"] == "99.9" and flag.thresholds == {"ratio_pct": "100"}
    assert "99.9 %" in flag.explanation and "999000.00" in flag.explanation
    assert {link["url"] for link in flag.links} >= {low.get_absolute_url()}
    assert not flags_of(at).exists()


def test_recompute_is_idempotent_and_clears_what_no_longer_holds(world):
    project = sale(world, deal=Decimal("800000.00"))
    engine.recompute(rules=RULE)
    entries = AuditEntry.objects.count()
    again = engine.recompute(rules=RULE)
    assert (again.opened, again.updated, again.cleared) == (0, 0, 0)
    assert AuditEntry.objects.count() == entries
    DisposalProject.objects.filter(pk=project.pk).update(deal_price=Decimal("700000.00"))
    assert engine.recompute(rules=RULE).updated == 1
    assert flags_of(project).get().evidence["deal"] == "700000.00"
    DisposalProject.objects.filter(pk=project.pk).update(deal_price=Decimal("1000000.00"))
    assert engine.recompute(rules=RULE).cleared == 1
    flag = flags_of(project).get()
    assert flag.status == FlagStatus.CLEARED and flag.cleared_at is not None
    assert AuditEntry.objects.filter(action="flag.clear", object_id=str(flag.pk)).exists()


def test_resolution_stands_until_the_figures_change(world):
    project = sale(world, deal=Decimal("800000.00"))
    engine.recompute(rules=RULE)
    flag = flags_of(project).get()
    with pytest.raises(NotPermitted):
        flag_resolve(actor=world.user("head"), flag=flag, resolution="justified", comment="ok")
    with pytest.raises(NotPermitted):
        flag_resolve(actor=world.user("outsider_auditor"), flag=flag, resolution="justified",
                     comment="ok")  # fmt: skip
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as bad:
        flag_resolve(actor=world.user("auditor"), flag=flag, resolution="forgiven", comment="")
    assert set(bad.value.message_dict) == {"resolution", "comment"}
    flag = flag_resolve(actor=world.user("auditor"), flag=flag, resolution="justified",
                        comment="The market fell; the head approved in writing.")  # fmt: skip
    assert AuditEntry.objects.filter(action="flag.resolve", object_id=str(flag.pk)).exists()
    assert engine.recompute(rules=RULE).opened == 0
    assert flags_of(project, FlagStatus.OPEN).count() == 0
    with pytest.raises(ValidationError):
        flag_resolve(actor=world.user("auditor"), flag=flag, resolution="rectified", comment="x")
    DisposalProject.objects.filter(pk=project.pk).update(deal_price=Decimal("600000.00"))
    assert engine.recompute(rules=RULE).opened == 1
    assert flags_of(project, FlagStatus.OPEN).get().evidence["deal"] == "600000.00"


def test_threshold_inherits_down_the_tree_and_changes_the_outcome(world):
    project = sale(world, deal=Decimal("950000.00"))
    r = RULES["deal_below_appraisal"]
    assert params_for(r, world.district) == {"ratio_pct": Decimal("100")}
    with pytest.raises(NotPermitted):
        thresholds_set(actor=world.user("auditor"), jurisdiction=world.city,
                       rule=r.code, values={"ratio_pct": "90"})  # fmt: skip
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as bad:
        thresholds_set(actor=world.user("head"), jurisdiction=world.district, rule=r.code,
                       values={"ratio_pct": "ninety"})  # fmt: skip
    assert "ratio_pct" in bad.value.message_dict
    assert not FlagThreshold.objects.exists()
    engine.recompute(rules=RULE)
    assert flags_of(project, FlagStatus.OPEN).exists()
    # The head's place (the district) sets 90 %: a 95 % deal is no longer flagged there.
    thresholds_set(actor=world.user("head"), jurisdiction=world.district, rule=r.code,
                   values={"ratio_pct": "90"})  # fmt: skip
    assert params_for(r, world.district)["ratio_pct"] == Decimal("90")
    assert params_for(r, world.other_district)["ratio_pct"] == Decimal("100")
    assert engine.recompute(rules=RULE).cleared == 1
    assert AuditEntry.objects.filter(action="flag_thresholds.set").count() == 1


def test_a_write_queues_the_recompute_of_what_it_touched(world):
    project = sale(world, deal=Decimal("800000.00"))
    with transaction.atomic():
        # A bid (on an open lot, which no rule reads) queues nothing: its lot's close will.
        audit_record(actor=None, action="lot.bid", obj=project)
        assert not any(isinstance(f, engine._Batch) for _s, f, _r in connection.run_on_commit)
        audit_record(actor=None, action="test.touch", obj=project)
        batches = [f for _s, f, _r in connection.run_on_commit if isinstance(f, engine._Batch)]
        assert len(batches) == 1
        assert batches[0].touched == {"disposal.disposalproject": {str(project.pk)}}
        audit_record(actor=None, action="test.touch", obj=project.package)
        assert sum(isinstance(f, engine._Batch) for _s, f, _r in connection.run_on_commit) == 1
    # What the worker runs: only the touched subjects.
    other = sale(world, deal=Decimal("800000.00"))
    out = engine.recompute_touched({"disposal.disposalproject": [str(project.pk)]})
    assert out.opened == 1 and flags_of(project).exists() and not flags_of(other).exists()
    # A valuation of the asset reaches the project too.
    from panhuo.pricing.models import Valuation

    valuation = Valuation.objects.filter(asset__package_items__package=other.package).get()
    assert engine.recompute_touched({"pricing.valuation": [str(valuation.pk)]}).opened == 1
    # A bulk write queues the whole run, not a list of every record it wrote.
    batch = engine._Batch()
    batch.touched["disposal.disposalproject"] = {str(i) for i in range(engine.TOUCHED_LIMIT + 1)}
    from unittest import mock

    with mock.patch("panhuo.flags.tasks.recompute_touched_task") as task:
        batch()
    task.enqueue.assert_called_once_with({engine.EVERYTHING: []})
    third = sale(world, deal=Decimal("800000.00"))
    assert engine.recompute_touched({engine.EVERYTHING: []}).opened >= 1
    assert flags_of(third).exists()


HYPO = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@HYPO
@example([999_999, 1_000_000, 999_999])
@given(st.lists(st.integers(min_value=1, max_value=2_000_000), min_size=1, max_size=6))
def test_one_open_flag_exactly_while_the_rule_holds(world, deals):
    """Whatever the sequence of deal prices, after each recompute the project has one open flag
    if its deal is below the appraisal and none otherwise, and a second run changes nothing."""
    with transaction.atomic():
        project = sale(world, deal=Decimal("1.00"))
        for deal in deals:
            DisposalProject.objects.filter(pk=project.pk).update(deal_price=Decimal(deal))
            engine.recompute(rules=RULE)
            assert flags_of(project, FlagStatus.OPEN).count() == (deal < 1_000_000)
            again = engine.recompute(rules=RULE)
            assert (again.opened, again.updated, again.cleared) == (0, 0, 0)
        transaction.set_rollback(True)
