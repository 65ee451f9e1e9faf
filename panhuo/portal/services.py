"""Writes of the portal: notices (put up by the disposal steps through their hook, corrected by
the office) and announcements. Each is one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from panhuo.core.codes import next_code
from panhuo.core.errors import ValidationError
from panhuo.core.validation import full_clean
from panhuo.disposal import deadlines
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.integrity.document_services import document_set_public
from panhuo.integrity.services import audit_insert, audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, User
from panhuo.portal import published
from panhuo.portal.models import Announcement, AnnouncementKind, Notice, NoticeKind, NoticeState

# Who may put up a notice (the steps that do: the office lists and publishes, the head or a
# deputy may withdraw) and correct one (the office); who writes the announcements (the office).
policy.RULES[("notice", "publish")] = frozenset({Role.OFFICE, Role.HEAD, Role.DEPUTY})
policy.RULES[("notice", "correct")] = frozenset({Role.OFFICE})
policy.RULES[("announcement", "publish")] = frozenset({Role.OFFICE})
policy.RESOURCE_NAMES["notice"] = (_("this public notice"), _("public notices"))
policy.RESOURCE_NAMES["announcement"] = (_("this announcement"), _("announcements"))
policy.ACTION_NAMES["publish"] = _("publish")
policy.ACTION_NAMES["correct"] = _("correct")

#: The longest text a term of a listing may have.
TERM_TEXT = 2000


def _english(text) -> str:
    with translation.override("en"):
        return str(text)


def _current(project: DisposalProject, kind: str) -> Notice | None:
    return (
        Notice.objects.select_for_update().filter(project=project, kind=kind, current=True).first()
    )


def _put_up(
    *, actor: User, project: DisposalProject, kind: str, data: dict[str, Any],
    starts_on: dt.date, ends_on: dt.date, reason: str, state: str = NoticeState.PUBLISHED,
    previous: Notice | None,
) -> Notice:  # fmt: skip
    """The next revision of the project's notice of ``kind`` (the first: a new number)."""
    if previous is not None:
        Notice.objects.filter(pk=previous.pk).update(current=False)
    price = data["reserve"] if kind == NoticeKind.LISTING else data["deal_price"]
    notice = Notice(
        code=previous.code if previous else next_code(Notice, "GG"),
        kind=kind,
        revision=previous.revision + 1 if previous else 1,
        state=state,
        project=project,
        jurisdiction=project.package.jurisdiction,
        title=data["title"],
        kinds=published.kinds_of(data),
        price=Decimal(price or "0"),
        starts_on=starts_on,
        ends_on=max(ends_on, starts_on),
        data=data,
        # A step's own reason is kept in English and translated when shown (the page's
        # {% translate %}); an officer's reason is kept as written.
        reason=_english(reason),
        published_by=actor,
        published_at=timezone.now(),
    )
    full_clean(notice)
    notice.save(force_insert=True)
    audit_record(
        actor=actor,
        action=f"notice.{kind}" if previous is None else "notice.revise",
        obj=notice,
        before=None if previous is None else {"revision": previous.revision},
        after={k: v for k, v in snapshot(notice).items() if k != "data"} | {"data": data},
        jurisdiction_path=project.package.jurisdiction.path,
    )
    return notice


def _documents(project: DisposalProject) -> list[dict]:
    """The documents marked public on the project, its package and its assets."""
    from panhuo.portal.selectors import public_documents_of

    return public_documents_of(project)


def _choose_documents(actor: User, project: DisposalProject, chosen: set[int]) -> None:
    from panhuo.portal.selectors import documents_of

    offered = documents_of(project)
    unknown = sorted(chosen - {d.pk for d in offered})
    if unknown:
        raise ValidationError(
            {"documents": [_("Not a document of this lot: %(ids)s.") % {"ids": unknown}]}
        )
    for d in offered:
        document_set_public(actor=actor, document=d, public=d.pk in chosen)


def notice_on_step(*, actor: User, project: DisposalProject, transition: str) -> Notice | None:
    """The hook disposal calls after a publishing step (``disposal.notices``): put up the
    listing notice (listing, relisting, disclosing again, extending), the result notice, or
    take the listing down (withdrawal). Runs in the step's transaction."""
    policy.require(actor, "notice", "publish", jurisdiction=project.package.jurisdiction)
    today = timezone.localdate()
    if transition == "publish_result":
        previous = _current(project, NoticeKind.RESULT)
        starts = project.result_published_on or today
        ends = deadlines.due("notice_due", project, starts)
        return _put_up(
            actor=actor, project=project, kind=NoticeKind.RESULT,
            data=published.result(project, ends), starts_on=starts, ends_on=ends,
            reason=_("Result notice published"), previous=previous,
        )  # fmt: skip
    previous = _current(project, NoticeKind.LISTING)
    if transition == "withdraw":
        if previous is None:
            return None  # withdrawn before it was listed: nothing was public
        return _put_up(
            actor=actor, project=project, kind=NoticeKind.LISTING, data=previous.data,
            starts_on=previous.starts_on, ends_on=previous.ends_on,
            reason=_("Listing withdrawn"), state=NoticeState.WITHDRAWN, previous=previous,
        )  # fmt: skip
    terms = {k: previous.data.get(k) for k in published.TERMS} if previous else {}
    data = published.listing(project, terms, _documents(project))
    reasons = {
        "list": _("Listed for sale"),
        "relist": _("Relisted at a reduced reserve"),
        "redisclose": _("Disclosed again at the new appraisal"),
        "extend_listing": _("Disclosure period extended"),
    }
    return _put_up(
        actor=actor, project=project, kind=NoticeKind.LISTING, data=data,
        starts_on=dt.date.fromisoformat(data["listed_on"]) if data["listed_on"] else today,
        ends_on=dt.date.fromisoformat(data["disclosure_ends"]) if data["disclosure_ends"]
        else today,
        reason=reasons.get(transition, transition), previous=previous,
    )  # fmt: skip


def _amount(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= 10**15:
        raise ValidationError({field: [_("Enter an amount of zero or more, in yuan.")]})
    return str(amount.quantize(Decimal("0.01")))


def notice_correct(
    *, actor: User, notice: Notice, terms: dict[str, Any], reason: str,
    documents: list[int] | None = None,
) -> Notice:  # fmt: skip
    """Set a current listing notice's terms (increment, deposit, priority-purchase-right
    holders, viewing arrangements) and republish it as the next revision, with the reason.
    ``documents`` (ids), if given, are the documents of the project, its package and assets
    that the notice shows: integrity marks them public and the others not."""
    policy.require(actor, "notice", "correct", jurisdiction=notice.jurisdiction)
    unknown = sorted(set(terms) - set(published.TERMS))
    if unknown:
        raise ValidationError({n: [_("This field cannot be set.")] for n in unknown})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the notice is corrected.")]})
    clean = {
        "increment": _amount(terms.get("increment"), "increment"),
        "deposit": _amount(terms.get("deposit"), "deposit"),
    }
    for name in ("priority_holders", "viewing"):
        text = (terms.get(name) or "").strip()
        if len(text) > TERM_TEXT:
            raise ValidationError({name: [_("At most %(n)s characters.") % {"n": TERM_TEXT}]})
        clean[name] = text
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if not current.current or current.kind != NoticeKind.LISTING:
            raise ValidationError(
                {"notice": [_("Only the current revision of a listing notice can be corrected.")]}
            )
        if current.state != NoticeState.PUBLISHED:
            raise ValidationError({"notice": [_("A withdrawn notice cannot be corrected.")]})
        data = {**current.data, **clean}
        if documents is not None:
            _choose_documents(actor, current.project, {int(d) for d in documents})
            data["documents"] = _documents(current.project)
        return _put_up(
            actor=actor, project=current.project, kind=current.kind, data=data,
            starts_on=current.starts_on, ends_on=current.ends_on, reason=reason.strip(),
            previous=current,
        )  # fmt: skip


def announcement_publish(
    *, actor: User, jurisdiction: Jurisdiction, kind: str, title: str, body: str,
    published_on: dt.date | None = None,
) -> Announcement:  # fmt: skip
    """Publish one of the task force's announcements (a policy, or progress made)."""
    policy.require(actor, "announcement", "publish", jurisdiction=jurisdiction)
    errors: dict[str, list] = {}
    if kind not in AnnouncementKind.values:
        errors["kind"] = [_("Choose a policy or a progress announcement.")]
    if not (title or "").strip():
        errors["title"] = [_("This field is required.")]
    if not (body or "").strip():
        errors["body"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = Announcement(
            jurisdiction=jurisdiction,
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            published_on=published_on or timezone.localdate(),
            published_by=actor,
            published_at=timezone.now(),
        )
        audit_insert(
            item, actor=actor, action="announcement.publish", jurisdiction_path=jurisdiction.path
        )
    return item


def notices_backfill(*, actor: User) -> list[Notice]:
    """Put up the notices of the sales that went public before the portal existed: a listing
    notice for each market project listed now, a result notice for each one whose result
    was published, as the steps would have; projects outside ``actor``'s reach as the office
    are left alone. Each notice is its own transaction and audit entry; run again, it adds
    nothing."""
    made = []
    projects = (
        DisposalProject.objects.filter(channel__in=["auction", "exchange"])
        .select_related("package__jurisdiction")
        .order_by("pk")
    )
    for project in projects:
        place = project.package.jurisdiction
        if not policy.allowed(actor, "notice", "publish", jurisdiction=place):
            continue
        steps = []
        if project.status == ProjectStatus.LISTED:
            steps.append((NoticeKind.LISTING, "list"))
        if project.result_published_on is not None:
            steps.append((NoticeKind.RESULT, "publish_result"))
        for kind, step in steps:
            with transaction.atomic():
                if Notice.objects.filter(project=project, kind=kind).exists():
                    continue
                made.append(notice_on_step(actor=actor, project=project, transition=step))
    return made
