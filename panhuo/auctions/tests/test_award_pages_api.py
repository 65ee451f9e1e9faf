"""The award queue on the lot page, in the API and from the command line: the office sees the
queue with names and records the signing or a default (refusals flashed or 400 naming the
field); a bidder sees only their own place and may not record anything; other staff are
refused; ``panhuo auctions award-defaults`` records the defaults whose day has passed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.auctions.models import Award
from panhuo.auctions.tests.test_awards import awarded, deposit_of, offered
from panhuo.core.tests.api_support import call


def _client(user, language="en") -> Client:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def _bidder_user(lot, name):
    return Award.objects.get(lot=lot, registration__bidder__name=name).registration.bidder.user


def test_the_office_records_a_default_then_the_signing_on_the_page(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    office = _client(world.user("office"))
    page = office.get(lot.get_absolute_url())
    assert page.status_code == 200 and "Award queue" in page.text
    assert "Chen Co" in page.text and 'data-testid="award-default"' in page.text
    r = office.post(reverse("lot-default", args=[lot.pk]), {"reason": ""}, follow=True)
    assert "Reason" in r.text and offered(lot).registration.bidder.name == "Bo Li"
    r = office.post(reverse("lot-default", args=[lot.pk]), {"reason": "Refused to sign"})
    assert r.status_code == 302 and offered(lot).registration.bidder.name == "Chen Co"
    signed = {"contract_no": "HT-9", "signed_on": timezone.localdate().isoformat()}
    r = office.post(reverse("lot-sign", args=[lot.pk]), signed)
    assert r.status_code == 302
    assert Award.objects.get(lot=lot, contract_no="HT-9").status == "signed"
    assert deposit_of(lot, "Chen Co").status == "applied"
    r = office.post(reverse("lot-sign", args=[lot.pk]), {"contract_no": "HT-10"}, follow=True)
    assert "No award of this lot is waiting for a signature." in r.text
    zh = _client(world.user("office"), "zh-hans").get(lot.get_absolute_url())
    assert "成交候选顺序" in zh.text and "已签约" in zh.text


def test_a_bidder_sees_only_their_own_place_and_records_nothing(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    winner = _client(_bidder_user(lot, "Bo Li"))
    page = winner.get(lot.get_absolute_url())
    assert page.status_code == 200 and "Award queue" in page.text
    assert "Chen Co" not in page.text and "Alice Wang" not in page.text
    assert 'data-testid="award-sign"' not in page.text
    assert winner.post(reverse("lot-sign", args=[lot.pk]), {"contract_no": "X"}).status_code == 403
    r = winner.get(f"/api/v1/lots/{lot.pk}/awards")
    assert [(a["rank"], a["bidder"], a["status"]) for a in r.json()] == [(1, None, "offered")]
    finance = _client(world.user("finance"))
    assert finance.post(reverse("lot-default", args=[lot.pk]), {"reason": "x"}).status_code == 403
    assert offered(lot).registration.bidder.name == "Bo Li"


def test_the_api_lists_the_queue_and_takes_the_offices_steps(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    office, finance = _client(world.user("office")), _client(world.user("finance"))
    rows = office.get(f"/api/v1/lots/{lot.pk}/awards").json()
    assert [(a["rank"], a["bidder"], a["price"]) for a in rows] == [
        (1, "Bo Li", "5750000.00"), (2, "Chen Co", "5700000.00"), (3, "Alice Wang", "5600000.00"),
    ]  # fmt: skip
    url = f"/api/v1/lots/{lot.pk}/awards"
    assert call(finance, "POST", f"{url}/sign", {"contract_no": "C-1"}).status_code == 403
    r = call(office, "POST", f"{url}/sign", {"contract_no": "  "})
    assert r.status_code == 400 and "contract_no" in r.json()["errors"]
    r = call(_client(world.user("office"), "zh-hans"), "POST", f"{url}/default", {"reason": ""})
    assert r.status_code == 400 and "违约" in r.json()["errors"]["reason"][0]
    r = call(office, "POST", f"{url}/default", {"reason": "Did not pay"})
    assert r.status_code == 200 and r.json()["status"] == "defaulted"
    r = call(office, "POST", f"{url}/sign", {"contract_no": "C-2"})
    assert r.status_code == 200 and r.json()["bidder"] == "Chen Co"
    r = call(office, "POST", f"{url}/sign", {"contract_no": "C-3"})
    assert r.status_code == 400 and "status" in r.json()["errors"]


def test_the_command_records_the_defaults_past_their_day(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    first = offered(lot)
    out = StringIO()
    call_command("auctions", "award-defaults", "--operator", "night shift", stdout=out)
    assert out.getvalue() == "" and offered(lot).pk == first.pk
    later = first.due_on + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    call_command("auctions", "award-defaults", "--operator", "night shift", stdout=out)
    assert "Defaulted" in out.getvalue()
    assert offered(lot).registration.bidder.name == "Chen Co"
    assert deposit_of(lot, "Bo Li").status == "forfeited"


def test_the_command_reports_a_default_it_cannot_record(world, monkeypatch):
    """A deal that moved on (the result notice published) keeps its award offered; the command
    says why on stderr instead of passing the deal on."""
    from panhuo.disposal.services import project_transition

    lot = awarded(world, monkeypatch)
    first = offered(lot)
    project_transition(actor=world.user("office"), project=lot.round.project,
                       transition="publish_result")  # fmt: skip
    later = first.due_on + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    out, err = StringIO(), StringIO()
    call_command("auctions", "award-defaults", stdout=out, stderr=err)
    assert out.getvalue() == "" and "not recorded" in err.getvalue()
    assert offered(lot).pk == first.pk and deposit_of(lot, "Bo Li").status == "held"
