"""``panhuo report generate --kind monthly --jurisdiction CODE [--as-of DATE] [--project CODE]
[--as USERNAME] [--out DIR]``: generate and store a report (and write its files to DIR);
``panhuo report list``; ``panhuo report check ID``: compute a stored report again from the
records as of its date and compare (non-zero exit when a figure differs); ``panhuo report
monthly [--day DATE]``: what the worker's monthly run does, now."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.commands import ActionsCommand, option_row
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject
from panhuo.organisation.commands import jurisdiction_option, user_option
from panhuo.organisation.models import Unit
from panhuo.organisation.policy import NotPermitted
from panhuo.reports import services
from panhuo.reports.models import GeneratedReport, ReportKind
from panhuo.reports.tasks import generate_monthly


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--as-of/--day: “%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}
        ) from None


class Command(ActionsCommand):
    help = "Reports for superiors: generate, list, check against the records, the monthly run."

    def add_actions(self, sub):
        gen = sub.add_parser("generate", help="Generate and store a report (XLSX and PDF).")
        gen.add_argument("--kind", required=True, choices=ReportKind.values)
        gen.add_argument("--jurisdiction", required=True, help="The jurisdiction's code.")
        gen.add_argument("--as-of", default="", help="The report's date (default: today).")
        gen.add_argument("--project", default="", help="A dossier's project code.")
        gen.add_argument("--unit", default="", help="A scorecard's unit code.")
        gen.add_argument("--period", default="", help="A scorecard's period: Q1-Q4 or Y.")
        gen.add_argument("--as", dest="username", default="",
                         help="Generate as this user (their roles are checked); default: "
                              "the monthly run's (monthly and work_report only).")  # fmt: skip
        gen.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        gen.add_argument("--out", default="", help="Also write the files to this folder.")
        sub.add_parser("list", help="The stored reports, newest first.")
        check = sub.add_parser("check", help="Compute a stored report again and compare.")
        check.add_argument("id", type=int)
        monthly = sub.add_parser("monthly", help="Generate last month's reports now.")
        monthly.add_argument("--day", default="", help="As if run on this day.")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "generate":
                return self.generate(options)
            if action == "list":
                return self.list()
            if action == "check":
                return self.check(options["id"])
            made = generate_monthly(_date(options["day"]) if options["day"] else None)
            for r in made:
                self.stdout.write(f"{r.pk} {r.number} {r.title}")
            self.stdout.write(self.style.SUCCESS(f"{len(made)} report(s) generated."))
        except NotPermitted as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(
                "; ".join(m for messages in exc.message_dict.values() for m in messages)
            ) from None

    def generate(self, options) -> None:
        place = jurisdiction_option(options)
        user = user_option(options)
        project = option_row(
            DisposalProject, options, "project", _("No project with code “%(project)s”.")
        )
        unit = option_row(Unit, options, "unit", _("No unit with code “%(unit)s”."))
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        started = time.perf_counter()
        report = services.generate(
            actor=user, kind=options["kind"], jurisdiction=place, as_of=as_of, project=project,
            unit=unit, period=options["period"], language=options["language"],
            scheduled=user is None,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        if options["out"]:
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            for fmt in ("xlsx", "pdf"):
                (out / f"report-{report.pk}.{fmt}").write_bytes(bytes(getattr(report, fmt)))
        self.stdout.write(f"{report.pk} {report.number} {report.title}")
        self.stdout.write(f"PDF {len(report.pdf)} bytes sha256 {report.pdf_sha256}")
        self.stdout.write(f"XLSX {len(report.xlsx)} bytes sha256 {report.xlsx_sha256}")
        self.stdout.write(self.style.SUCCESS(f"Generated in {seconds:.2f} s."))

    def list(self) -> None:
        for r in GeneratedReport.objects.select_related("jurisdiction").defer("xlsx", "pdf"):
            mark = " (empty)" if r.empty else ""
            self.stdout.write(f"{r.pk} {r.as_of} {r.jurisdiction.code} {r.kind} {r.number}"
                              f"{mark} {r.title}")  # fmt: skip

    def check(self, pk: int) -> None:
        report = GeneratedReport.objects.filter(pk=pk).first()
        if report is None:
            raise CommandError(_("No report %(id)s.") % {"id": pk})
        result = services.regenerate(report)
        for line in result.differences:
            self.stdout.write(line)
        if not result.ok:
            raise CommandError(
                _("Report %(id)s: %(count)s figure(s) differ.")
                % {"id": pk, "count": len(result.differences)}
            )
        same = "identical" if result.same_pdf else "different (the figures are the same)"
        self.stdout.write(self.style.SUCCESS(f"Report {pk}: every figure the same; PDF {same}."))
