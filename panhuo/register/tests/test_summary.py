"""The dashboard's asset summary: one grouped pass, folded into the two series it shows."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory
from panhuo.register.models import Asset, AssetKind, AssetStatus
from panhuo.register.selectors import asset_summary

asset = st.tuples(
    st.sampled_from(AssetStatus.values),
    st.sampled_from(AssetKind.values),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1e9"), places=2),
    st.sampled_from(["unit", "unit2", "other_unit"]),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(asset, max_size=12))
def test_summary_equals_the_assets_counted_by_hand(world, rows):
    """Every count and book value, by status and by kind, is that of the assets the caller
    sees, recounted in Python; the series come in key order and the total adds up."""
    from django.db import transaction

    with transaction.atomic():
        for status, kind, value, unit in rows:
            AssetFactory(unit=getattr(world, unit), status=status, kind=kind, book_value=value,
                         appraisal=False)  # fmt: skip
        for who in ("office", "unit_officer", "outsider_office", "supervisor"):
            user = world.user(who)
            seen = list(Asset.objects.visible_to(user).values_list("status", "kind", "book_value"))
            got = asset_summary(user)
            for i, key in ((0, "status"), (1, "kind")):
                want: dict = {}
                for r in seen:
                    n, v = want.get(r[i], (0, Decimal(0)))
                    want[r[i]] = (n + 1, v + r[2])
                rows_got = got[f"by_{key}"]
                assert [r[key] for r in rows_got] == sorted(want)
                assert {r[key]: (r["n"], r["value"]) for r in rows_got} == want
            assert got["total"] == len(seen)
        transaction.set_rollback(True)
