"""Bulk import of holding units and users by the site administrator (register/org_import.py):
dry run and commit agree, bad rows are named by row and column with nothing written, saved
mappings and the background run work, passwords are shown once, the pages and the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from panhuo.core.tests.api_support import fingerprint
from panhuo.organisation.credit_code import credit_code_check_char
from panhuo.organisation.models import RoleAssignment, Unit, User
from panhuo.organisation.tests.site_admin_support import (
    LIXIA_ORGAN,
    SHIZHONG_FREE,
    build_place,
)
from panhuo.register import import_mappings, imports
from panhuo.register.importing.engine import run_import, target_for


def credit(division: str, serial: str, kind: str = "12") -> str:
    first = f"{kind}{division}{serial:0>9}"
    return first + credit_code_check_char(first)


NEW_A = credit("370102", "100000001", "11")
NEW_B = credit("370102", "100000002")
UNITS_CSV = (
    "统一社会信用代码,单位名称,单位类型,行政区划代码,主管部门\n"
    f"{NEW_A},历下区住房和城乡建设局,机关,370102,\n"
    f"{NEW_B},历下区房产服务中心,事业单位,370102,{NEW_A}\n"
)
USERS_CSV = (
    "username,name,email,role,jurisdiction,unit\n"
    "liuyang,刘洋,liuyang@example.gov.cn,office,370102,\n"
    "chenjing,陈静,,unit_officer,,12370102495214704Q\n"
)


@pytest.fixture
def p(db):
    return build_place()


def run(p, target: str, text: str, commit: bool, actor=None):
    return run_import(
        target_for(target), actor=actor or p.lixia_admin, stream=io.BytesIO(text.encode()),
        commit=commit, filename=f"{target}.csv",
    )  # fmt: skip


def errors(report) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in report.errors]


def test_units_dry_run_then_commit_with_a_supervisor_from_an_earlier_row(p):
    before = fingerprint()
    dry = run(p, "units", UNITS_CSV, commit=False)
    assert (dry.new, dry.rejected, dry.committed) == (2, 0, False), dry.errors
    assert fingerprint() == before
    done = run(p, "units", UNITS_CSV, commit=True)
    assert (done.new, done.committed) == (2, True)
    b = Unit.objects.get(credit_code=NEW_B)
    assert b.kind == "institution" and b.supervisor.credit_code == NEW_A
    again = run(p, "units", UNITS_CSV, commit=True)
    assert (again.new, again.unchanged) == (0, 2)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("123701020043011260,坏代码,机关,370102,", "统一社会信用代码"),  # wrong check character
        (f"{SHIZHONG_FREE},区外单位,机关,370102,", "行政区划代码"),  # registered in Shizhong
        (f"{credit('370102', '100000009')},无类型,,370102,", "单位类型"),
        (f"{credit('370102', '100000008')},未知地区,机关,370103,", "行政区划代码"),  # not theirs
        (f"{credit('370102', '100000007')},坏主管,机关,370102,{LIXIA_ORGAN}X", "主管部门"),
    ],
)
def test_a_bad_unit_row_is_named_and_nothing_is_written(p, row, column):
    text = UNITS_CSV + row + "\n"
    before = fingerprint()
    for commit in (False, True):
        report = run(p, "units", text, commit=commit)
        assert errors(report) == [(4, column)], report.errors
        assert not report.committed
    assert fingerprint() == before


def test_users_import_gives_roles_and_one_time_passwords(p):
    dry = run(p, "users", USERS_CSV, commit=False)
    assert (dry.new, dry.rejected) == (2, 0), dry.errors
    assert not dry.secrets and not User.objects.filter(username="liuyang").exists()
    done = run(p, "users", USERS_CSV, commit=True)
    assert done.committed and set(done.secrets) == {"liuyang", "chenjing"}
    liu = User.objects.get(username="liuyang")
    assert liu.must_change_password and liu.check_password(done.secrets["liuyang"])
    assert liu.first_name == "刘洋"
    chen = RoleAssignment.objects.get(user__username="chenjing")
    assert chen.role == "unit_officer" and chen.unit == p.centre
    assert "secrets" not in str(done.as_dict()) and done.secrets["liuyang"] not in str(
        done.as_dict()
    )


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("nobody,无角色,,,370102,", "role"),  # a user with no role
        ("LIUYANG,重复,,office,370102,", "username"),  # duplicate of row 2 (case ignored)
        ("jinan_admin,已有,,office,370102,", "username"),  # exists, not administered here
        ("lixia_admin,本人,,office,370102,", "username"),  # the importer's own account
        ("wrongunit,错单位,,unit_officer,370103,12370102495214704Q", "jurisdiction"),
        ("bademail,坏邮箱,not-an-email,office,370102,", "email"),
        ("outside,区外,,office,370103,", "jurisdiction"),  # Shizhong: not administered
    ],
)
def test_a_bad_user_row_is_named_and_nothing_is_written(p, row, column):
    text = USERS_CSV + row + "\n"
    before = fingerprint()
    for commit in (False, True):
        report = run(p, "users", text, commit=commit)
        assert errors(report) == [(4, column)], report.errors
        assert not report.committed and not report.secrets
    assert fingerprint() == before


def test_pages_run_in_the_background_and_show_passwords_once(p, django_capture_on_commit_callbacks):
    client = p.client(p.lixia_admin)
    assert client.get(reverse("unit-import")).status_code == 200
    upload = SimpleUploadedFile("users.csv", USERS_CSV.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("user-import"),
                               {"file": upload, "run": "commit", "mode": "all"})  # fmt: skip
    assert response.status_code == 302, response.content
    run_ = p.lixia_admin.import_runs.get()
    imports.execute_import(run_)
    page = client.get(run_.get_absolute_url())
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    body = page.content.decode()
    assert "liuyang" in body and 'class="password"' in body
    assert 'class="password"' not in client.get(run_.get_absolute_url()).content.decode()
    # Another role may not open the upload or the run.
    assert p.client(p.lixia_head).get(reverse("user-import")).status_code == 403
    assert p.client(p.lixia_head).get(run_.get_absolute_url()).status_code == 403


def test_a_saved_mapping_reads_a_file_with_other_headers(p):
    import_mappings.mapping_save(actor=p.lixia_admin, name="hr", target="users",
                         columns={"login": "username", "post": "role", "place": "jurisdiction"},
                         values={"role": {"主任": "office"}})  # fmt: skip
    with pytest.raises(Exception):  # noqa: B017 (the head may keep no user mappings)
        import_mappings.mapping_save(actor=p.lixia_head, name="x", target="users", columns={})
    text = "login,post,place\nzhaolei,主任,370102\n"
    run_ = imports.import_run_create(actor=p.lixia_admin, upload=io.BytesIO(text.encode()),
                                     filename="hr.csv", mapping_name="hr", commit=True,
                                     target="users")  # fmt: skip
    run_ = imports.execute_import(run_)
    assert run_.status == "succeeded", run_.report
    assert RoleAssignment.objects.get(user__username="zhaolei").role == "office"


def test_the_command_imports_units_and_prints_passwords(p, tmp_path):
    units, users = tmp_path / "units.csv", tmp_path / "users.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    users.write_text(USERS_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "units", str(units), user="lixia_admin", commit=True,
                 no_progress=True, stdout=out)  # fmt: skip
    assert Unit.objects.filter(credit_code=NEW_B).exists()
    call_command("import", "users", str(users), user="lixia_admin", commit=True,
                 no_progress=True, stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "liuyang" in text and "chenjing" in text
