"""Generating reports: the figures are the records' (and the plan page's), the PDF says them in
Chinese with the total in capitals, a stored report is computed again and compared, bad input
writes nothing, and a report before any data says it is empty."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject
from panhuo.finance.models import Receipt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted
from panhuo.planning.models import Measure
from panhuo.planning.progress import plan_progress
from panhuo.planning.tests.support import listed_project
from panhuo.reports import services
from panhuo.reports.content import Content, Section
from panhuo.reports.models import GeneratedReport
from panhuo.reports.pdf import render_pdf
from panhuo.reports.tasks import generate_monthly, monthly_reports_task, schedule_monthly
from panhuo.reports.tests.support import sale_and_plan
from panhuo.reports.xlsx import read_money
from panhuo.scorecards.selectors import scorecard_for

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def first_page_pixels(data: bytes):
    """The PDF's first page rendered (pdfium, half scale) as an RGB array of ints."""
    page = pdfium.PdfDocument(data)[0]
    return page.render(scale=0.5, rev_byteorder=True).to_numpy().astype(int)


def test_the_monthly_report_states_the_records_figures_in_both_files(world):
    w = world
    today = timezone.localdate()
    plan, _project = sale_and_plan(w)
    listed = listed_project(w, Decimal("700000.00"))
    report = services.generate(actor=w.user("office"), kind="monthly", jurisdiction=w.district,
                               as_of=today)  # fmt: skip
    # The figures are the plan page's (planning.progress), to the fen.
    lines = {(ln.measure, ln.key): ln for ln in plan_progress(plan, today)}
    targets = report.figures["sections"][0]["rows"]
    assert Decimal(targets[0][3]) == lines[(Measure.MONEY, ())].actual == Decimal("1234567.89")
    assert Decimal(targets[1][3]) == lines[(Measure.DEBT, ("bank_loan",))].actual == 450000
    # The forecast to year end is the one the plan's page shows, line by line.
    page = Client()
    page.force_login(w.user("office"))
    shown = page.get(reverse("plan-detail", args=[plan.pk])).context["lines"]
    assets = report.figures["sections"][1]["rows"]
    assert [Decimal(r[6]) for r in targets] == [
        ln.forecast for ln in shown if ln.measure != "assets"
    ]
    assert [int(r[5]) for r in assets] == [ln.forecast for ln in shown if ln.measure == "assets"]
    if today.month < 12 or today.day < 31:  # on the year's last day nothing is left to come
        assert Decimal(targets[0][6]) == Decimal("1934567.89")
    assert report.figures["total"] == "1234567.89"
    assert Decimal("1234567.89") in read_money(bytes(report.xlsx))
    # The PDF: a Chinese title, the figures in 万元 and the total in capitals, the number.
    text = pdf_text(bytes(report.pdf))
    assert "月度进展报告" in text and report.number in text
    assert "123.46" in text and "45.00" in text
    assert "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in text
    # Rendered, the page is not blank and its top carries the issuing body's mark in red.
    pixels = first_page_pixels(bytes(report.pdf))
    assert (pixels.sum(axis=2) < 200).sum() > 1000
    top = pixels[: pixels.shape[0] // 5]
    assert ((top[..., 0] > 150) & (top[..., 1] < 80) & (top[..., 2] < 80)).sum() > 100
    # Stored with its hashes and audited (the hashes stand for the files).
    entry = AuditEntry.objects.get(action="report.generate", object_id=str(report.pk))
    assert entry.after["pdf_sha256"] == report.pdf_sha256 and "pdf" not in entry.after
    # Computed again from the records: the same figures and, deterministic, the same PDF.
    check = services.regenerate(report)
    assert check.ok and check.same_pdf
    # A report stored before there was a forecast: the figures the code of then stored (no
    # forecast column, no note on it, no layout named) are computed again in that layout.
    old = copy.deepcopy(report.figures)
    del old["layout"]
    for section in old["sections"][:2]:
        for cells in (section["columns"], section["kinds"], *section["rows"]):
            del cells[-1]
    old["notes"].pop()
    with translation.override(old["language"]):
        pdf = render_pdf(Content(**old | {"sections": [Section(**x) for x in old["sections"]]}),
                         report.number)  # fmt: skip
    stored = GeneratedReport(**{f.attname: getattr(report, f.attname)
                                for f in GeneratedReport._meta.concrete_fields})  # fmt: skip
    stored.figures, stored.pdf_sha256 = old, hashlib.sha256(pdf).hexdigest()
    check = services.regenerate(stored)
    assert check.ok and check.same_pdf, check.differences
    # The listed project withdrawn after the report's day leaves the report's forecast as it
    # was: the pipeline is read from the projects' events as of the day.
    later = timezone.now() + dt.timedelta(days=1)
    listed.events.create(transition="withdraw", from_status="listed", to_status="withdrawn",
                         actor=w.user("office"))  # fmt: skip
    listed.events.filter(to_status="withdrawn").update(at=later)
    DisposalProject.objects.filter(pk=listed.pk).update(status="withdrawn")
    assert services.regenerate(report).ok
    # A record changed behind the services' back shows as the figure that differs.
    Receipt.objects.update(amount=Decimal("1000000.00"))
    check = services.regenerate(report)
    assert not check.ok
    assert any("1234567.89" in d and "1000000.00" in d for d in check.differences)


def test_before_any_data_the_report_is_marked_empty_and_bad_input_writes_nothing(world):
    w = world
    office = w.user("office")
    empty = services.generate(actor=office, kind="work_report", jurisdiction=w.district,
                              as_of=dt.date(2001, 3, 31))  # fmt: skip
    assert empty.empty and "无记录" in pdf_text(bytes(empty.pdf))
    before = GeneratedReport.objects.count()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    bad = [
        ({"kind": "monthly", "as_of": tomorrow}, "as_of", "尚未到来"),
        ({"kind": "monthly", "as_of": "31/12/2025"}, "as_of", "不是日期"),
        ({"kind": "weekly", "as_of": "2025-12-31"}, "kind", "weekly"),
        ({"kind": "dossier", "as_of": "2025-12-31"}, "project", "项目"),
    ]
    with translation.override("zh-hans"):
        for data, field, words in bad:
            with pytest.raises(ValidationError) as err:
                services.generate(actor=office, jurisdiction=w.district, **data)
            assert words in err.value.message_dict[field][0], data
    # Role and jurisdiction: a unit officer, and the other district's office, are refused.
    for who in ("unit_officer", "auditor", "outsider_office"):
        with pytest.raises(NotPermitted):
            services.generate(actor=w.user(who), kind="monthly", jurisdiction=w.district,
                              as_of="2025-12-31")  # fmt: skip
    assert GeneratedReport.objects.count() == before


def test_the_monthly_run_the_dossier_and_the_command(world, tmp_path):
    w = world
    today = timezone.localdate()
    as_of = services.month_end_before(today)
    _plan, project = sale_and_plan(w, year=as_of.year)
    made = generate_monthly(today)
    assert sorted(r.kind for r in made) == ["monthly", "work_report"]
    assert all(r.scheduled and r.generated_by is None and r.as_of == as_of for r in made)
    assert generate_monthly(today) == []  # a month is generated once
    # The worker's queue: the next run on the first of next month, queued once.
    from django_tasks_db.models import DBTaskResult

    assert schedule_monthly() and schedule_monthly()
    queued = DBTaskResult.objects.filter(task_path=monthly_reports_task.module_path)
    assert queued.count() == 1 and timezone.localtime(queued.get().run_after).day == 1
    # The dossier: every step, document (with its hash) and approval of the project.
    dossier = services.generate(actor=w.user("office"), kind="dossier", jurisdiction=w.district,
                                as_of=today, project=project)  # fmt: skip
    steps, documents, approvals = dossier.figures["sections"]
    assert [r[1] for r in steps["rows"]] == ["submit", "approve", "list", "conclude"]
    assert documents["rows"] and all(len(r[5]) == 64 for r in documents["rows"])
    assert approvals["rows"][0][4] == "批准"
    # A dossier's period is its project's code: any code fits.
    code = DisposalProject._meta.get_field("code").max_length
    assert GeneratedReport._meta.get_field("period").max_length >= code
    # The command: generate (as a user, files written), list, check.
    out = io.StringIO()
    call_command("report", "generate", "--kind", "debt_risk", "--jurisdiction", "D1",
                 "--as", "finance", "--out", str(tmp_path), stdout=out)  # fmt: skip
    pk = int(out.getvalue().split()[0])
    assert (tmp_path / f"report-{pk}.pdf").read_bytes()[:5] == b"%PDF-"
    call_command("report", "check", str(pk), stdout=out)
    assert "every figure the same; PDF identical" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("report", "generate", "--kind", "monthly", "--jurisdiction", "D1",
                     "--as", "unit_officer", stdout=out)  # fmt: skip


def test_a_units_scorecard_report_is_the_scorecard_page_s_card(world):
    w = world
    today = timezone.localdate()
    plan, _project = sale_and_plan(w)
    office = w.user("office")
    report = services.generate(actor=office, kind="scorecard", jurisdiction=w.district,
                               as_of=today, unit=w.unit, period="Y")  # fmt: skip
    card = scorecard_for(office, plan.pk, w.unit.pk, "Y", on=today)
    result, parts, _figures = report.figures["sections"]
    assert result["rows"][0][0] == str(card.score.quantize(Decimal("0.01")))
    assert result["rows"][0][2] == f"{card.rank} / {card.ranked_of}"
    assert len(parts["rows"]) == len(card.parts)
    assert "考核" in pdf_text(bytes(report.pdf)) and services.regenerate(report).ok
    with pytest.raises(ValidationError) as err:
        services.generate(actor=office, kind="scorecard", jurisdiction=w.district, as_of=today,
                          unit=w.unit, period="Q9")  # fmt: skip
    assert "Q9" in err.value.message_dict["period"][0]
    with pytest.raises(ValidationError):  # the other district's unit is not this place's
        services.generate(actor=office, kind="scorecard", jurisdiction=w.district, as_of=today,
                          unit=w.other_unit, period="Y")  # fmt: skip
