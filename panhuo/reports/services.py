"""Generating reports: check the caller may, compute the content as of the date, render both
files, and store them with their hashes and the audit entry in one transaction (a refusal or a
rendering failure writes nothing). ``regenerate`` computes a stored report's content again from
the records and names every figure that differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panhuo.core.bounds import date_problem
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Unit, User
from panhuo.reports import content as build
from panhuo.reports import dossier, scorecard
from panhuo.reports.models import GeneratedReport, ReportKind
from panhuo.reports.pdf import render_pdf
from panhuo.reports.xlsx import render_xlsx

#: The language official documents are written in unless the caller asks for another.
DEFAULT_LANGUAGE = "zh-hans"
AUDITED_FIELDS = [
    f.name for f in GeneratedReport._meta.concrete_fields if f.name not in ("xlsx", "pdf")
]


def _clean_as_of(as_of) -> dt.date:
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ValidationError(
                {"as_of": [_("“%(value)s” is not a date.") % {"value": as_of}]}
            ) from None
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": [_("A report cannot be as of a day still to come.")]})
    if problem := date_problem(as_of):
        raise ValidationError({"as_of": [problem]})
    return as_of


def compute(
    kind: str,
    place: Jurisdiction,
    as_of: dt.date,
    *,
    user: User | None = None,
    project: DisposalProject | None = None,
    unit: Unit | None = None,
    period: str = "",
    layout: int = build.MONTHLY_LAYOUT,
) -> build.Content:
    """The content of a report of ``kind`` (no permission check: the callers do it); a monthly
    report in ``layout``."""
    if kind == ReportKind.MONTHLY:
        return build.monthly(place, as_of, layout=layout)
    if kind == ReportKind.WORK_REPORT:
        return build.work_report(place, as_of)
    if kind == ReportKind.DEBT_RISK:
        return dossier.debt_risk(place, as_of, user)
    if kind == ReportKind.DOSSIER:
        if project is None:
            raise ValidationError({"project": [_("Name the project of the dossier.")]})
        return dossier.project_dossier(project, as_of)
    if kind == ReportKind.SCORECARD:
        if unit is None:
            raise ValidationError({"unit": [_("Name the unit of the scorecard.")]})
        return scorecard.unit_scorecard(unit, period, as_of, user)
    raise ValidationError(
        {
            "kind": [
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": kind, "choices": ", ".join(ReportKind.values)}
            ]
        }
    )


def _number(place: Jurisdiction, year: int) -> str:
    """The next document number of the place's reports in ``year`` (发文字号): the issuer's
    short mark, the year in hexagonal brackets, the sequence."""
    mark = _("%(first)sReports") % {"first": place.name[:1]}
    prefix = f"{mark}〔{year}〕"
    taken = GeneratedReport.objects.filter(jurisdiction=place, number__startswith=prefix).count()
    return _("%(prefix)sNo. %(n)s") % {"prefix": prefix, "n": taken + 1}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate(
    *,
    actor: User | None,
    kind: str,
    jurisdiction: Jurisdiction,
    as_of,
    project: DisposalProject | None = None,
    unit: Unit | None = None,
    period: str = "",
    language: str = DEFAULT_LANGUAGE,
    scheduled: bool = False,
) -> GeneratedReport:
    """Generate and store a report. ``actor`` None is the scheduled monthly run (the worker):
    it generates only the monthly report and the work report tables, which read no user's
    scope."""
    if actor is not None:
        policy.require(actor, "report", "generate", jurisdiction=jurisdiction)
    elif kind not in (ReportKind.MONTHLY, ReportKind.WORK_REPORT):
        raise ValidationError({"kind": [_("Only the monthly reports are generated unattended.")]})
    as_of = _clean_as_of(as_of)
    if project is not None and not project.package.jurisdiction.path.startswith(jurisdiction.path):
        raise ValidationError(
            {"project": [_("The project is not of %(place)s.") % {"place": jurisdiction}]}
        )
    if unit is not None and not unit.jurisdiction.path.startswith(jurisdiction.path):
        raise ValidationError(
            {"unit": [_("The unit is not of %(place)s.") % {"place": jurisdiction}]}
        )
    with translation.override(language):
        found = compute(kind, jurisdiction, as_of, user=actor, project=project, unit=unit,
                        period=period)  # fmt: skip
        found.language = language
        with transaction.atomic():
            Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).first()
            number = _number(jurisdiction, as_of.year)
            xlsx, pdf = render_xlsx(found, number), render_pdf(found, number)
            report = GeneratedReport.objects.create(
                kind=kind, jurisdiction=jurisdiction, project=project, unit=unit, as_of=as_of,
                period=found.period, number=number, title=found.title[:200], empty=found.empty,
                figures=found.as_dict(), xlsx=xlsx, xlsx_sha256=_sha(xlsx), pdf=pdf,
                pdf_sha256=_sha(pdf), generated_by=actor, scheduled=scheduled,
            )  # fmt: skip
            audit_record(
                actor=actor, action="report.generate", obj=report,
                after=snapshot(report, AUDITED_FIELDS), jurisdiction_path=jurisdiction.path,
            )  # fmt: skip
    return report


@dataclass
class Check:
    """A stored report against its content computed again from the records."""

    report: GeneratedReport
    differences: list[str]
    same_pdf: bool

    @property
    def ok(self) -> bool:
        return not self.differences


def _walk(stored, fresh, at: str, out: list[str]) -> None:
    if isinstance(stored, dict) and isinstance(fresh, dict):
        for key in sorted(set(stored) | set(fresh)):
            _walk(stored.get(key), fresh.get(key), f"{at}.{key}" if at else key, out)
    elif isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        for i, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            _walk(a, b, f"{at}[{i}]", out)
    elif stored != fresh:
        out.append(f"{at}: {stored!r} ≠ {fresh!r}")


def regenerate(report: GeneratedReport) -> Check:
    """Compute the report's content again as of its date, in the language it was written in
    and the layout it was laid out in (a monthly report stored before the forecast column
    names none: layout 1), and compare every figure (and the PDF's bytes, which are
    deterministic). Nothing is written."""
    language = report.figures.get("language") or DEFAULT_LANGUAGE
    stored_layout = report.figures.get("layout")
    with translation.override(language):
        fresh = compute(report.kind, report.jurisdiction, report.as_of, user=report.generated_by,
                        project=report.project, unit=report.unit,
                        period=report.period.rpartition("-")[2],
                        layout=stored_layout or 1)  # fmt: skip
        fresh.language, fresh.layout = language, stored_layout
        pdf = render_pdf(fresh, report.number)
    differences: list[str] = []
    _walk(report.figures, fresh.as_dict(), "", differences)
    return Check(report, differences, _sha(pdf) == report.pdf_sha256)


def month_end_before(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s: what the monthly run reports on."""
    return day.replace(day=1) - dt.timedelta(days=1)
