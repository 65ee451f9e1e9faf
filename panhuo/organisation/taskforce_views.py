"""The task-force page: the task force of the caller's place (or of ``?jurisdiction=``), its
founding document, its members now and past; for the head and the site administrator the
forms that found it, add a member, record a departure and change a position
(organisation/taskforce.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from panhuo.core.ui import form_write, section_required
from panhuo.organisation import policy
from panhuo.organisation import taskforce as tf
from panhuo.organisation.models import Jurisdiction
from panhuo.organisation.taskforce_forms import (
    MemberJoinForm,
    MemberLeaveForm,
    MemberPositionForm,
    TaskForceForm,
)

#: The page's forms: the POST's button name → (form class, auto_id).
FORMS = {
    "set": (TaskForceForm, "tf_%s"),
    "join": (MemberJoinForm, "join_%s"),
    "leave": (MemberLeaveForm, "leave_%s"),
    "position": (MemberPositionForm, "position_%s"),
}


def _place(request) -> Jurisdiction:
    """The jurisdiction the page shows: ``?jurisdiction=`` among those the caller may see,
    else the place of their own role (the deepest), else the first task force they see."""
    visible = policy.jurisdictions_for(request.user, "taskforce", "view")
    raw = request.GET.get("jurisdiction") or request.POST.get("jurisdiction") or ""
    if raw:
        # An id too long for the column is missing too (PostgreSQL would refuse to compare).
        ok = raw.isdigit() and len(raw) <= 9
        place = visible.filter(pk=int(raw)).first() if ok else None
        if place is None:
            raise Http404(_("No such record, or it is not visible to you."))
        return place
    own = [g for g in policy.grants(request.user) if g.role in policy.RULES[("taskforce", "view")]]
    own.sort(key=lambda g: len(g.path), reverse=True)
    for g in own:
        if tf.task_forces_for(request.user).filter(jurisdiction_id=g.jurisdiction_id).exists():
            return visible.get(pk=g.jurisdiction_id)
    first = tf.task_forces_for(request.user).first()
    if first is not None:
        return first.jurisdiction
    return visible.get(pk=own[0].jurisdiction_id)


def _forms(task_force, bound: dict | None = None) -> dict:
    forms = {}
    for name, (cls, auto_id) in FORMS.items():
        if task_force is None and name != "set":
            continue
        kwargs = {"auto_id": auto_id}
        if name == "join":
            kwargs["users"] = tf.candidates(task_force)
        elif name in {"leave", "position"}:
            kwargs["members"] = task_force.members.filter(left_on__isnull=True).select_related(
                "user"
            )
        elif task_force is not None:
            kwargs["initial"] = {
                "name": task_force.name,
                "name_en": task_force.name_en,
                "document_number": task_force.document_number,
                "established_on": task_force.established_on,
            }
        data = bound if bound is not None and bound.get("_form") == name else None
        forms[name] = cls(*(() if data is None else (data["post"],)), **kwargs)
    return forms


def _page(request, place, task_force, forms=None, status=200):
    manage = tf.may_manage(request.user, task_force, place)
    members = list(tf.members_of(task_force)) if task_force is not None else []
    context = {
        "section": "taskforce",
        "place": place,
        "task_force": task_force,
        "current": [m for m in members if m.left_on is None],
        "past": [m for m in members if m.left_on is not None],
        "others": tf.task_forces_for(request.user).exclude(jurisdiction=place),
        "may_manage": manage,
        "forms": (forms or _forms(task_force)) if manage else {},
    }
    return render(request, "organisation/taskforce.html", context, status=status)


@section_required("taskforce")
def taskforce_view(request):
    """The task force (GET); POST (head, site administrator) founds or corrects it
    (``set``), adds a member (``join``), records a departure (``leave``) or a new position
    (``position``)."""
    place = _place(request)
    task_force = tf.task_forces_for(request.user).filter(jurisdiction=place).first()
    if request.method != "POST":
        return _page(request, place, task_force)
    if not tf.may_manage(request.user, task_force, place):
        raise policy.NotPermitted(policy.refusal("taskforce", "manage"))
    name = next((n for n in FORMS if n in request.POST), "set")
    if task_force is None and name != "set":
        name = "set"
    forms = _forms(task_force, {"_form": name, "post": request.POST})
    form = forms[name]
    if form.is_valid():
        done = form_write(
            request, form, lambda: _write(request.user, place, task_force, name, form), _("Saved.")
        )
        if done is not None:
            return redirect(done.get_absolute_url())
    return _page(request, place, task_force, forms, status=400)


def _write(user, place, task_force, name: str, form):
    d = form.cleaned_data
    if name == "set":
        return tf.taskforce_set(actor=user, jurisdiction=place, **d)
    if name == "join":
        return tf.member_join(actor=user, task_force=task_force, **d)
    if name == "leave":
        return tf.member_leave(actor=user, member=d["member"], left_on=d["left_on"])
    return tf.member_change_position(
        actor=user, member=d["member"], position=d["position"], on=d["on"]
    )
