"""The demo ships with its red flags: raised at the end of the seed, each explained by its
evidence with the records behind it, and a recompute over the seeded demo changes nothing."""

from __future__ import annotations

import pytest

from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.registry import RULES

pytestmark = pytest.mark.django_db


def test_the_demo_carries_explained_flags_and_recompute_is_idempotent(small_demo):
    flags = list(Flag.objects.all())
    assert {f.rule for f in flags} >= {
        "single_bidder",
        "instalments_overdue",
        "same_appraiser",
        "terms_changed_after_award",
    }
    for f in flags:
        assert f.rule in RULES and f.status == "open"
        assert f.explanation and "?" not in f.explanation, f.rule
        assert f.links and all(link["label"] for link in f.links), f.rule
    again = engine.recompute()
    assert (again.opened, again.updated, again.cleared) == (0, 0, 0)


def test_each_rule_finds_the_same_over_a_few_records_as_over_everything(small_demo):
    """The set-based run over the whole tree (a recompute) and the run over a few subjects (the
    update after a write; the value rules then read through value_sql's hand-written statements)
    find the same hits with the same figures and records behind them, for every rule: the
    subjects of every hit plus a few without one."""
    from django.apps import apps

    from panhuo.flags.hits import _label
    from panhuo.flags.registry import Scope

    def found(r, scope):
        return {str(h.subject.pk): (engine._plain(h.evidence), h.jurisdiction.pk,
                                    getattr(h.unit, "pk", None),
                                    [(_label(x), str(x.pk)) for x in h.links])
                for h in r.check(scope)}  # fmt: skip

    for code, r in RULES.items():
        everything = found(r, Scope(path="/", rule_code=code))
        others = apps.get_model(r.subject).objects.order_by("pk").values_list("pk", flat=True)
        ids = set(everything) | {str(pk) for pk in others[:5]}
        few = found(r, Scope(ids=ids, rule_code=code))
        assert few.items() <= everything.items(), code
        assert {k: v for k, v in everything.items() if k in ids} == few, code
    assert {code for code, r in RULES.items() if found(r, Scope(rule_code=code))} >= {
        "single_bidder", "instalments_overdue", "terms_changed_after_award"
    }  # fmt: skip


def test_the_ways_from_a_write_are_the_same_by_hand_written_sql_as_by_the_orm(small_demo):
    """``reach``'s ways from written assets and packages (followed, every one, for a write whose
    changed fields are not known) give the same subjects through ``split_sql``'s statements as
    through the ORM: for each packaged asset alone, a few unpackaged ones, and the packages."""
    from panhuo.disposal.models import Package, PackageItem
    from panhuo.flags import reach, value_sql
    from panhuo.register.models import Asset

    packaged = sorted(set(PackageItem.objects.values_list("asset_id", flat=True)))
    loose = list(Asset.objects.exclude(pk__in=packaged).order_by("pk").values_list("pk", flat=True))
    packages = list(Package.objects.order_by("pk").values_list("pk", flat=True))
    ways = [reach.projects_of_assets, reach.projects_of_units_of_assets, reach.sites_of_assets]
    cases = [[str(a)] for a in packaged] + [[str(a) for a in loose[:3]], []]
    assert packaged and loose and packages

    def both(fn, ids):
        value_sql.ENABLED = False
        try:
            orm = sorted(fn(ids))
        finally:
            value_sql.ENABLED = True
        return orm, sorted(fn(ids))

    reached = set()
    for ids in cases:
        for fn in ways:
            orm, sql = both(fn, ids)
            assert orm == sql, (fn.__name__, ids)
            reached |= {fn.__name__} if orm else set()
    for ids in [[str(p)] for p in packages] + [[str(p) for p in packages]]:
        orm, sql = both(reach.sites_of_packages, ids)
        assert orm == sql, ids
    assert reached == {f.__name__ for f in ways}
