"""Writes for bidders: registering (with or without an account), changing one's details while
not yet verified, the office's decisions, and the declared relations. Each is one transaction
with its audit entries; every wrong field is named, in the reader's language, and nothing is
half written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.bidders import identity
from panhuo.bidders.models import (
    Bidder,
    BidderKind,
    BidderStatus,
    DeclaredRelation,
    RelationKind,
)
from panhuo.bidders.workflow import TRANSITIONS, step_to
from panhuo.integrity.services import audit_insert, audit_record, changed, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, Unit, User
from panhuo.organisation.signup import account_errors, bidder_account_create, bidder_role_ensure

#: The details a bidder gives (and may change until verified).
DETAIL_FIELDS = (
    "kind", "name", "id_number", "credit_code", "phone", "address", "bank_name", "bank_account",
)  # fmt: skip
_MAX = {"name": 200, "phone": 32, "address": 300, "bank_name": 100, "bank_account": 40}


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


#: What identifies a bidder of each kind: (its field, the other kind's field it clears, the
#: check of its value, the refusal when it is missing, the refusal when another bidder has it).
_IDENTIFIED_BY = {
    BidderKind.PERSON: (
        "id_number", "credit_code", identity.id_number_error,
        gettext_lazy("A person registers with their resident ID number."),
        gettext_lazy("A bidder with this resident ID number is registered."),
    ),
    BidderKind.COMPANY: (
        "credit_code", "id_number", identity.credit_code_error,
        gettext_lazy("A company registers with its unified social credit code."),
        gettext_lazy("A bidder with this unified social credit code is registered."),
    ),
}  # fmt: skip


def clean_details(data: dict[str, Any], *, exclude: Bidder | None = None) -> dict[str, str]:
    """The bidder's details, normalised, or a ValidationError naming every wrong field."""
    d = {k: _text(data.get(k)) for k in DETAIL_FIELDS}
    d["id_number"] = identity.normalise_id_number(d["id_number"])
    d["credit_code"] = identity.normalise_credit_code(d["credit_code"])
    errors: dict[str, list[str]] = {}
    for key in ("name", "phone", "address"):
        if not d[key]:
            errors[key] = [_("This field is required.")]
    for key, n in _MAX.items():
        if len(d[key]) > n:
            errors[key] = [_("At most %(n)d characters.") % {"n": n}]
    if d["phone"] and not all(c.isdigit() or c in "+-() " for c in d["phone"]):
        errors["phone"] = [_("A phone number is digits, with + - ( ) allowed.")]
    if d["bank_account"] and not d["bank_account"].replace(" ", "").isdigit():
        errors["bank_account"] = [_("A bank account number is digits only.")]
    others = Bidder.objects.exclude(pk=exclude.pk) if exclude else Bidder.objects.all()
    identified = _IDENTIFIED_BY.get(d["kind"])
    if identified is None:
        errors["kind"] = [_("Choose person or company.")]
    else:
        key, other_key, problem_of, missing, taken = identified
        d[other_key] = ""
        if not d[key]:
            errors[key] = [str(missing)]
        elif problem := problem_of(d[key]):
            errors[key] = [problem]
        elif others.filter(**{key: d[key]}).exists():
            errors[key] = [str(taken)]
    if errors:
        raise ValidationError(errors)
    return d


def _details_or_refuse(details: dict[str, Any], errors: dict) -> dict[str, str]:
    """The details, normalised, unless they or the ``errors`` found already refuse the
    registration: then one ValidationError names every wrong field."""
    try:
        d = clean_details(details)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return d


def _place(jurisdiction: Jurisdiction | int | None, errors: dict) -> Jurisdiction | None:
    if isinstance(jurisdiction, Jurisdiction):
        return jurisdiction
    try:
        return Jurisdiction.objects.get(pk=int(jurisdiction))
    except (TypeError, ValueError, Jurisdiction.DoesNotExist):
        errors["jurisdiction"] = [_("Choose the place you register with.")]
        return None


def _insert(bidder: Bidder, actor) -> Bidder:
    try:
        with transaction.atomic():
            audit_insert(
                bidder, actor=actor, action="bidder.register",
                jurisdiction_path=bidder.jurisdiction.path,
            )  # fmt: skip
    except IntegrityError as exc:  # registered by another request at the same moment
        field = "credit_code" if bidder.kind == BidderKind.COMPANY else "id_number"
        raise ValidationError({field: [_("A bidder with this number is registered.")]}) from exc
    return bidder


def register_bidder(
    *, actor: User, user: User, jurisdiction: Jurisdiction | int, **details: Any
) -> Bidder:
    """Register ``user`` (who must be the actor, signed in) as a bidder awaiting verification,
    giving them the bidder role if they lack it. ``details``: DETAIL_FIELDS."""
    if actor is None or not actor.is_authenticated or actor.pk != user.pk:
        raise policy.NotPermitted(_("You may register only yourself as a bidder."))
    errors: dict[str, list[str]] = {}
    place = _place(jurisdiction, errors)
    if Bidder.objects.filter(user=user).exists():
        errors["user"] = [_("You are registered as a bidder already.")]
    elif policy.roles(user) - {Role.BIDDER}:
        # The task force's own people (and site administrators) do not bid on what they sell.
        errors["user"] = [_("An account with a staff role may not register as a bidder.")]
    d = _details_or_refuse(details, errors)
    with transaction.atomic():
        bidder_role_ensure(user=user, actor=actor, place=place)
        return _insert(Bidder(user=user, jurisdiction=place, **d), actor)


def self_register(
    *,
    username: str,
    password: str,
    jurisdiction: Jurisdiction | int,
    email: str = "",
    language: str = "",
    **details: Any,
) -> Bidder:
    """An anonymous visitor opens an account and registers as a bidder in one step: the user
    (with their password), the bidder role and the registration, awaiting verification."""
    errors: dict[str, list[str]] = {}
    place = _place(jurisdiction, errors)
    username, email = (username or "").strip(), (email or "").strip()
    errors.update(
        account_errors(username=username, password=password, email=email, language=language)
    )
    d = _details_or_refuse(details, errors)
    with transaction.atomic():
        user = bidder_account_create(
            username=username, password=password, email=email, language=language, place=place
        )
        return _insert(Bidder(user=user, jurisdiction=place, **d), user)


def _own_editable(actor: User, bidder: Bidder) -> Bidder:
    """The bidder locked for a change of their own, refused once verified."""
    if actor is None or actor.pk != bidder.user_id:
        raise policy.NotPermitted(_("You may change only your own registration."))
    locked = Bidder.objects.select_for_update().get(pk=bidder.pk)
    if not locked.editable:
        raise ValidationError(
            {"status": [_("Your registration is %(status)s: it can no longer be changed.")
                        % {"status": locked.get_status_display()}]}
        )  # fmt: skip
    return locked


def bidder_update(*, actor: User, bidder: Bidder, **details: Any) -> Bidder:
    """The bidder changes their own details while awaiting verification (or after rejection)."""
    d = clean_details({**snapshot(bidder, list(DETAIL_FIELDS)), **details}, exclude=bidder)
    with transaction.atomic():
        b = _own_editable(actor, bidder)
        before = snapshot(b)
        for key, value in d.items():
            setattr(b, key, value)
        b.version += 1
        b.save()
        old, new = changed(before, snapshot(b))
        audit_record(actor=actor, action="bidder.update", obj=b, before=old, after=new,
                     jurisdiction_path=b.jurisdiction.path)  # fmt: skip
    return b


def may_decide(actor: User | None, bidder: Bidder, name: str) -> bool:
    """Whether ``actor`` may take the office's step ``name`` on ``bidder``."""
    return policy.allowed(actor, "bidder", name, jurisdiction=bidder.jurisdiction)


def may_decide_any(actor: User | None, bidder: Bidder) -> bool:
    """Whether ``actor`` may take any of the office's steps on ``bidder`` (in some status)."""
    return any(may_decide(actor, bidder, t.name) for t in TRANSITIONS.values() if not t.own)


def bidder_transition(actor: User, bidder: Bidder, to: str, reason: str = "") -> Bidder:
    """Move ``bidder`` to the status ``to`` by the one row of the transitions table that leads
    there from their status, if ``actor`` may take it; audited with the reason."""
    reason = _text(reason)
    with transaction.atomic():
        b = Bidder.objects.select_for_update().select_related("jurisdiction").get(pk=bidder.pk)
        try:
            target = BidderStatus(to)
        except ValueError:
            raise ValidationError({"to": [_("Unknown status: %(to)s.") % {"to": to}]}) from None
        t = step_to(BidderStatus(b.status), target)
        if t is None:
            raise ValidationError(
                {"to": [_("A bidder who is %(from)s cannot become %(to)s.")
                        % {"from": b.get_status_display(), "to": target.label}]}
            )  # fmt: skip
        if t.own:
            if actor is None or actor.pk != b.user_id:
                raise policy.NotPermitted(_("Only the bidder may ask for verification again."))
        elif not may_decide(actor, b, t.name):
            raise policy.NotPermitted(policy.refusal("bidder", t.name))
        if t.needs_reason and not reason:
            raise ValidationError({"reason": [_("Give the reason (the bidder reads it).")]})
        if len(reason) > 500:
            raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": 500}]})
        before = snapshot(b)
        b.status = target
        b.reason = reason
        if not t.own:
            b.decided_at, b.decided_by = timezone.now(), actor
        b.version += 1
        b.save()
        old, new = changed(before, snapshot(b))
        audit_record(actor=actor, action=f"bidder.{t.name}", obj=b, before=old, after=new,
                     jurisdiction_path=b.jurisdiction.path)  # fmt: skip
    return b


def relation_add(
    *, actor: User, bidder: Bidder, kind: str, who: str, unit: Unit | int | None = None
) -> DeclaredRelation:
    """The bidder declares a relation to an official or a unit (until verified)."""
    errors: dict[str, list[str]] = {}
    who = _text(who)
    if kind not in RelationKind.values:
        errors["kind"] = [_("Choose relative, employee or shareholder.")]
    if not who:
        errors["who"] = [_("Say of whom (name and post, or the unit).")]
    elif len(who) > 300:
        errors["who"] = [_("At most %(n)d characters.") % {"n": 300}]
    if unit not in (None, ""):
        if not isinstance(unit, Unit):
            try:
                unit = Unit.objects.get(pk=int(unit))
            except (TypeError, ValueError, Unit.DoesNotExist):
                errors["unit"] = [_("No such unit.")]
    else:
        unit = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        b = _own_editable(actor, bidder)
        relation = DeclaredRelation(bidder=b, kind=kind, who=who, unit=unit)
        audit_insert(relation, actor=actor, action="bidder.relation_add",
                     jurisdiction_path=b.jurisdiction.path)  # fmt: skip
    return relation


def relation_remove(*, actor: User, relation: DeclaredRelation) -> None:
    """The bidder withdraws a declared relation (until verified)."""
    with transaction.atomic():
        b = _own_editable(actor, relation.bidder)
        audit_record(actor=actor, action="bidder.relation_remove", obj=relation,
                     before=snapshot(relation), jurisdiction_path=b.jurisdiction.path)  # fmt: skip
        relation.delete()
