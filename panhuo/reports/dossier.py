"""The content of the project's dossier (every step, document and approval, as of a day) and of
the debt risk report (finance's indicators as of a day, as the generating user reads them).
Both read the records the pages read — the project's events, its documents with their SHA-256,
its approval requests and decisions; ``finance.debts.indicators.indicators_for`` — so the
report and the pages agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.approvals.models import ApprovalDecision, ApprovalRequest
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.views import TIER_LABELS
from panhuo.integrity.document_selectors import documents_on
from panhuo.organisation.models import Jurisdiction, User
from panhuo.reports.content import COUNT, MONEY, PCT, TEXT, Content, Section, _cell, issuer_of


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the local zone: records before it existed that day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _when(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _status(code: str) -> str:
    return str(ProjectStatus(code).label) if code in ProjectStatus.values else code


def project_dossier(project: DisposalProject, on: dt.date) -> Content:
    """Every step the project took, every document version on it (with its hash) and every
    approval decision, up to the end of ``on``."""
    until = _end_of(on)
    place = project.package.jurisdiction
    content = Content(
        kind="dossier",
        title=_("Dossier of disposal project %(code)s") % {"code": project.code},
        period=project.code,
        as_of=on.isoformat(),
        issuer=issuer_of(place),
    )
    steps = Section(_("Steps"), [_("When"), _("Step"), _("From"), _("To"), _("By"),
                                 _("Comment")], [TEXT] * 6)  # fmt: skip
    events = project.events.filter(at__lt=until).select_related("actor").order_by("at", "pk")
    for e in events:
        steps.add(_when(e.at), e.transition, _status(e.from_status), _status(e.to_status),
                  e.actor.get_full_name() or e.actor.username, e.comment[:200])  # fmt: skip
    documents = Section(
        _("Documents"),
        [_("Uploaded"), _("Kind"), _("Title"), _("Document number"), _("Version"), _("SHA-256")],
        [TEXT, TEXT, TEXT, TEXT, COUNT, TEXT],
    )
    docs = documents_on([project]).filter(uploaded_at__lt=until).order_by("uploaded_at", "pk")
    for d in docs:
        documents.add(_when(d.uploaded_at), d.get_kind_display(), d.title, d.number,
                      d.revision, d.sha256)  # fmt: skip
    approvals = Section(
        _("Approvals"),
        [_("Decided"), _("Purpose"), _("Step"), _("Decided by"), _("Decision"), _("Comment")],
        [TEXT, TEXT, COUNT, TEXT, TEXT, TEXT],
    )
    ct = ContentType.objects.get_for_model(DisposalProject)
    requests = ApprovalRequest.objects.filter(content_type=ct, object_id=project.pk)
    decisions = (
        ApprovalDecision.objects.filter(request__in=requests, at__lt=until)
        .select_related("request", "actor")
        .order_by("at", "pk")
    )
    for d in decisions:
        approvals.add(_when(d.at), d.request.purpose, d.step,
                      d.actor.get_full_name() or d.actor.username, d.get_outcome_display(),
                      d.comment[:200])  # fmt: skip
    content.sections += [steps, documents, approvals]
    content.empty = not (steps.rows or documents.rows or approvals.rows)
    return content


#: The indicators the debt risk report states, each with its kind.
RISK_FIGURES = (
    ("debts", COUNT, _l("Debts counted")),
    ("outstanding", MONEY, _l("Outstanding")),
    ("government_debt", MONEY, _l("Statutory government debt")),
    ("broad_debt", MONEY, _l("Debt including implicit debt")),
    ("capacity", MONEY, _l("Fiscal capacity")),
    ("debt_ratio", PCT, _l("Debt ratio")),
    ("broad_debt_ratio", PCT, _l("Broad debt ratio")),
    ("overdue", MONEY, _l("Overdue")),
    ("overdue_ratio", PCT, _l("Overdue ratio")),
    ("due_within_year", MONEY, _l("Due within a year")),
    ("share_within_year", PCT, _l("Share due within a year")),
    ("interest_next_year", MONEY, _l("Interest due next year")),
    ("interest_burden", PCT, _l("Interest burden")),
    ("weighted_rate", PCT, _l("Weighted interest rate")),
    ("debt_to_gdp", PCT, _l("Debt to GDP")),
    ("limit_use_total", PCT, _l("Use of the debt limits")),
)


def debt_risk(place: Jurisdiction, on: dt.date, user: User | None) -> Content:
    """Finance's debt indicators of ``place`` as of ``on``, as ``user`` reads them, with the
    risk tiers."""
    found = indicators_for(user, place, on)
    content = Content(
        kind="debt_risk",
        title=_("Debt risk report of %(place)s") % {"place": place.name},
        period=on.isoformat(),
        as_of=on.isoformat(),
        issuer=issuer_of(place),
        empty=found.debts == 0 and found.outstanding in (None, Decimal(0)),
    )
    # Each figure is its own column kind: one row per indicator, value in the right format.
    money = Section(_("Balances"), [_("Indicator"), _("Amount")], [TEXT, MONEY])
    ratios = Section(_("Ratios and counts"), [_("Indicator"), _("Value")], [TEXT, TEXT])
    for name, kind, label in RISK_FIGURES:
        value = getattr(found, name)
        if kind == MONEY:
            money.add(str(label), value)
        else:
            shown = "" if value is None else (f"{_cell(value)}%" if kind == PCT else value)
            ratios.add(str(label), shown)
    tiers = Section(_("Risk tiers"), [_("Indicator"), _("Tier")], [TEXT, TEXT])
    for label, tier in ((_("Debt ratio"), found.debt_ratio_tier),
                        (_("Overdue ratio"), found.overdue_tier)):  # fmt: skip
        tiers.add(label, str(TIER_LABELS.get(tier, tier or "")))
    content.sections += [money, ratios, tiers]
    content.notes += [str(n) for n in found.notes]
    content.total_label = _("Outstanding")
    content.total = None if found.outstanding is None else _cell(found.outstanding)
    return content
