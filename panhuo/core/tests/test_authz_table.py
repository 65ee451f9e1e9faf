"""The authorization matrix's table against the endpoints (authz_support.py): every endpoint
has a row of ``authz_matrix.csv`` and every row an endpoint, and the matrix's items together
call every endpoint once. Fast (no calls, no database), so not in the ``matrix`` tier: a new
endpoint without a row fails in the fast tier already."""

from __future__ import annotations

from panhuo.core.tests import authz_discovery
from panhuo.core.tests import authz_support as az


def test_every_endpoint_has_a_row_and_every_row_an_endpoint():
    endpoints, problems = authz_discovery.discover()
    rows, table_problems = az.load_table()
    problems += table_problems
    found = {e.key for e in endpoints}
    problems += [f"no row in authz_matrix.csv for {m} {r}" for m, r in sorted(found - set(rows))]
    problems += [f"row for {m} {r}, which is no endpoint" for m, r in sorted(set(rows) - found)]
    for e in endpoints:
        row = rows.get(e.key)
        if row is None:
            continue
        unknown = {a for a in row.args if a[:1] not in "?+"} - set(e.params)
        missing = {p for p in e.params if p not in row.args and p not in az.DEFAULT_ARGS}
        if unknown or missing:
            problems.append(f"{e.key}: args {row.args} vs path parameters {e.params}")
        if e.api is not None and e.method != "GET":
            # A 422 is the schema refusing the body before any permission check: the
            # synthesised body must pass it, or the row proves nothing about permissions.
            schema_refused = sorted(c for c, v in row.expected.items() if v == "422")
            if schema_refused:
                problems.append(f"{e.key}: 422 for {schema_refused}; fix the body, not the row")
        if any(v == "500" for v in row.expected.values()):
            problems.append(f"{e.key}: a 500 is never an expected answer")
    assert not problems, "\n".join(problems)


def test_the_groups_hold_every_endpoint_once():
    """The items together call every discovered endpoint, each exactly once."""
    endpoints, _ = authz_discovery.discover()
    grouped = [e.key for eps in authz_discovery.endpoint_groups().values() for e in eps]
    assert sorted(grouped) == sorted(e.key for e in endpoints)
    assert len(grouped) == len(set(grouped))
    assert all(eps for eps in authz_discovery.endpoint_groups().values())
