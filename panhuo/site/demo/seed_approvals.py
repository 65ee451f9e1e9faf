"""Demo approvals: the district's chains, a delegation, and requests that match the projects.

Called once from the seeder before the disposals are taken through their states. It configures
the chains first, so every project's approval request (started by ``submit`` through the
disposal guard) follows them:

- disposals: one step, the head or the deputy; from 10 million yuan the deputy, then the head;
- price exceptions: the head (the least authority the rule names); from 10 million yuan the
  deputy first, then the head — and the head's approval document, with its number, is on the
  project before the head decides;
- the head delegates to the office while at the provincial debt meeting (disposals only).

A project of 10 million or more needs the deputy's first step before the head's ``approve``, so
the seeder's ``move`` is wrapped to decide that step first, as the deputy would in "My
approvals". After the disposals, a submitted large project (if any) has its first step decided,
so the head's inbox shows a request waiting at step 2. Everything else (pending requests of
submitted projects, approved ones of approved projects, rejected ones of sent-back drafts,
withdrawn ones) follows from the projects themselves.

Then two listed sales meet the 90 % approval floor: on one the office asked for a price
exception, the chain approved it and the lot was relisted below the floor; on the other the
request still waits. Last, the head confirms the scope for what is left idle, so the package
suggestions have candidates to group.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.approvals import services as approvals
from panhuo.disposal import price_exceptions
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.integrity.document_services import document_upload
from panhuo.pricing.rules import SELLING_CHANNELS
from panhuo.pricing.selectors import package_appraisal
from panhuo.register.scope import scope_decide
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.seed_documents import minimal_pdf

LARGE = Decimal("10000000.00")
FIRST_STEP_NOTE = "Package, appraisal and channel checked; for the head's decision."


def seed(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    head, deputy = seeder.users["head"], seeder.users["deputy"]
    for purpose, small, small_name in (
        ("disposal", [["head", "deputy"]], "Head or deputy"),
        # A price below the floor is the head's written approval: never a deputy alone.
        ("price_exception", [["head"]], "The head"),
    ):
        approvals.chain_set(
            actor=head, jurisdiction=district, purpose=purpose, steps=small, name=small_name
        )
        approvals.chain_set(
            actor=head,
            jurisdiction=district,
            purpose=purpose,
            min_amount=LARGE,
            steps=[["deputy"], ["head"]],
            name="From 10 million yuan: the deputy, then the head",
        )
    now = timezone.now()
    approvals.delegation_set(
        actor=head,
        to_user=seeder.users["office"],
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=14),
        purposes=["disposal"],
        reason="At the provincial debt-resolution meeting",
    )

    move, disposals = seeder.move, seeder.disposals

    def first_steps(project: DisposalProject) -> None:
        request = approvals.pending_for(project, "disposal")
        if request is not None and request.current_step < request.step_count:
            approvals.approval_decide(
                actor=deputy, request=request, approve=True, comment=FIRST_STEP_NOTE
            )

    def decider(request, actor):
        """The seed's approver if the current step takes their role, else one it takes: a
        step only the head may take (negotiated: Order 32 art. 31), or the deputy's check."""
        roles = request.roles_of_step(request.current_step)
        mine = "head" if actor.pk == head.pk else "deputy" if actor.pk == deputy.pk else ""
        if mine in roles:
            return actor
        return head if "head" in roles else deputy

    def move_with_chain(project, transition, actor, **kw):
        if transition in {"approve", "reject"}:
            request = approvals.pending_for(project, "disposal")
            if transition == "approve" and request is not None and request.step_count > 1:
                first_steps(project)
                actor = head  # the last step of a large disposal is the head's
            elif request is not None:
                actor = decider(request, actor)
        return move(project, transition, actor, **kw)

    def disposals_then_inbox() -> None:
        disposals()
        large = DisposalProject.objects.filter(
            status=ProjectStatus.SUBMITTED,
            package__jurisdiction=district,
            reserve_price__gte=LARGE,
        ).order_by("code")
        for project in large[:2]:
            first_steps(project)
        price_exceptions_seed(seeder)
        scope_seed(seeder)

    seeder.move = move_with_chain
    seeder.disposals = disposals_then_inbox


#: The relist below the floor: 85 % of the appraisal (the floor is 90 %); the waiting one 80 %.
EXCEPTION_PCTS = (85, 80)
EXCEPTION_REASONS = (
    "Two rounds without a qualified bidder; comparable plots in Hexi sold at 80-85 % of "
    "appraisal this year. Relisting below the floor, as the task force's meeting agreed.",
    "The only interested buyers priced the lot well below the appraisal; the exchange advises "
    "a reserve that reaches the buyers registered for neighbouring lots.",
)


def _decide_all(request, deciders) -> None:
    """Decide every step of ``request``, each by the next person who may (one step each)."""
    for who in deciders:
        request.refresh_from_db()
        if request.status != "pending":
            return
        capacity, _why = approvals.decide_check(who, request)
        if capacity is not None:
            approvals.approval_decide(
                actor=who, request=request, approve=True,
                comment="Market evidence checked; the lower reserve is approved in writing.",
            )  # fmt: skip


def _written_approval(seeder, project, amount) -> None:
    """The head's written approval (批复) with its document number, on the project before the
    head decides: the price-exception gate asks for it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    number = f"Qinghe Task Force Approval [2026] No. {project.pk:03d}"
    data = minimal_pdf(
        [number, f"Project {project.code}", f"Relisting reserve approved: {amount:,.2f} yuan"]
    )
    document_upload(
        actor=seeder.users["office"],
        target=project,
        kind="approval",
        title="Written approval of the relisting reserve",
        number=number,
        file=SimpleUploadedFile(f"approval-{project.code}.pdf", data),
    )


def price_exceptions_seed(seeder) -> None:
    """Two listed sales of the district ask for a price exception: the first approved (and
    relisted below the floor), the second pending."""
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    ours = DisposalProject.objects.filter(
        package__jurisdiction=district, channel__in=SELLING_CHANNELS
    ).order_by("code")
    listed = list(ours.filter(status=ProjectStatus.LISTED, channel__in=["auction", "exchange"]))
    # The one relisted first: a listing whose disclosure has ended unsold (it may be relisted).
    listed.sort(key=lambda p: (_disclosure_ends(p) >= seeder.today, p.code))
    # The waiting one: another listed sale, else an approved one whose sale is still ahead.
    picked = listed[:1] + (listed[1:] + list(ours.filter(status=ProjectStatus.APPROVED)))[:1]
    for n, (project, pct, reason) in enumerate(
        zip(picked, EXCEPTION_PCTS, EXCEPTION_REASONS, strict=False)
    ):
        appraised = package_appraisal(project.package).total
        if not appraised:
            continue
        # Rounded down to the thousand yuan, as the exchange lists reserves.
        amount = Decimal(int(appraised * pct / 100) // 1000 * 1000).quantize(Decimal("0.01"))
        request = price_exceptions.price_exception_request(
            actor=office, project=project, amount=amount, reason=reason
        )
        if n > 0:
            continue  # the second one waits in the head's inbox
        _written_approval(seeder, project, amount)
        _decide_all(request, [seeder.users["deputy"], seeder.users["head"]])
        seeder.move(
            project, "relist", office, reserve_price=amount,
            platform="清河市公共资源交易中心",
            listed_on=_relist_on(seeder, project),
            comment=f"Relisted at {pct} % of the appraisal under the head's written approval.",
        )  # fmt: skip


def _disclosure_ends(project) -> dt.date:
    current = project.rounds.filter(result="open").order_by("-number").first()
    if current is None or current.disclosure_ends is None:
        return dt.date.max
    return current.disclosure_ends


def _relist_on(seeder, project) -> dt.date:
    """A week before the seed's day, or the day after the current round's disclosure
    ended if that is later (gate ``relist_after_disclosure``)."""
    current = project.rounds.filter(result="open").order_by("-number").first()
    day = seeder.today - dt.timedelta(days=7)
    if current is not None and current.disclosure_ends is not None:
        day = max(day, current.disclosure_ends + dt.timedelta(days=1))
    return day


def scope_seed(seeder) -> None:
    """The head confirms the scope the rules propose for what is still idle (assets in live
    packages are out by the rules), so GET /packages/suggestions groups the rest."""
    scope_decide(
        actor=seeder.users["head"],
        jurisdiction=seeder.places[c.DISTRICT[0]],
        note="Scope confirmed at the task-force meeting for the next round of packages.",
    )
