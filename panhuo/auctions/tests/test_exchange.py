"""Lots on an outside exchange: the listing package (notice fields as JSON and XLSX, formula-
like text stored as text), and the exchange's result file (CSV or XLSX) refused as a whole
with every row's error in the reader's language, or awarded exactly as Panhuo's own auction:
the deal, the registered buyer, the award queue (a default passes the deal to the runner-up).
Pages and API for the office; others refused."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from panhuo.auctions import awards, exchange
from panhuo.auctions.models import Award, Lot
from panhuo.auctions.selectors import public_history
from panhuo.auctions.tests.support import make_bidder
from panhuo.core.errors import ValidationError
from panhuo.core.testing import AssetFactory, appraise, approved, recorded_late
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject
from panhuo.organisation.policy import NotPermitted

D = Decimal
FORMULA = '=HYPERLINK("http://x","y")'


def exchange_project(w):
    asset = AssetFactory(unit=w.unit)
    appraise(asset, D("5500000.00"))
    office, sure = w.user("office"), {"confirm_amount": True}
    package = ds.package_create(actor=office, jurisdiction=w.district, name="Ex",
                                channel="exchange", asset_ids=[asset.pk])  # fmt: skip
    p = ds.project_create(actor=office, package=package, reserve_price=D("5500000.00"), **sure)
    p = approved(w, ds.project_transition(actor=office, project=p, transition="submit", **sure))
    return ds.project_transition(
        actor=office, project=p, transition="list", platform="City exchange",
        buyer_conditions=FORMULA, conditions_basis="Rule 1", **recorded_late("list"), **sure,
    )  # fmt: skip


def csv_file(rows, name="result.csv") -> SimpleUploadedFile:
    text = "rank,name,id number,price\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    return SimpleUploadedFile(name, text.encode())


def xlsx_file(rows) -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["顺位", "名称", "证件号码", "价格"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("result.xlsx", buf.getvalue())


def two_bidders(w):
    (_ua, a), (_ub, b) = make_bidder(w, "Alpha Co"), make_bidder(w, "Beta Wang")
    return a, b


def test_the_listing_package_holds_the_notice_as_json_and_xlsx(world):
    from panhuo.integrity.document_services import document_set_public, document_upload

    project = exchange_project(world)
    office, asset = world.user("office"), project.package.items.get().asset
    shown = document_upload(actor=office, target=asset, kind="other", title="Photo",
                            file=SimpleUploadedFile("front.txt", b"public view\n"))  # fmt: skip
    document_upload(actor=office, target=asset, kind="other", title="Internal",
                    file=SimpleUploadedFile("internal.txt", b"not for the exchange\n"))  # fmt: skip
    document_set_public(actor=office, document=shown, public=True)
    name, data = exchange.listing_package(actor=office, project=project)
    assert name.endswith(".zip")
    z = zipfile.ZipFile(io.BytesIO(data))
    docs = [n for n in z.namelist() if n.startswith("documents/")]
    assert docs == [f"documents/{shown.pk}-front.txt"] and z.read(docs[0]) == b"public view\n"
    fields = json.loads(z.read("notice.json"))
    assert fields["project"] == project.code and fields["reserve"] == "5500000.00"
    assert fields["buyer_conditions"] == FORMULA and len(fields["assets"]) == 1
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(z.read("notice.xlsx")))["notice"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert cells["buyer_conditions"].data_type == "s"
    assert cells["buyer_conditions"].value == FORMULA
    with pytest.raises(NotPermitted):
        exchange.listing_package(actor=world.user("finance"), project=project)


def test_a_bad_result_file_names_every_rows_error_and_writes_nothing(world):
    project = exchange_project(world)
    a, b = two_bidders(world)
    g = "110105194912319999"
    rows = [(1, a.name, a.id_number, "5400000"), ("x", b.name, b.id_number, "1"),
            (2, "Someone Else", b.id_number, "5500000"), (3, "Ghost", g, "5500000")]  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=world.user("office"), project=project,
                               stream=csv_file(rows), filename="result.csv")  # fmt: skip
    errors = exc.value.message_dict["file"]
    assert any(e.startswith("Row 2, price") for e in errors)
    assert any(e.startswith("Row 3, rank") for e in errors)
    assert any(e.startswith("Row 4, name") and "Beta Wang" in e for e in errors)
    assert any(e.startswith("Row 5, id_number") for e in errors)
    assert not Lot.objects.filter(round__project=project).exists()
    assert DisposalProject.objects.get(pk=project.pk).status == "listed"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=world.user("office"), project=project,
                               stream=csv_file([(1, a.name, a.id_number, "1")]),
                               filename="result.csv")  # fmt: skip
    assert "第2行" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=world.user("office"), project=project,
                               stream=SimpleUploadedFile("r.csv", b"who,what\n1,2\n"),
                               filename="r.csv")  # fmt: skip
    assert "rank" in exc.value.message_dict["file"][0]


def test_a_good_result_awards_as_panhuos_own_auction(world):
    project = exchange_project(world)
    a, b = two_bidders(world)
    rows = [(1, a.name, a.id_number, 5800000), (2, b.name, b.id_number, 5700000)]
    lot = exchange.result_import(actor=world.user("office"), project=project,
                                 stream=xlsx_file(rows), filename="result.xlsx")  # fmt: skip
    assert lot.status == "awarded" and lot.price == D("5800000.00")
    queue = list(Award.objects.filter(lot=lot))
    assert [(q.rank, q.source, q.status) for q in queue] == [
        (1, "exchange", "offered"), (2, "exchange", "queued")
    ]  # fmt: skip
    p = DisposalProject.objects.get(pk=project.pk)
    assert (p.status, p.buyer_party, p.deal_price) == ("concluded", a, D("5800000.00"))
    assert p.expected_receipts.filter(cancelled=False, amount=D("5800000.00")).exists()
    awards.award_default(actor=world.user("office"), award=queue[0], reason="No contract")
    p = DisposalProject.objects.get(pk=project.pk)
    assert (p.buyer_party, p.deal_price) == (b, D("5700000.00"))
    with pytest.raises(ValidationError):
        exchange.result_import(actor=world.user("office"), project=project,
                               stream=xlsx_file(rows), filename="result.xlsx")  # fmt: skip


def _client(user) -> Client:
    c = Client(headers={"accept-language": "en"})
    c.force_login(user)
    return c


def test_the_office_pages_and_api_and_the_others_refused(world):
    project = exchange_project(world)
    a, b = two_bidders(world)
    office, finance = _client(world.user("office")), _client(world.user("finance"))
    page = reverse("exchange-result", args=[project.pk])
    assert office.get(page).status_code == 200
    assert finance.get(page).status_code == 403
    r = office.get(reverse("exchange-package", args=[project.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    r = office.post(page, {"file": csv_file([(1, a.name, "nope", "5800000")])})
    assert r.status_code == 400 and "Row 2, id_number" in r.text
    api = f"/api/v1/projects/{project.pk}/exchange-result"
    good = [(1, a.name, a.id_number, "5800000"), (2, b.name, b.id_number, "5600000")]
    assert finance.post(api, {"file": csv_file(good)}).status_code == 403
    r = office.post(api, {"file": csv_file(good), "history": history_file([(a.name, "1", "x")])})
    assert r.status_code == 400 and "History row 2, time" in r.json()["errors"]["history"][0]
    r = office.post(api, {"file": csv_file(good)})
    assert r.status_code == 200 and r.json()["status"] == "awarded"
    assert office.get(f"/api/v1/projects/{project.pk}/exchange-package").status_code == 400


def history_file(rows, name="history.csv") -> SimpleUploadedFile:
    text = "bidder,amount,time\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    return SimpleUploadedFile(name, text.encode())


def test_the_bid_history_is_checked_whole_and_stored_as_the_lots_bids(world):
    """The optional bid history: every row's error named (bidder, amount, time, order, the
    winner's last bid at the deal price), nothing written; a good one becomes the lot's bids,
    published with the result and read by the red flags (no identical bids in an ascending
    history)."""
    from panhuo.flags import engine
    from panhuo.flags.models import Flag

    project = exchange_project(world)
    a, b = two_bidders(world)
    office = world.user("office")
    result = [(1, a.name, a.id_number, "5800000"), (2, b.name, b.id_number, "5700000")]
    now = timezone.localtime()
    t = [(now - dt.timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S") for m in (30, 20, 10)]
    future = (now + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    bad = [("Nobody", "5500000", t[0]), (b.id_number, "abc", t[0]), (a.name, "5600000", future),
           (b.id_number, "5400000", "soon")]  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=office, project=project, stream=csv_file(result),
                               filename="r.csv", history=history_file(bad),
                               history_name="h.csv")  # fmt: skip
    errors = exc.value.message_dict["history"]
    assert [e.split(":")[0] for e in errors] == [
        "History row 2, bidder", "History row 3, amount", "History row 4, time",
        "History row 5, time",
    ]  # fmt: skip
    out_of_order = [(b.id_number, "5500000", t[0]), (a.name, "5500000", t[1]),
                    (b.id_number, "5700000", t[2])]  # fmt: skip
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=office, project=project, stream=csv_file(result),
                               filename="r.csv", history=history_file(out_of_order),
                               history_name="h.csv")  # fmt: skip
    errors = exc.value.message_dict["history"]
    assert len(errors) == 2 and "第3行" in errors[0] and "第4行" in errors[1]
    assert not Lot.objects.filter(round__project=project).exists()
    good = [(a.id_number, "5600000", t[1]), (b.name, "5500000", t[0]),
            (b.id_number, "5700000", t[1]), (a.name, "5800000", t[2])]  # fmt: skip
    lot = exchange.result_import(actor=office, project=project, stream=csv_file(result),
                                 filename="r.csv", history=history_file(good),
                                 history_name="h.csv")  # fmt: skip
    bids = list(lot.bids.order_by("seq"))
    assert [(x.registration.bidder_id, x.amount, x.kind) for x in bids] == [
        (b.pk, D("5500000.00"), "bid"), (a.pk, D("5600000.00"), "bid"),
        (b.pk, D("5700000.00"), "bid"), (a.pk, D("5800000.00"), "bid"),
    ]  # fmt: skip
    assert Lot.objects.get(pk=lot.pk).bid_count == 4
    assert [h["amount"] for h in public_history(lot)] == [x.amount for x in bids]
    engine.recompute(rules=["identical_bids"])
    assert not Flag.objects.filter(rule="identical_bids", subject_id=str(lot.pk)).exists()


def timed_file(rows) -> SimpleUploadedFile:
    text = "rank,name,id number,price,bidding end,last bid time\n" + "".join(
        ",".join(map(str, r)) + "\n" for r in rows
    )
    return SimpleUploadedFile("timed.csv", text.encode())


def test_the_bidding_end_and_last_bid_time_let_the_late_bid_flag_judge_an_exchange_lot(
    world, subtests
):
    """The result's optional bidding end and last bid time (the winner's row): bad ones named
    by row and column in the reader's language, nothing written; good ones become the lot's end
    and the winning bid, and a winning bid after the exchange's end raises ``late_bid_won``."""
    from panhuo.flags import engine
    from panhuo.flags.models import Flag

    project = exchange_project(world)
    a, b = two_bidders(world)
    office = world.user("office")
    now = timezone.localtime()
    t = [(now - dt.timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M:%S") for m in (30, 20, 10)]
    future = (now + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    first = (1, a.name, a.id_number, "5800000")
    second = (2, b.name, b.id_number, "5700000")
    cases = {
        "Row 2, bidding_end": [(*first, "soon", t[1])],
        "Row 2, last_bid_at": [(*first, t[1], future)],
        "Row 2, bidding_end ": [(*first, "", t[1])],
        "Row 3, bidding_end": [(*first, t[1], t[2]), (*second, t[0], "")],
        "Row 3, last_bid_at": [(*first, t[1], t[2]), (*second, "", t[0])],
    }
    for where, rows in cases.items():
        with subtests.test(where), pytest.raises(ValidationError) as exc:
            exchange.result_import(actor=office, project=project, stream=timed_file(rows),
                                   filename="timed.csv")  # fmt: skip
        assert [e for e in exc.value.message_dict["file"] if e.startswith(where.strip() + ":")]
    with pytest.raises(ValidationError) as exc:  # the history's last bid is at another time
        exchange.result_import(actor=office, project=project, filename="timed.csv",
                               stream=timed_file([(*first, t[1], t[2])]),
                               history=history_file([(a.name, "5800000", t[0])]),
                               history_name="h.csv")  # fmt: skip
    assert exc.value.message_dict["file"][0].startswith("Row 2, last_bid_at: the bid history")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        exchange.result_import(actor=office, project=project, filename="t.csv",
                               stream=timed_file([(*first, "soon", t[1])]))  # fmt: skip
    error = exc.value.message_dict["file"][0]
    assert "第2行" in error and "日期" in error
    assert not Lot.objects.filter(round__project=project).exists()

    # The winning bid came ten minutes after the exchange's bidding had ended.
    late = timed_file([(*first, t[1], t[2]), (*second, t[1], "")])
    lot = exchange.result_import(actor=office, project=project, filename="timed.csv",
                                 stream=late)  # fmt: skip
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.end_at == lot.planned_end_at == timezone.make_aware(dt.datetime.fromisoformat(t[1]))
    assert [(x.registration.bidder_id, x.amount) for x in lot.bids.all()] == [
        (a.pk, D("5800000.00"))
    ]  # fmt: skip
    engine.recompute(rules=["late_bid_won"])
    assert Flag.objects.filter(rule="late_bid_won", subject_id=str(lot.pk), status="open").exists()
