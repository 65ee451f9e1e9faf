"""Red-flags benchmark: a full recompute of every flag on the province-sized database of
bench/province.py, the three costliest rules against hand-written SQL finding the same cases in
the same run, memory, and the update after one write.

Run:  python bench/flags.py [--scale 1.0] [--repeat 3] [--keep] [--quick] [--incremental-only]

The database is a copy (``panhuo_bench_flags``, ``..._s<scale>`` below full size) of
bench/province.py's (made here if absent, kept), migrated to the current schema, with the rows
the flags read that it lacks (``flags_sql.EXTRA``: package items, sites, rents).

Measured, in-process against that database:

  * each rule's search over every place (``rule.check`` over the whole tree: the selectors the
    recompute runs), median of ``--repeat`` runs, and its peak Python memory (tracemalloc);
  * for the three costliest (value-destroying sale, sold while idle, split under a threshold),
    one hand-written SQL statement each with the default thresholds, its cases asserted equal
    to the rule's before timing;
  * the full recompute (``panhuo.flags.engine.recompute``: every rule, the flags written and
    audited), once from empty and once again (nothing changed), with the process's peak RSS;
  * the update after one write: an asset's rent changed, then the rules reading it run over
    what it touches (``engine.recompute_touched`` told the field changed, as the write's audit
    entry names it), median of ``--repeat``; target ≤ 100 ms. The value rules read the few
    sales reached through hand-written SQL (``flags.value_sql``) and the engine writes a few
    changed flags with statements built once; the same-run baseline is the ORM's statements
    (``value_sql.ENABLED`` off, ``engine.FEW`` 0), the two alternated, with the process's CPU
    time and the statements of each. Then the same not told which field changed (every way the
    rules watch followed; the splitting rule and the ways read through ``flags.split_sql``),
    both ways alternated, and each rule reached alone, both ways.

Prints a table; the figures are recorded by hand in docs/benchmarks.md. The databases are
dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.flags_sql import DESTROYING, EXTRA, SOLD_WHILE_IDLE, SPLIT  # noqa: E402
from bench.province import configure  # noqa: E402
from bench.province_data import PG, database_name, drop, prepare  # noqa: E402
from bench.province_rows import AS_OF  # noqa: E402
from bench.timing import timed  # noqa: E402


def copy_of_province(scale: float) -> None:
    """The flags' own copy of the province database (its rows changed here), made from it once."""
    import psycopg

    name = database_name(scale).replace("province", "flags")
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {database_name(scale)}")


def extras(url: str) -> None:
    """Migrate to the current schema and add the flags' rows once."""
    import psycopg

    subprocess.run([sys.executable, "-m", "panhuo.cli", "migrate", "--no-input", "-v0"],
                   env={**os.environ, "DATABASE_URL": url}, cwd=ROOT, check=True)  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('bench_flags_done')").fetchone()[0]:
            return
        conn.execute("SET session_replication_role = replica")  # no per-row triggers
        for sql in EXTRA:
            conn.execute(sql)
        conn.execute("VACUUM ANALYZE")


QUICK = False  # --quick: one timed run each, no warm-up, no traced memory


def run(fn, repeat: int) -> tuple[float, float | None, object]:
    """Median ms over ``repeat`` runs after a warm-up, peak traced MB of one run, the result
    (with ``--quick``: one run's ms, no memory)."""
    if QUICK:
        times, _peak, result = timed(fn, 1, warm_up=False, memory=False)
        return times[0], None, result
    times, peak, result = timed(fn, repeat)
    return statistics.median(times), peak / 2**20, result


def sql(query: str, **params):
    from django.db import connection

    with connection.cursor() as c:
        c.execute(query, params)
        return c.fetchall()


def baselines(since: dt.date) -> dict:
    """The three costliest rules' hand-written SQL and how to read a rule's hits the same way."""
    return {
        "value_destroying_sale": (
            lambda: {tuple(r) for r in sql(DESTROYING, path="/%")},
            lambda hits: {(h.subject.pk, int(d.pk)) for h in hits for d in h.links
                          if getattr(d, "label", "") == "finance.debt"},
        ),
        "sold_while_idle": (
            lambda: {r[0] for r in sql(SOLD_WHILE_IDLE, path="/%", since=since)},
            lambda hits: {h.subject.pk for h in hits},
        ),
        "split_under_threshold": (
            lambda: {tuple(r) for r in sql(SPLIT, path="/%")},
            lambda hits: {(c["site"], c["threshold"]) for h in hits for c in h.evidence["cases"]},
        ),
    }  # fmt: skip


def cleared_sales() -> set[int]:
    """The sales the value rule's yield test (the SQL twin) finds that decision support
    valued as worth more sold than kept (Decimal NPVs, ``decisions.selectors``)."""
    from panhuo.flags.hits import Scope, defaults_only
    from panhuo.flags.value import DEFAULTS, destroying_sales

    return destroying_sales(Scope(path="/"), defaults_only(DEFAULTS), with_cleared=True)[1]


def measure(repeat: int, incremental_only: bool = False) -> list[dict]:
    from panhuo.flags import engine
    from panhuo.flags.registry import RULES, Scope
    from panhuo.pricing.rules import add_months

    if incremental_only:  # over the flags a kept database holds from an earlier run
        return [incremental(engine, repeat)]
    rows = []
    today = AS_OF
    base = baselines(add_months(today, -6))
    for code, r in RULES.items():

        def check(r=r, code=code):
            return list(r.check(Scope(path="/", today=today, rule_code=code)))

        ms, peak, hits = run(check, repeat)
        row = {"what": code, "ms": ms, "mb": peak, "hits": len(hits), "sql_ms": None}
        if code in base:
            query, read = base[code]
            sql_ms, sql_peak, found = run(query, repeat)
            if code == "value_destroying_sale":  # the SQL is the yield test; Python's NPV clears
                cleared = cleared_sales()
                found = {(p, d) for p, d in found if p not in cleared}
            assert found == read(hits), f"{code}: the rule and the SQL disagree"
            row.update(sql_ms=sql_ms, sql_mb=sql_peak)
        rows.append(row)
        print(table([row]).splitlines()[1], flush=True)
    rows.append(full(engine, today))
    print(table(rows[-1:]).split("\n", 1)[1], flush=True)
    rows.append(incremental(engine, repeat))
    print(table(rows[-1:]).split("\n", 1)[1], flush=True)
    return rows


def full(engine, today) -> dict:
    """The full recompute twice: from no flags, then again with nothing changed."""
    from panhuo.flags.models import Flag

    Flag.objects.all().delete()
    # The URL map loaded first, as a running worker has it: the flags' links are the first
    # reverse() of the process, and loading the map (the API's modules) took 20-70 s here.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    t = time.perf_counter()
    first = engine.recompute()
    first_ms = (time.perf_counter() - t) * 1000
    again_ms = None
    if not QUICK:
        t = time.perf_counter()
        engine.recompute()
        again_ms = (time.perf_counter() - t) * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"what": "full recompute (all rules, flags written)", "ms": first_ms, "mb": rss,
            "hits": first.opened, "sql_ms": None, "again_ms": again_ms}  # fmt: skip


def incremental(engine, repeat: int) -> dict:
    """One write (an asset's rent) and the rules watching assets over what it touches, the
    value rules reading through ``flags.value_sql``'s hand-written statements (the new path)
    and through the ORM's (the old one, ``value_sql.ENABLED`` off), alternated in this process
    so that the load weighs on both alike: wall and CPU time of the process (the database's
    own CPU not counted) and statements. Then the same not told which field changed (every way
    followed; ``flags.split_sql`` on the new path), both ways alternated, and each rule reached
    alone with its statements, both ways."""
    from django.db import connection

    from panhuo.flags import value_sql
    from panhuo.flags.registry import RULES, Scope
    from panhuo.register.models import Asset

    asset = Asset.objects.filter(package_items__isnull=False, annual_income__gt=0).first()
    touched = {"register.asset": {str(asset.pk)}}
    # What the write's audit entry names (``engine.changed_fields``): the rent changed.
    fields = {"register.asset": {"annual_income"}}
    rents = itertools.count()
    written = {"register.asset": [str(asset.pk)]}

    def once(fn, before=True) -> tuple[float, float, int]:
        """(wall ms, CPU ms of this process, statements) of ``fn`` after the write."""
        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        if before:
            Asset.objects.filter(pk=asset.pk).update(
                annual_income=asset.annual_income + next(rents)
            )
        t, c = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            fn()
        return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000, len(statements)

    paths = {"hand-written SQL": True, "ORM (before, same run)": False}
    few = engine.FEW

    def path(on: bool) -> None:
        """The new path, or the old: the ORM's reads and its ``bulk_update`` of the flags."""
        value_sql.ENABLED, engine.FEW = on, few if on else 0

    runs: dict[str, list] = {name: [] for name in paths}
    for on in paths.values():  # a warm-up each
        path(on)
        once(lambda: engine.recompute_touched(written, fields))
    for _ in range(repeat):
        for name, on in paths.items():
            path(on)
            runs[name].append(once(lambda: engine.recompute_touched(written, fields)))
    path(True)

    def median(name: str, i: int) -> float:
        return statistics.median(r[i] for r in runs[name])

    parts = [f"{name}: {median(name, 0):.1f} ms wall, {median(name, 1):.1f} ms CPU, "
             f"{runs[name][0][2]} statements" for name in paths]  # fmt: skip
    # The same, the fields changed not known: every way the rules watch, both paths alternated
    # (the hand-written one reading the splitting rule and the ways through ``flags.split_sql``).
    blind: dict[str, list] = {name: [] for name in paths}
    for on in paths.values():
        path(on)
        once(lambda: engine.recompute_touched(written))
    for _ in range(repeat):
        for name, on in paths.items():
            path(on)
            blind[name].append(once(lambda: engine.recompute_touched(written)))
    path(True)
    for name in paths:
        parts.append(
            f"the fields changed not known, {name}: "
            f"{statistics.median(r[0] for r in blind[name]):.1f} ms wall, "
            f"{statistics.median(r[1] for r in blind[name]):.1f} ms CPU, "
            f"{blind[name][0][2]} statements"
        )
    # The same-run baseline: what one round trip to the database costs now.
    trips = timed(lambda: sql("SELECT 1"), 21, warm_up=False, memory=False)[0]
    parts.append(f"one round trip (SELECT 1), median of 21: {statistics.median(trips):.1f} ms")
    for code, r in RULES.items():
        if "register.asset" not in r.watches:
            continue
        ids = engine.subjects_touched(r, touched, fields)
        if ids is not None and not ids:
            continue
        for name, on in paths.items():
            path(on)
            each = [once(lambda r=r, ids=ids: engine.run_rule(r, Scope(ids=ids)), before=False)
                    for _ in range(max(repeat, 1))]  # fmt: skip
            parts.append(f"{code} ({name}): {statistics.median(e[0] for e in each):.1f} ms wall, "
                         f"{statistics.median(e[1] for e in each):.1f} ms CPU, "
                         f"{each[0][2]} statements")  # fmt: skip
        path(True)
    return {"what": "update after one write (an asset's rent)",
            "ms": median("hand-written SQL", 0), "mb": None, "hits": None, "sql_ms": None,
            "parts": parts}  # fmt: skip


def table(rows: list[dict]) -> str:
    out = [f"{'what':<46} {'hits':>7} {'ms':>10} {'MB':>8} {'SQL ms':>9} {'× SQL':>6}"]
    for r in rows:
        ratio = f"{r['ms'] / r['sql_ms']:.1f}" if r.get("sql_ms") else ""
        sql_ms = f"{r['sql_ms']:.0f}" if r.get("sql_ms") else ""
        mb = f"{r['mb']:.1f}" if r.get("mb") is not None else ""
        hits = "" if r.get("hits") is None else str(r["hits"])
        out.append(f"{r['what']:<46} {hits:>7} {r['ms']:>10.1f} {mb:>8} {sql_ms:>9} {ratio:>6}")
        if r.get("again_ms") is not None:
            out.append(f"{'  again, nothing changed':<46} {'':>7} {r['again_ms']:>10.1f}")
        out.extend(f"  {part}" for part in r.get("parts", ()))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options = {"--scale": {"type": float, "default": 1.0}, "--repeat": {"type": int, "default": 3},
               "--keep": {"action": "store_true", "help": "Keep the databases."},
               "--quick": {"action": "store_true", "help": "One run each, no warm-up, no "
                           "traced memory, the full recompute once (for the full size)."},
               "--incremental-only": {"action": "store_true",
                                      "help": "Only the update after one write."}}  # fmt: skip
    for name, spec in options.items():
        parser.add_argument(name, **spec)
    args = parser.parse_args()
    global QUICK
    QUICK = args.quick
    # Django reads the copy; the province database is made (if absent) through its own
    # connections, then copied.
    url = PG + database_name(args.scale).replace("province", "flags")
    configure(url)
    prepare(args.scale, keep=True)
    copy_of_province(args.scale)
    extras(url)
    load = os.getloadavg()
    rows = measure(args.repeat, args.incremental_only)
    how = "one run each (--quick)" if QUICK else f"median of {args.repeat} after a warm-up"
    print(f"\nscale {args.scale:g}; {how}; CPU cores "
          f"{os.cpu_count()}; load average (1 min) {load[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after; MB: peak traced Python memory of one run "
          f"(full recompute: the process's peak RSS)")  # fmt: skip
    print(table(rows))
    if not args.keep:
        import psycopg
        from django.db import connections

        connections.close_all()

        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")
        drop(args.scale)


if __name__ == "__main__":
    main()
