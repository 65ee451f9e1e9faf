"""The columnar reader (importing/columnar.py) gives a row its values only when the row path
would give the same values with no error (issue 19, item 2): random rows of regular and
irregular cells (other number forms, amounts in 万元, negatives, bounds, swapped or stray
coordinates, unknown units and codes, bad and future dates, guarded formulas, over-long text)
are read both ways. A row the columnar reader leaves to the row path is read as before, so the
row path's messages are the import's; that the plain row is read columnar proves it is used."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.register.importing import columnar
from panhuo.register.importing.engine import ASSETS, Mapping
from panhuo.register.importing.report import Report
from panhuo.register.importing.rows import RowReader

HEADER = ["unit", "code", "name", "kind", "status", "book_value (万元)", "appraised_value",
          "accumulated_depreciation", "area", "latitude", "longitude", "acquired_on",
          "idle_since", "title_complete", "address", "classification", "criticality"]  # fmt: skip
CELLS = {
    "unit": ["U1", "U2", " U1 ", "", "NOPE"],
    "code": ["A-1", "", "X" * 65, "'=A1"],
    "name": ["Shed", "", "n" * 201, " Hall "],
    "kind": ["building", "Land", "", "spaceship"],
    "status": ["idle", "", "bogus", "IN_USE"],
    "book_value (万元)": ["12.5", "", "-3", "1,200", "9999999999"],
    "appraised_value": [
        "100",
        "100.5",
        "",
        "-5",
        "1,234.50",
        "12.5万元",
        "9999999999999.99",
        "10000000000000",
        "1e3",
        "(7)",
        "0.005",
    ],
    "accumulated_depreciation": ["", "50", "200", "abc"],
    "area": ["12.5", "", "-1", "999999999999.99", "1000000000000", "12.345"],
    "latitude": ["30.5", "", "120.2", "91", "-0.5", "30.1234567", "abc"],
    "longitude": ["120.25", "", "30.5", "181", "200"],
    "acquired_on": [
        "2020-01-01",
        "",
        "2020-02-30",
        "1899-12-31",
        "2099-01-01",
        "2020年3月1日",
        "01/03/2020",
    ],
    "idle_since": ["", "2021-05-01", "tomorrow"],
    "title_complete": ["yes", "", "perhaps", "否"],
    "address": ["", "Main street", "a" * 301],
    "classification": ["", "NOPE-CODE"],
    "criticality": ["", "supporting", "essential", "critical-ish"],
}
GOOD = {name: words[0] for name, words in CELLS.items()}
ROW = (
    st.lists(st.sampled_from(sorted(CELLS)), min_size=2, max_size=3, unique=True)
    .flatmap(lambda names: st.fixed_dictionaries({n: st.sampled_from(CELLS[n]) for n in names}))
    .map(lambda changed: [{**GOOD, **changed}[h] for h in HEADER])
)


#: Every cell alone in an otherwise plain row, then the plain row.
SINGLES = [[{**GOOD, name: word}[h] for h in HEADER] for name in CELLS for word in CELLS[name]]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=st.lists(ROW, max_size=12))
def test_the_columnar_reader_agrees_with_the_row_path(world, rows):
    reader = RowReader(HEADER, Mapping(), ASSETS, ASSETS.context(world.user("office")))
    assert columnar.usable(reader)
    rows = [*SINGLES, *rows]
    fast = columnar.read_chunk(reader, rows)
    assert fast[0] is not None  # a plain row is read columnar
    for number, (cells, ready) in enumerate(zip(rows, fast, strict=True)):
        report = Report()
        slow = reader.read(list(cells), number, report)
        if ready is not None:
            assert not report.errors and slow is not None, (cells, report.errors)
            assert {k: str(v) for k, v in ready.items()} == {k: str(v) for k, v in slow.items()}
