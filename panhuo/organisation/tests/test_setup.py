"""``panhuo setup``: a real place from the example file on an empty database, and every bad
input refused by entry and field with nothing written (issue 14, item 1)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import Operator, audit_verify
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, Unit, User
from panhuo.organisation.place import PlaceFileError, place_check, place_setup

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "place.example.yaml"
OPERATOR = Operator("installer")

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def written() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Jurisdiction, Unit, User, RoleAssignment, AuditEntry))


def test_the_example_file_sets_up_a_place_from_an_empty_database(capsys):
    assert written() == (0, 0, 0, 0, 0)
    call_command("setup", file=str(EXAMPLE), operator="installer")
    out = capsys.readouterr().out
    lixia = Jurisdiction.objects.get(code="370102")
    assert (lixia.level, lixia.parent.code, lixia.parent.parent.code) == (
        "district",
        "370100",
        "370000",
    )
    assert lixia.name == "历下区" and lixia.name_en == "Lixia District"
    assert lixia.path.startswith(lixia.parent.path)
    centre = Unit.objects.get(credit_code="12370102495214704Q")
    assert centre.kind == Unit.Kind.INSTITUTION and centre.jurisdiction == lixia
    assert centre.supervisor.name == "济南市历下区人民政府办公室"
    assert Unit.objects.get(credit_code="91370102MA3C4K7P9Y").kind == Unit.Kind.SOE
    officer = User.objects.get(username="chenjing")
    assert officer.assignments.get().unit == centre
    assert User.objects.get(username="zhaomin").assignments.get().jurisdiction.code == "370100"
    # Each user's password is printed once and signs them in; no hash goes to the audit log.
    head = User.objects.get(username="wangjianguo")
    password = next(line.split("\t")[1] for line in out.splitlines() if "wangjianguo\t" in line)
    assert head.check_password(password) and head.first_name == "王建国"
    assert head.assignments.get().role == Role.HEAD
    assert written() == (3, 5, 7, 7, 3 + 5 + 7 + 7)
    # Someone else chose every password: each user picks their own at first sign-in.
    assert not User.objects.filter(must_change_password=False).exists()
    assert User.objects.get(username="sunli").assignments.get().role == Role.SITE_ADMIN
    entries = AuditEntry.objects.all()
    assert {e.actor_name for e in entries} == {"installer (command line)"}
    assert not any("password" in (e.after or {}) for e in entries)
    assert audit_verify().ok


def test_the_dry_run_checks_and_writes_nothing(capsys):
    call_command("setup", file=str(EXAMPLE), dry_run=True)
    assert "Nothing was written" in capsys.readouterr().out
    assert written() == (0, 0, 0, 0, 0)


def _bad(place: dict, change) -> dict:
    data = copy.deepcopy(place)
    change(data)
    return data


def _set(section: str, n: int, key: str, value):
    def change(data):
        data[section][n][key] = value

    return change


def _dup_user(data):
    data["users"].append({**data["users"][1], "username": "LiNa"})


CASES = {
    "division code not six digits": (
        _set("jurisdictions", 2, "code", "37012"), "jurisdiction 3 (37012)", "code"),
    "division code of no province": (
        _set("jurisdictions", 0, "code", "990000"), "jurisdiction 1 (990000)", "code"),
    "district code not under its city": (
        _set("jurisdictions", 2, "code", "370202"), "jurisdiction 3 (370202)", "code"),
    "level that contradicts the code": (
        _set("jurisdictions", 1, "level", "district"), "jurisdiction 2 (370100)", "level"),
    "invalid credit code": (
        _set("units", 0, "credit_code", "113701020043011262"), "unit 1 (济南市历下区财政局)",
        "credit_code"),
    "unit outside any jurisdiction in the file": (
        _set("units", 1, "jurisdiction", "370103"), "unit 2 (济南市历下区人民政府办公室)",
        "jurisdiction"),
    "unknown unit kind": (
        _set("units", 2, "kind", "company"), "unit 3 (济南市历下区教育和体育局)", "kind"),
    "user with no role": (_set("users", 3, "roles", []), "user 4 (liuyang)", "roles"),
    "duplicate username": (_dup_user, "user 8 (LiNa)", "username"),
    "role over a unit not in the file": (
        _set("users", 4, "roles", [{"role": "unit_officer", "unit": "X"}]), "user 5 (chenjing)",
        "roles.unit"),
    "role that does not exist": (
        _set("users", 0, "roles", [{"role": "root", "jurisdiction": "370102"}]),
        "user 1 (wangjianguo)", "roles.role"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_bad_entry_is_refused_by_entry_and_field_with_nothing_written(place, case):
    change, entry, field = CASES[case]
    with pytest.raises(PlaceFileError) as refused:
        place_setup(operator=OPERATOR, data=_bad(place, change))
    # The entry itself comes first; what refers to it by the changed code may follow.
    first = refused.value.problems[0]
    assert (first.entry, first.field) == (entry, field)
    assert str(refused.value.problems[0]).startswith(f'{entry}, field "{field}": ')
    assert written() == (0, 0, 0, 0, 0)


def test_a_username_taken_in_the_database_is_refused(place):
    User.objects.create_user("ZhangWei")
    problems = place_check(place)
    assert [(p.entry, p.field) for p in problems] == [("user 3 (zhangwei)", "username")]


def test_what_only_the_models_catch_rolls_back_what_was_already_written(place):
    """A username of forbidden characters passes the file's checks and fails at the user's
    insert, after the jurisdictions and units: all of it goes."""
    bad = _bad(place, _set("users", 5, "username", "zhao min!"))
    with pytest.raises(PlaceFileError) as refused:
        place_setup(operator=OPERATOR, data=bad)
    assert refused.value.problems[0].entry == "user 6 (zhao min!)"
    assert refused.value.problems[0].field == "username"
    assert written() == (0, 0, 0, 0, 0)


def test_the_refusal_reads_in_chinese_and_english(place, tmp_path):
    path = tmp_path / "place.yaml"
    path.write_text(
        yaml.safe_dump(_bad(place, _set("jurisdictions", 2, "code", "370202")), allow_unicode=True),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as english:
        call_command("setup", file=str(path), language="en")
    assert "Nothing was written" in str(english.value)
    assert "must start with its parent's first 4 digits (3701)" in str(english.value)
    with pytest.raises(CommandError) as chinese:
        call_command("setup", file=str(path), language="zh-hans")
    assert "未写入任何内容" in str(chinese.value)
    assert "行政区第3条 (370202)，字段“code”：代码须以上级代码的前4位（3701）开头" in str(
        chinese.value
    )
    with translation.override("zh-hans"):
        problems = place_check(_bad(place, _set("users", 3, "roles", [])))
        assert "至少" in str(problems[0])
    assert written() == (0, 0, 0, 0, 0)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "place.yaml"
    path.write_text("jurisdictions: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("setup", file=str(path))
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CommandError, match="must hold jurisdictions"):
        call_command("setup", file=str(path))


def _choose_own_password(client, given: str) -> None:
    """The first sign-in: every page leads to the password change until it is made."""
    first = client.get(reverse("dashboard"))
    assert first.status_code == 302 and first["Location"].startswith(reverse("password-change"))
    new = "a-Lixia-password-of-my-own-2026"
    form = {"old_password": given, "new_password1": new, "new_password2": new}
    assert client.post(reverse("password-change"), form).status_code == 302


def test_the_people_of_a_new_place_sign_in_and_find_its_pages(client, capsys):
    """With no demo data anywhere, each first user signs in with the printed password and the
    pages they start from answer (nothing assumes the demo's task force or records)."""
    call_command("setup", file=str(EXAMPLE))
    passwords = dict(
        line.strip().split("\t") for line in capsys.readouterr().out.splitlines() if "\t" in line
    )
    lixia = Jurisdiction.objects.get(code="370102")
    centre = Unit.objects.get(credit_code="12370102495214704Q")
    pages = [
        reverse("dashboard"),
        reverse("me"),
        reverse("asset-list"),
        reverse("project-list"),
        reverse("jurisdiction-detail", args=[lixia.pk]),
    ]
    for username in ("wangjianguo", "zhaomin"):
        assert client.login(username=username, password=passwords[username])
        _choose_own_password(client, passwords[username])
        for url in pages:
            assert client.get(url).status_code == 200, (username, url)
        client.logout()
    assert client.login(username="chenjing", password=passwords["chenjing"])
    _choose_own_password(client, passwords["chenjing"])
    assert client.get(reverse("dashboard")).status_code == 200
    page = client.get(reverse("unit-detail", args=[centre.pk]))
    assert page.status_code == 200
    shown = page.content.decode()
    # The unit as the file gave it: its names, credit code and supervising department.
    for text in (
        "济南市历下区机关事务服务中心",
        "Lixia District Government Offices Administration",
        "12370102495214704Q",
        "Supervising department",
        "济南市历下区人民政府办公室",
    ):
        assert text in shown, text
    page = client.get(reverse("jurisdiction-detail", args=[lixia.pk]))
    assert "Lixia District" in page.content.decode()


_ROLES = [
    [],
    [{"role": "head", "jurisdiction": "370100"}],
    [{"role": "unit_officer", "unit": "12370102495214704Q"}],
    [{"role": "unit_officer", "jurisdiction": "370102"}],
    [{"role": "office", "unit": "12370102495214704Q"}],
    [{"role": "finance", "jurisdiction": "370102"}, {"role": "finance", "jurisdiction": 370102}],
]
MUTATIONS = st.one_of(
    st.tuples(
        st.just("jurisdictions"),
        st.integers(0, 2),
        st.sampled_from(["code", "level", "parent", "name"]),
        st.sampled_from(["370102", "370202", "37010", 370103, "city", "district", "370100", None]),
    ),
    st.tuples(
        st.just("units"),
        st.integers(0, 4),
        st.sampled_from(["credit_code", "kind", "jurisdiction", "supervising_department", "code"]),
        st.sampled_from(
            ["113701020043011261", "113701020043011262", "organ", "company", "370100", None, ""]
        ),
    ),
    st.tuples(
        st.just("users"),
        st.integers(0, 5),
        st.sampled_from(["username", "roles", "language"]),
        st.sampled_from(["lina", "LiNa", "a b", "新用户", "", "fr", *_ROLES]),
    ),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=3))
def test_the_dry_run_and_the_real_run_agree_and_nothing_else_escapes(mutations):
    """Whatever a file gets wrong, the dry run's verdict is the real run's, a refusal is a
    PlaceFileError (never a database error), and a refused file writes nothing."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for section, n, key, value in mutations:
        if value is None:
            data[section][n].pop(key, None)
        else:
            data[section][n][key] = copy.deepcopy(value)
    with transaction.atomic():
        verdicts = []
        for dry_run in (True, False):
            try:
                place_setup(operator=OPERATOR, data=copy.deepcopy(data), dry_run=dry_run)
                verdicts.append("set up")
            except PlaceFileError:
                verdicts.append("refused")
                assert written() == (0, 0, 0, 0, 0)
            if dry_run:
                assert written() == (0, 0, 0, 0, 0)
        assert verdicts[0] == verdicts[1]
        transaction.set_rollback(True)


def test_a_set_up_racing_another_is_refused_whole(place, monkeypatch):
    """Between the checks and the writes another set-up inserts the same jurisdiction: the
    database's constraint stops it, and the refusal is still a named one with nothing written
    of this file."""
    from panhuo.organisation import place as module

    write = module._write

    def racing(checker, operator, result):
        Jurisdiction.objects.create(code="370102", name="历下区", level="district")
        monkeypatch.setattr(module, "full_clean", lambda obj: None)  # the race beat the check
        write(checker, operator, result)

    monkeypatch.setattr(module, "_write", racing)
    with pytest.raises(PlaceFileError) as refused:
        place_setup(operator=OPERATOR, data=place)
    assert [(p.entry, p.field) for p in refused.value.problems] == [("", "file")]
    assert written() == (0, 0, 0, 0, 0)
