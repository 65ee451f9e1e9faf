"""Hold, lease or sell for every asset of the province's database (issue 20, item 1), against
hand-written SQL for the same inputs, in the same run.

Run:  python bench/province_hold.py [--scale 1.0] [--sample 500] [--repeat 3]

Uses the database ``bench/province.py --keep`` left (``panhuo_bench_province``, or
``..._s<scale>``) and changes nothing in it: the province has no valuations, so each asset's
are made in a TEMPORARY table of this session named ``pricing_valuation``, which PostgreSQL
finds before the real (empty) one for every unqualified name, Django's queries included. Every
asset gets an appraisal (its register's appraised value, else its book value; base date
2026-01-15), every second asset a rent appraisal (4.5 % of that value a year). The other
inputs are the province's: income and holding cost from the register, the dearest running
debt of the asset's own place and its schedule (an asset whose debt has no schedule is refused,
by Panhuo and by the SQL alike), the built-in defaults (no place or asset sets any).

Two Panhuo paths are measured. The one-asset path is the decision page's and
``GET /api/v1/assets/{id}/decision``'s (``decisions.report.decision_for``: the inputs with their
sources, the three values, the verdict in words and the 5 × 5 sensitivity table), one asset at a
time, as the province supervisor, on ``--sample`` assets spread over the province (every k-th
id). The many-assets path (``decisions.many.decide_assets``: the same inputs read set-based per
batch of 2,000 assets, ``npv.decide`` without the sensitivity table) runs over every asset and
over the sample. The SQL is one statement computing hold, lease, sell, the best and the value
destroyed of every asset (no sensitivity table, no words), timed over all the assets and over
the sample alone. Before anything is timed, the one-asset path's sample and the many-assets
path's every asset are asserted equal to the fen to the SQL's (the refused assets the same set).
CPU seconds are this process's (Python's share; the database's own is not in them).

Re-measure quietly (after ``python bench/province.py --scale 0.05 --keep`` or with ``--db`` a
province that exists):  python bench/province_hold.py --scale 0.05 --sample 200 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.province import configure  # noqa: E402
from bench.province_data import PG, database_name  # noqa: E402
from bench.province_rows import AS_OF, SUPERVISOR  # noqa: E402

VALUATIONS = """
CREATE TEMPORARY TABLE pricing_valuation (LIKE public.pricing_valuation INCLUDING ALL);
INSERT INTO pricing_valuation (kind, value, base_date, valid_until, method, appraiser,
    licence_number, report_number, inputs, note, created_at, asset_id)
SELECT 'appraisal', coalesce(appraised_value, book_value), DATE '2026-01-15',
       DATE '2027-01-15', 'market', 'bench', 'L-1', 'R-' || id, '{}', '', now(), id
FROM register_asset;
INSERT INTO pricing_valuation (kind, value, base_date, valid_until, method, appraiser,
    licence_number, report_number, inputs, note, created_at, asset_id)
SELECT 'rent', round(coalesce(appraised_value, book_value) * 0.045, 2), DATE '2026-01-15',
       DATE '2027-01-15', 'income', 'bench', 'L-1', 'RR-' || id, '{}', '', now(), id
FROM register_asset WHERE id % 2 = 0;
ANALYZE pricing_valuation;
"""

#: Hold, lease and sell of each asset at the built-in defaults (``decisions.inputs.DEFAULTS``:
#: 4 % discount, 10 years, vacancy 10 %, letting costs 5 %, forced-sale discount 15 %, fees 5 %,
#: price factor 1), the debt repaid the dearest running one of the asset's place.
HOLD_SQL = """
WITH dearest AS MATERIALIZED (
  SELECT DISTINCT ON (jurisdiction_id) jurisdiction_id, id
  FROM finance_debt
  WHERE voided_at IS NULL AND maturity_date > %(on)s AND outstanding > 0
  ORDER BY jurisdiction_id, rate DESC, maturity_date, id
), flows AS MATERIALIZED (
  SELECT d.jurisdiction_id, d.id AS debt_id,
         (SELECT count(*) FROM finance_schedulerow s WHERE s.debt_id = d.id) AS rows_all,
         coalesce(sum(s.principal), 0) AS remaining,
         coalesce(sum(s.interest / power(1.04::numeric,
                                         (s.due_date - %(on)s)::numeric / 365.25)), 0) AS pvi
  FROM dearest d LEFT JOIN finance_schedulerow s ON s.debt_id = d.id AND s.due_date > %(on)s
  GROUP BY d.jurisdiction_id, d.id
), k AS MATERIALIZED (
  SELECT sum(1 / power(1.04::numeric, t)) AS annuity, 1 / power(1.04::numeric, 10) AS terminal
  FROM generate_series(1, 10) t
), asset AS MATERIALIZED (
  SELECT a.id, a.annual_income - a.annual_holding_cost AS net, a.annual_holding_cost AS cost,
         u.jurisdiction_id,
         coalesce(
           (SELECT v.value FROM pricing_valuation v WHERE v.asset_id = a.id
              AND v.kind = 'appraisal' AND v.base_date <= %(on)s
            ORDER BY v.base_date DESC, v.id DESC LIMIT 1),
           (SELECT v.value FROM pricing_valuation v WHERE v.asset_id = a.id
              AND v.kind = 'automated' AND v.base_date <= %(on)s
            ORDER BY v.base_date DESC, v.id DESC LIMIT 1)) AS value,
         (SELECT v.value FROM pricing_valuation v WHERE v.asset_id = a.id AND v.kind = 'rent'
            AND v.base_date <= %(on)s ORDER BY v.base_date DESC, v.id DESC LIMIT 1) AS rent
  FROM register_asset a JOIN organisation_unit u ON u.id = a.unit_id
  WHERE %(ids)s::bigint[] IS NULL OR a.id = ANY(%(ids)s::bigint[])
), valued AS MATERIALIZED (
  SELECT a.id, f.rows_all,
         round(a.net * k.annuity + a.value * k.terminal, 2) AS hold,
         round((a.rent * 0.90 * 0.95 - a.cost) * k.annuity + a.value * k.terminal, 2) AS lease,
         a.value * 0.85 * 0.95 AS proceeds, f.remaining, f.pvi
  FROM asset a CROSS JOIN k LEFT JOIN flows f ON f.jurisdiction_id = a.jurisdiction_id
), sold AS (
  SELECT id, rows_all, hold, lease,
         round(proceeds + CASE WHEN remaining > 0 AND proceeds > 0
                          THEN least(proceeds, remaining) / remaining * pvi ELSE 0 END,
               2) AS sell
  FROM valued
)
SELECT id, rows_all = 0 AS refused, hold, lease, sell,
       CASE WHEN hold >= sell AND (lease IS NULL OR hold >= lease) THEN 'hold'
            WHEN lease IS NULL OR sell >= lease THEN 'sell' ELSE 'lease' END AS best,
       greatest(greatest(hold, coalesce(lease, hold)) - sell, 0) AS destroyed
FROM sold ORDER BY id
"""


def by_sql(cursor, ids: list[int] | None) -> list[tuple]:
    cursor.execute(HOLD_SQL, {"on": AS_OF, "ids": ids})
    return cursor.fetchall()


def by_panhuo(user, ids: list[int]) -> dict[int, tuple]:
    """Panhuo's decision per asset (hold, lease, sell, best, value destroyed), or ``refused``
    naming the field refused."""
    from django.core.exceptions import ValidationError

    from panhuo.decisions.report import decision_for
    from panhuo.register.models import Asset

    out = {}
    for asset in Asset.objects.filter(pk__in=ids).select_related("unit__jurisdiction"):
        try:
            d = decision_for(user, asset, on=AS_OF)
        except ValidationError as exc:
            out[asset.pk] = ("refused", sorted(exc.message_dict))
            continue
        lease = None if d["lease"] is None else Decimal(d["lease"])
        out[asset.pk] = (Decimal(d["hold"]), lease, Decimal(d["sell"]), d["best"],
                         Decimal(d["value_destroyed"]))  # fmt: skip
    return out


def by_many(user, ids: list[int] | None) -> dict[int, tuple]:
    """The many-assets path's decision per asset, shaped as :func:`by_panhuo`'s."""
    from panhuo.decisions.many import decide_assets
    from panhuo.register.models import Asset

    assets = Asset.objects.all() if ids is None else Asset.objects.filter(pk__in=ids)
    out = {}
    for pk, r in decide_assets(user, assets, on=AS_OF):
        if isinstance(r, Exception):
            out[pk] = ("refused", sorted(r.message_dict))
        else:
            out[pk] = (r.hold, r.lease, r.sell, r.best, r.value_destroyed)
    return out


def check_equal(mine: dict[int, tuple], rows: list[tuple]) -> tuple[int, int]:
    """The sample's figures equal to the fen; (decided, refused)."""
    theirs = {r[0]: r for r in rows}
    if set(mine) != set(theirs):
        raise SystemExit(f"different assets: {sorted(set(mine) ^ set(theirs))[:10]}")
    refused = 0
    for pk, got in mine.items():
        _id, no, hold, lease, sell, best, destroyed = theirs[pk]
        if got[0] == "refused" or no:
            if not (got[0] == "refused" and no and got[1] == ["debt"]):
                raise SystemExit(f"asset {pk}: Panhuo {got}, SQL refused={no}")
            refused += 1
            continue
        if got != (hold, lease, sell, best, destroyed):
            raise SystemExit(f"asset {pk}: Panhuo {got} != SQL {theirs[pk][2:]}")
    return len(mine) - refused, refused


def timed(fn) -> tuple[object, float, float]:
    """``fn()``, its wall and this process's CPU seconds."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", help="the province's database (default: the scale's name)")
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    configure(PG + (args.db or database_name(args.scale)))
    from django.db import connection

    from panhuo.organisation.models import User

    load = os.getloadavg()
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(VALUATIONS)
        cursor.execute("SELECT count(*), max(id) FROM register_asset")
        n, top = cursor.fetchone()
    made = time.perf_counter() - began
    step = max(1, top // args.sample)
    ids = list(range(step, top + 1, step))[: args.sample]
    user = User.objects.get(pk=SUPERVISOR)
    runs: dict[str, list] = {k: [] for k in ("sql_all", "sql_sample", "many_all", "many_sample")}
    with connection.cursor() as cursor:
        mine, wall, cpu = timed(lambda: by_panhuo(user, ids))
        runs["panhuo_sample"] = [(wall, cpu)]
        decided, refused = check_equal(mine, by_sql(cursor, ids))
        every, wall, cpu = timed(lambda: by_many(user, None))
        runs["many_all"].append((wall, cpu))
        all_decided, all_refused = check_equal(every, by_sql(cursor, None))
        print(f"{n:,} assets, valuations made in {made:.1f} s; sample of {len(ids):,}: "
              f"{decided:,} decided, {refused:,} refused (their debt has no schedule); every "
              f"asset by the many-assets path: {all_decided:,} decided, {all_refused:,} refused; "
              "both equal to the SQL's to the fen", flush=True)  # fmt: skip
        for i in range(args.repeat):
            steps = (("sql_all", lambda: by_sql(cursor, None)),
                     ("sql_sample", lambda: by_sql(cursor, ids)),
                     ("many_sample", lambda: by_many(user, ids)),
                     ("many_all", lambda: by_many(user, None)))  # fmt: skip
            for name, fn in steps:
                if name == "many_all" and i == args.repeat - 1:
                    continue  # the checked pass was one of them
                runs[name].append(timed(fn)[1:])
    med = {k: (statistics.median(w for w, _c in v), statistics.median(c for _w, c in v))
           for k, v in runs.items()}  # fmt: skip
    after = os.getloadavg()
    per = med["panhuo_sample"][0] / len(ids)
    print(f"\nscale {args.scale:g}; medians of {args.repeat} (the one-asset path: its checked "
          "pass, no warm-up); load average (1 min) "
          f"{load[0]:.1f} before, {after[0]:.1f} after\n")  # fmt: skip
    print("| what | assets | seconds | CPU s (Python) | ms per asset | × SQL (same assets) |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = (("SQL, every asset", "sql_all", n, "sql_all"),
            ("SQL, the sample", "sql_sample", len(ids), "sql_sample"),
            ("many-assets path (`decide_assets`), every asset", "many_all", n, "sql_all"),
            ("many-assets path, the sample", "many_sample", len(ids), "sql_sample"),
            ("one asset at a time (`decision_for`), the sample", "panhuo_sample", len(ids),
             "sql_sample"))  # fmt: skip
    for label, key, count, base in rows:
        wall, cpu = med[key]
        print(f"| {label} | {count:,} | {wall:.2f} | {cpu:.2f} | {1000 * wall / count:.3f} | "
              f"{wall / med[base][0]:.1f} |")  # fmt: skip
    print(
        f"| one asset at a time, every asset (extrapolated: sample × {n / len(ids):,.0f}) | "
        f"{n:,} | {per * n:,.0f} | | {1000 * per:.2f} | {per * n / med['sql_all'][0]:.0f} |"
    )


if __name__ == "__main__":
    main()
