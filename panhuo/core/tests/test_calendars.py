"""The working-day calendar kept by administrators (issue 14, item 3): a year's notice loaded
as a list of dates moves every deadline counted through it, a year nobody published is
provisional wherever a deadline shows, and bad notices are refused line by line."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panhuo.core import calendars, workdays
from panhuo.core.errors import ValidationError
from panhuo.core.models import CalendarDay, CalendarNotice
from panhuo.core.testing import make_user
from panhuo.core.tests.api_support import build_api_world, call, client_for
from panhuo.disposal.models import DisposalProject
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role
from panhuo.organisation.policy import NotPermitted

pytestmark = pytest.mark.django_db

D = dt.date
#: The shape of the State Council's notice for a year (holidays and adjusted working days).
NOTICE_2027 = """# 2027 notice, as a list of dates
2027-01-01, holiday, New Year's Day
2027-01-02\tholiday\tNew Year's Day
2027-01-03 休 元旦
2027-02-06, working, makes up for the Spring Festival
2027-02-07，班，春节调休上班
2027-02-08, holiday, Spring Festival
"""


@pytest.fixture
def unknown_2027(monkeypatch):
    """The calendar library as it is today: 2027 unpublished (kept so when a later release
    of the library knows 2027)."""
    monkeypatch.setattr(workdays, "library_knows", lambda year: year <= 2026)


@pytest.fixture
def national_office(world):
    """An office user over the whole installation (the province at the root)."""
    return make_user("province_office", Role.OFFICE, world.province)


def _load(actor, text=NOTICE_2027, **kwargs):
    kwargs.setdefault("year", 2027)
    kwargs.setdefault("source", "国办发明电〔2026〕7号")
    return calendars.calendar_notice_load(actor=actor, text=text, **kwargs)


# --- Reading a notice ---------------------------------------------------------------------


def test_a_notice_is_read_in_the_ways_people_write_it():
    lines = calendars.notice_lines("\ufeff" + NOTICE_2027, year=2027)
    assert [(x.date, x.working) for x in lines] == [
        (D(2027, 1, 1), False),
        (D(2027, 1, 2), False),
        (D(2027, 1, 3), False),
        (D(2027, 2, 6), True),
        (D(2027, 2, 7), True),
        (D(2027, 2, 8), False),
    ]
    assert lines[2].note == "元旦" and lines[4].note == "春节调休上班"
    assert [x.line for x in lines] == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-01, holiday\n2027-01-01, holiday", "Line 2: 2027-01-01 is given twice"),
        ("2026-12-31, holiday", "Line 1: 2026-12-31 is not in 2027"),
        ("2027-02-06, working", "Line 1: 2027-02-06 is a weekend day marked as a working day"),
        ("2027-13-01, holiday", "Line 1: “2027-13-01” is not a date"),
        ("2027-01-01, maybe", "Line 1: “maybe” is neither holiday"),
        ("2027-01-01", "Line 1: expected a date and a kind"),
        ("# nothing\n\n", "The notice lists no days."),
    ],
)  # fmt: skip
def test_a_bad_line_is_named(text, expected):
    with pytest.raises(ValidationError) as exc:
        calendars.notice_lines(text, year=2027)
    assert any(expected in m for m in exc.value.messages), exc.value.messages


def test_every_bad_line_is_named_at_once():
    with pytest.raises(ValidationError) as exc:
        calendars.notice_lines("2027-01-01, holiday\nxx, holiday\n2027-01-01, off", year=2027)
    assert len(exc.value.messages) == 2
    assert exc.value.messages[0].startswith("Line 2:") and "Line 3:" in exc.value.messages[1]


def test_a_weekday_holiday_or_a_noted_weekend_working_day_passes():
    lines = calendars.notice_lines("2027-01-04, holiday\n2027-01-09, working, 调休", year=2027)
    assert [(x.date.weekday(), x.working) for x in lines] == [(0, False), (5, True)]


# --- Loading it, and what it changes ------------------------------------------------------


def test_new_years_day_2027_is_provisional_until_the_notice_and_a_holiday_after(
    world, unknown_2027, national_office
):
    district = world.district
    new_year = D(2027, 1, 1)  # a Friday
    # Before the notice: New Year's Day is off by law all the same, but the notice's made-up
    # working days are unknown, and deadlines counted into 2027 are provisional.
    assert not workdays.is_working_day(new_year, jurisdiction=district)
    assert not workdays.is_working_day(D(2027, 2, 6), jurisdiction=district)  # a Saturday
    assert not workdays.calendar_known(new_year, jurisdiction=district)
    assert workdays.provisional(D(2026, 12, 20), D(2027, 1, 10), jurisdiction=district)
    before = workdays.add_working_days(D(2026, 12, 31), 1, jurisdiction=district)
    assert before == D(2027, 1, 4)

    notice = _load(national_office)

    assert notice.days.count() == 6 and notice.jurisdiction is None
    assert not workdays.is_working_day(new_year, jurisdiction=district)
    assert not workdays.is_working_day(new_year, jurisdiction=world.other_district)  # national
    assert not workdays.is_working_day(D(2027, 2, 6))  # no place given: the library alone
    assert workdays.is_working_day(D(2027, 2, 6), jurisdiction=district)  # a Saturday, made up
    assert workdays.calendar_known(new_year, jurisdiction=district)
    assert not workdays.provisional(D(2026, 12, 20), D(2027, 1, 10), jurisdiction=district)
    # 1 to 3 January off: the first working day after New Year's Eve is Monday 4 January.
    assert workdays.add_working_days(D(2026, 12, 31), 1, jurisdiction=district) == D(2027, 1, 4)
    entry = AuditEntry.objects.filter(action="calendar.notice_load").get()
    assert entry.after["year"] == 2027 and len(entry.after["days"]) == 6


def test_a_jurisdictions_own_day_wins_over_the_national_one(world, unknown_2027, national_office):
    _load(national_office)
    office = world.user("office")
    calendars.calendar_day_set(
        actor=office, date=D(2027, 1, 1), working=True, note="district duty day",
        jurisdiction=world.district,
    )  # fmt: skip
    assert workdays.is_working_day(D(2027, 1, 1), jurisdiction=world.district)
    assert not workdays.is_working_day(D(2027, 1, 1), jurisdiction=world.other_district)
    # A local notice makes the year final for that district only.
    calendars.calendar_notice_load(
        actor=office, year=2028, source="District 2028", text="2028-03-01, holiday, local",
        jurisdiction=world.district,
    )  # fmt: skip
    assert workdays.calendar_known(D(2028, 3, 1), jurisdiction=world.district)
    assert not workdays.calendar_known(D(2028, 3, 1), jurisdiction=world.other_district)


def test_a_second_notice_for_the_year_needs_replace_and_taking_one_back_undoes_it(
    world, unknown_2027, national_office
):
    first = _load(national_office)
    with pytest.raises(ValidationError, match="already loaded"):
        _load(national_office, text="2027-01-01, holiday")
    second = _load(national_office, text="2027-01-01, holiday", replace=True)
    assert not CalendarNotice.objects.filter(pk=first.pk).exists()
    assert CalendarDay.objects.filter(notice=second).count() == 1
    calendars.calendar_notice_delete(actor=national_office, notice=second)
    assert not CalendarDay.objects.exists()
    assert not workdays.is_working_day(D(2027, 1, 1))  # off by law, notice or none
    assert not workdays.calendar_known(D(2027, 1, 1))
    actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("seq"))
    assert actions[-4:] == [
        "calendar.notice_load",
        "calendar.notice_delete",
        "calendar.notice_load",
        "calendar.notice_delete",
    ]


def test_a_refused_notice_writes_nothing(world, national_office):
    days, entries = CalendarDay.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        _load(national_office, text="2027-01-01, holiday\n2027-01-01, holiday")
    with pytest.raises(ValidationError):
        _load(national_office, source="  ")
    with pytest.raises(ValidationError):
        _load(national_office, year=1800)
    assert (CalendarDay.objects.count(), AuditEntry.objects.count()) == (days, entries)
    assert not CalendarNotice.objects.exists()


def test_who_may_keep_the_calendar(world):
    # The district's head and office: their own district, not the nation, not another district.
    office = world.user("office")
    calendars.calendar_day_set(
        actor=office, date=D(2027, 1, 5), working=False, note="local", jurisdiction=world.district
    )
    with pytest.raises(NotPermitted):
        _load(office)  # national
    with pytest.raises(NotPermitted):
        calendars.calendar_day_set(
            actor=office, date=D(2027, 1, 5), working=False, jurisdiction=world.other_district
        )
    for who in ("finance", "auditor", "supervisor", "unit_officer", "deputy"):
        with pytest.raises(NotPermitted):
            calendars.calendar_day_set(
                actor=world.user(who), date=D(2027, 1, 6), working=False,
                jurisdiction=world.district,
            )  # fmt: skip
    assert CalendarDay.objects.count() == 1


def test_a_weekend_working_day_set_by_hand_needs_its_reason(world):
    with pytest.raises(ValidationError) as exc:
        calendars.calendar_day_set(
            actor=world.user("office"), date=D(2027, 2, 6), working=True,
            jurisdiction=world.district,
        )  # fmt: skip
    assert "note" in exc.value.message_dict


# --- The warning while next year is missing -----------------------------------------------


def test_the_system_check_warns_from_november_while_next_year_is_missing(
    world, unknown_2027, national_office
):
    assert calendars.missing_next_year(D(2026, 10, 31)) is None
    assert calendars.missing_next_year(D(2026, 11, 1)) == 2027
    assert calendars.missing_next_year(D(2025, 12, 1)) is None  # the library knows 2026
    warnings = calendars.check_next_year_calendar(databases=["default"])
    assert [w.id for w in warnings] == (["panhuo.W101"] if dt.date.today().month >= 11 else [])
    assert calendars.check_next_year_calendar(databases=None) == []
    _load(national_office)
    assert calendars.missing_next_year(D(2026, 11, 1)) is None


def test_the_dashboard_tells_the_office_and_not_the_auditor(world, unknown_2027, monkeypatch):
    monkeypatch.setattr(calendars, "missing_next_year", lambda today=None: 2027)
    page = client_for(world, "office").get("/").content.decode()
    assert 'data-testid="calendar-missing"' in page and "?year=2027" in page
    page = client_for(world, "auditor").get("/").content.decode()
    assert 'data-testid="calendar-missing"' not in page


# --- Where deadlines show -----------------------------------------------------------------


def test_a_deadline_counted_into_an_unpublished_year_shows_as_provisional(
    world, unknown_2027, national_office
):
    aw = build_api_world(world)
    project = aw.concluded
    DisposalProject.objects.filter(pk=project.pk).update(
        state_since=D(2026, 12, 28), due_on=D(2027, 1, 6)
    )
    head = client_for(world, "head")
    assert call(head, "GET", f"/api/v1/projects/{project.pk}").json()["due_provisional"] is True
    page = head.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="due-provisional"' in page
    _load(national_office)
    assert call(head, "GET", f"/api/v1/projects/{project.pk}").json()["due_provisional"] is False
    page = head.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="due-provisional"' not in page


# --- API, page and command ----------------------------------------------------------------


def test_the_api_sets_lists_and_removes_days_and_loads_notices(world, unknown_2027):
    office, finance = client_for(world, "office"), client_for(world, "finance")
    body = {
        "date": "2027-01-05",
        "working": False,
        "note": "local",
        "jurisdiction": world.district.pk,
    }
    r = call(office, "PUT", "/api/v1/calendar/days", body)
    assert r.status_code == 200 and r.json()["jurisdiction"] == world.district.pk
    assert call(finance, "PUT", "/api/v1/calendar/days", body).status_code == 403
    listed = call(finance, "GET", "/api/v1/calendar/days?year=2027").json()
    assert [d["date"] for d in listed["results"]] == ["2027-01-05"]
    r = call(office, "POST", "/api/v1/calendar/notices", {
        "year": 2027, "source": "x", "lines": "2027-01-01, holiday\n2027-01-01, holiday",
        "jurisdiction": world.district.pk,
    })  # fmt: skip
    assert r.status_code == 400 and "given twice" in r.content.decode()
    r = call(office, "POST", "/api/v1/calendar/notices", {
        "year": 2027, "source": "x", "lines": NOTICE_2027, "jurisdiction": world.district.pk,
    })  # fmt: skip
    assert r.status_code == 201 and r.json()["day_count"] == 6
    status = call(
        finance, "GET", f"/api/v1/calendar/status?year=2027&jurisdiction={world.district.pk}"
    )
    assert status.json() == {
        "year": 2027,
        "source": "notice",
        "provisional": False,
        "notice": r.json()["id"],
    }
    elsewhere = world.other_district.pk
    other = call(finance, "GET", f"/api/v1/calendar/status?year=2027&jurisdiction={elsewhere}")
    assert other.status_code == 404  # finance of district A does not see district B
    day = CalendarDay.objects.get(date=D(2027, 1, 5))
    assert call(finance, "DELETE", f"/api/v1/calendar/days/{day.pk}").status_code == 403
    assert call(office, "DELETE", f"/api/v1/calendar/days/{day.pk}").status_code == 204
    notice = r.json()["id"]
    assert call(office, "DELETE", f"/api/v1/calendar/notices/{notice}").status_code == 204
    assert not CalendarDay.objects.exists()


def test_the_page_shows_the_year_and_loads_a_notice(world, unknown_2027):
    office = client_for(world, "office")
    page = office.get("/calendar/?year=2027").content.decode()
    assert 'data-testid="calendar-status"' in page and "provisional" in page
    assert 'name="load"' in page
    r = office.post("/calendar/?year=2027", {
        "load": "1", "year": "2027", "source": "District notice", "jurisdiction": world.district.pk,
        "lines": "2027-01-01, holiday\n2027-01-01, holiday",
    })  # fmt: skip
    assert r.status_code == 400 and "given twice" in r.content.decode()
    assert not CalendarNotice.objects.exists()
    r = office.post("/calendar/?year=2027", {
        "load": "1", "year": "2027", "source": "District notice", "jurisdiction": world.district.pk,
        "file": io.BytesIO(NOTICE_2027.encode()),
    })  # fmt: skip
    assert r.status_code == 302
    assert CalendarNotice.objects.get().days.count() == 6
    auditor = client_for(world, "auditor")
    page = auditor.get("/calendar/?year=2027").content.decode()
    assert "District notice" in page and 'name="load"' not in page
    assert auditor.post("/calendar/?year=2027", {"set_day": "1"}).status_code == 403
    assert client_for(world, "bidder").get("/calendar/").status_code == 403
    notice = CalendarNotice.objects.get()
    assert auditor.post(f"/calendar/notices/{notice.pk}/delete/").status_code == 403
    r = office.post(f"/calendar/notices/{notice.pk}/delete/", follow=True)
    assert "The notice for 2027 and its days are taken back." in r.content.decode()
    assert not CalendarNotice.objects.exists() and not CalendarDay.objects.exists()


def test_the_command_loads_a_file_and_reports_the_years(
    world, unknown_2027, national_office, tmp_path
):
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command("calendar", "status", "--year", "2026", stdout=out)
    assert stop.value.code == 1 and "2027: PROVISIONAL" in out.getvalue()
    call_command(
        "calendar", "import", str(path), "--year", "2027", "--source", "国办发明电〔2026〕7号",
        "--user", national_office.username, stdout=out,
    )  # fmt: skip
    assert "6 days" in out.getvalue()
    out = io.StringIO()
    call_command("calendar", "status", "--year", "2026", stdout=out)
    assert "2027: loaded notice" in out.getvalue()
    with pytest.raises(CommandError, match="not in 2028"):
        call_command(
            "calendar", "import", str(path), "--year", "2028", "--source", "x",
            "--user", national_office.username,
        )  # fmt: skip
    with pytest.raises(CommandError, match="whole installation"):
        call_command(
            "calendar", "import", str(path), "--year", "2027", "--source", "x", "--replace",
            "--user", "office",
        )  # fmt: skip
