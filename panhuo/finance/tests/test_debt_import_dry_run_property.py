"""The debt import's dry run runs every check its commit runs (issue 14, item 5), as for assets
(register/tests/test_import_dry_run_property.py): random broken debt files go to a dry run, then
to a commit; when the dry run rejects no row, the commit writes exactly the new and updated
debts it reported, and a blank required cell is a row error, never an IntegrityError."""

from __future__ import annotations

import csv
import io
import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.core.bounds import LARGEST_AMOUNT, MAX_AMOUNT
from panhuo.finance.models import Debt
from panhuo.register.importing.engine import run_import, target_for

DEBTS = target_for("debts")
COLUMNS = {  # the first word of each column is a good one
    "债务编码": ["PQ-1"],
    "地区": ["D1", "", "NOPE"],
    "债权人": ["省财政厅", "", "c" * 201],
    "债务类型": ["一般债券", "", "bogus"],
    "本金": ["1.5亿元", "", "-5", "0", f"{MAX_AMOUNT}", f"{LARGEST_AMOUNT}"],
    "币种": ["CNY", "", "EURO"],
    "利率(%)": ["3.25%", "", "101", "-1"],
    "利率类型": ["固定", "", "bogus"],
    "发行日期": ["2020年6月1日", "", "2020-02-30", "2031-01-01"],
    "到期日": ["2030年6月1日", "", "1899-12-31"],
    "还款方式": ["到期一次还本", "", "bogus"],
}
HEADER = list(COLUMNS)
GOOD = {name: words[0] for name, words in COLUMNS.items()}
ROW = st.tuples(
    st.sampled_from(["PQ-1", "PQ-2", "PQ-3", "PQ-4", "PQ-5", "", "X" * 33]),
    st.lists(st.sampled_from(HEADER[1:]), max_size=2, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: st.sampled_from(COLUMNS[n]) for n in names})
    ),
).map(lambda parts: {**GOOD, "债务编码": parts[0], **parts[1]})
EXAMPLES = itertools.count()


def _file(rows: list[dict], prefix: str) -> io.BytesIO:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[h].replace("PQ-", prefix) for h in HEADER])
    return io.BytesIO(buf.getvalue().encode())


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=3), valid_only=st.booleans())
@example(rows=[{**GOOD, "本金": ""}], valid_only=False)  # blank cells of an update
@example(rows=[{**GOOD, "债权人": "", "债务类型": ""}], valid_only=False)
@example(rows=[{**GOOD, "利率(%)": "", "发行日期": ""}], valid_only=True)
@example(rows=[{**GOOD, "债务编码": "PQ-2", "本金": f"{LARGEST_AMOUNT}"}], valid_only=False)
def test_a_clean_debt_dry_run_means_the_commit_writes_what_it_said(world, rows, valid_only):
    prefix = f"Q{next(EXAMPLES)}-"
    finance = world.user("finance")
    stored = run_import(DEBTS, actor=finance, stream=_file([GOOD], prefix), commit=True)
    assert stored.committed, stored.errors  # PQ-1 exists: its rows are updates
    before = Debt.objects.count()
    dry = run_import(DEBTS, actor=finance, stream=_file(rows, prefix))
    assert dry.rows == dry.new + dry.updated + dry.unchanged + dry.rejected
    assert Debt.objects.count() == before
    for rownum, row in enumerate(rows, start=2):
        if not row["债务编码"] or not row["地区"]:
            assert rownum in dry.bad_rows  # a blank required cell is a row error
    stream = _file(rows, prefix)
    report = run_import(DEBTS, actor=finance, stream=stream, commit=True, valid_only=valid_only)
    if dry.rejected and not valid_only:
        assert not report.committed and Debt.objects.count() == before
        return
    assert report.committed, report.errors
    assert (report.new, report.updated, report.rejected) == (dry.new, dry.updated, dry.rejected)
    assert Debt.objects.count() == before + dry.new
    for debt in Debt.objects.filter(code__startswith=prefix):
        debt.full_clean()
