"""The unit and user imports' dry runs run every check their commits run (issue 14, item 5), as
for assets and debts: random broken files go to a dry run, then to a commit; when the dry run
rejects no row, the commit writes exactly the new and updated records it reported, and a bad
row is a row error, never an exception."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.organisation.credit_code import credit_code_check_char
from panhuo.organisation.models import Unit, User
from panhuo.organisation.tests.site_admin_support import LIXIA_ORGAN, SHIZHONG_FREE, build_place
from panhuo.register.importing.engine import run_import, target_for


def _credit(serial: int, kind: str = "11") -> str:
    first = f"{kind}370102{serial:0>9}"
    return first + credit_code_check_char(first)


FREE = [_credit(200000000 + i) for i in range(4)]
UNIT_COLUMNS = {
    "统一社会信用代码": [*FREE, "", "123701020043011260", SHIZHONG_FREE, LIXIA_ORGAN],
    "单位名称": ["某局", "", "n" * 201],
    "单位类型": ["机关", "事业单位", "", "bogus"],
    "行政区划代码": ["370102", "", "370103", "999999"],
    "主管部门": ["", LIXIA_ORGAN, FREE[0], FREE[1], "12370102495214704Q", "NOPE"],
    "单位编码": ["", "C1", "C2", FREE[2], LIXIA_ORGAN],
}
USER_COLUMNS = {
    "用户名": ["u1", "U1", "u2", "u3", "", "lixia_head", "bad name!"],
    "姓名": ["张三", "", "n" * 151],
    "邮箱": ["", "a@example.gov.cn", "not-an-email"],
    "角色": ["office", "unit_officer", "head", "", "bogus"],
    "行政区划代码": ["370102", "", "370103"],
    "单位": ["", "12370102495214704Q", "NOPE"],
}


def _rows(columns):
    return st.lists(
        st.fixed_dictionaries({name: st.sampled_from(words) for name, words in columns.items()}),
        min_size=1,
        max_size=4,
    )


def _file(columns, rows) -> io.BytesIO:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([row[h] for h in columns])
    return io.BytesIO(buf.getvalue().encode())


def _agree(p, target: str, columns, rows, valid_only: bool, model) -> None:
    actor = p.lixia_admin
    before = model.objects.count()
    dry = run_import(target_for(target), actor=actor, stream=_file(columns, rows))
    assert dry.rows == dry.new + dry.updated + dry.unchanged + dry.rejected
    assert model.objects.count() == before
    report = run_import(target_for(target), actor=actor, stream=_file(columns, rows),
                        commit=True, valid_only=valid_only)  # fmt: skip
    if dry.rejected and not valid_only:
        assert not report.committed and model.objects.count() == before
        return
    assert report.committed, report.errors
    assert (report.new, report.updated, report.rejected) == (dry.new, dry.updated, dry.rejected)
    assert model.objects.count() == before + dry.new


@pytest.fixture
def p(db):
    return build_place()


SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


ORGAN_ROW = {"单位名称": "甲", "单位类型": "机关", "行政区划代码": "370102"}


@SETTINGS
@given(rows=_rows(UNIT_COLUMNS), valid_only=st.booleans())
@example(
    rows=[
        {**ORGAN_ROW, "统一社会信用代码": FREE[0], "主管部门": "", "单位编码": FREE[1]},
        {**ORGAN_ROW, "统一社会信用代码": FREE[1], "主管部门": FREE[0], "单位编码": ""},
    ],
    valid_only=False,
)  # a code taken by an earlier row of the file: refused by both
def test_a_clean_unit_dry_run_means_the_commit_writes_what_it_said(p, rows, valid_only):
    _agree(p, "units", UNIT_COLUMNS, rows, valid_only, Unit)


@SETTINGS
@given(rows=_rows(USER_COLUMNS), valid_only=st.booleans())
def test_a_clean_user_dry_run_means_the_commit_writes_what_it_said(p, rows, valid_only):
    _agree(p, "users", USER_COLUMNS, rows, valid_only, User)
