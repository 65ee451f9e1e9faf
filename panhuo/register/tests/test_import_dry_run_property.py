"""The dry run runs every check the commit runs (issue 14, item 5): random broken files (blank
required cells, bad dates, over-long text, duplicate keys, unknown units, negative amounts,
amounts at and over the bound of core/bounds.py, numbers too wide for their column) go to a dry
run and then to a commit. Whenever the dry run rejects no row, the commit succeeds and writes
exactly the new and updated rows it reported; a blank required cell is a row error, never an
IntegrityError. Run on PostgreSQL too (DATABASE_URL): it enforces column widths SQLite does
not."""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.core.bounds import LARGEST_AMOUNT, MAX_AMOUNT
from panhuo.core.testing import AssetFactory
from panhuo.register.importing.engine import import_assets
from panhuo.register.models import Asset

HEADER = ["unit", "code", "name", "kind", "status", "book_value", "accumulated_depreciation",
          "area", "acquired_on", "address", "title_complete"]  # fmt: skip
COLUMNS = {
    "unit": ["U1", "U1", "U2", "", "NOPE"],
    "code": ["IMP-1", "IMP-2", "IMP-3", "", "X" * 65],
    "name": ["Shed", "", "n" * 201],
    "kind": ["building", "land", "", "spaceship"],
    "status": ["", "idle", "bogus"],
    "book_value": ["100", "", "-5", f"{LARGEST_AMOUNT}", f"{MAX_AMOUNT}", "1e14"],
    "accumulated_depreciation": ["", "50", "200", "-1"],
    "area": ["", "12.5", "-1", "999999999999.99", "1000000000000", "1e17"],
    "acquired_on": ["", "2020-01-01", "2020-02-30", "1899-12-31", "2100-01-01"],
    "address": ["", "Main street", "a" * 301],
    "title_complete": ["", "yes", "perhaps"],
}
#: A row is good but for up to two cells drawn from their column's words (good or broken), so
#: that each kind of breakage is met alone in a row that the dry run would otherwise pass.
GOOD = {name: words[0] for name, words in COLUMNS.items()}
ROW = st.tuples(
    st.sampled_from([f"IMP-{i}" for i in range(1, 9)]),  # IMP-1 is stored: an update
    st.lists(st.sampled_from(sorted(COLUMNS)), max_size=2, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: st.sampled_from(COLUMNS[n]) for n in names})
    ),
).map(lambda parts: {**GOOD, "code": parts[0], **parts[1]})


EXAMPLES = itertools.count()


def _file(rows: list[dict], prefix: str) -> io.BytesIO:
    """The rows as a CSV file, their asset codes made the example's own by ``prefix``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for row in rows:
        code = row["code"].replace("IMP-", prefix)
        writer.writerow([code if h == "code" else row[h] for h in HEADER])
    return io.BytesIO(buf.getvalue().encode())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=4), valid_only=st.booleans())
# What the property found once, kept: an area too wide for its column (PostgreSQL refused it
# at the commit), blank status and amount cells (NULL written), a blank kind of an update.
@example(rows=[{**GOOD, "code": "IMP-2", "area": "1000000000000"}], valid_only=False)
@example(rows=[{**GOOD, "code": "IMP-2", "status": "", "book_value": ""}], valid_only=False)
@example(rows=[{**GOOD, "code": "IMP-1", "kind": "", "book_value": ""}], valid_only=True)
@example(rows=[{**GOOD, "code": "IMP-2", "book_value": f"{LARGEST_AMOUNT}",
                "area": "999999999999.99"}], valid_only=False)  # fmt: skip
def test_a_clean_dry_run_means_the_commit_writes_what_it_said(world, rows, valid_only):
    prefix = f"E{next(EXAMPLES)}-"  # each example's assets are its own
    # One stored asset, so that some rows update it (its book value bounds its depreciation).
    AssetFactory(unit=world.unit, code=f"{prefix}1", name="Old", book_value=Decimal("100.00"))
    before = Asset.objects.count()
    office = world.user("office")
    dry = import_assets(actor=office, stream=_file(rows, prefix))
    assert not dry.committed
    assert dry.rows == dry.new + dry.updated + dry.unchanged + dry.rejected
    assert Asset.objects.count() == before
    for rownum, row in enumerate(rows, start=2):
        if any(not row[name] for name in ("unit", "code", "name", "kind")):
            assert rownum in dry.bad_rows  # a blank required cell is a row error
    stream = _file(rows, prefix)
    report = import_assets(actor=office, stream=stream, commit=True, valid_only=valid_only)
    if dry.rejected and not valid_only:
        assert not report.committed and Asset.objects.count() == before
        return
    assert report.committed, report.errors
    assert (report.new, report.updated, report.rejected) == (dry.new, dry.updated, dry.rejected)
    assert Asset.objects.count() == before + dry.new
    for asset in Asset.objects.filter(code__startswith=prefix):
        asset.full_clean()  # what was written passes the model's own checks
