"""API: the task force as a record — its founding document and its members over time
(organisation/taskforce.py). Its roles, finance, the auditor, the supervisor and the site
administrator read it; the head and the site administrator keep it."""

import datetime as dt
from enum import StrEnum

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from panhuo.core.api import actor, referenced, referenced_jurisdiction, require_any
from panhuo.core.schemas import ERRORS, BusinessDate, Id, Text
from panhuo.organisation import policy
from panhuo.organisation import taskforce as tf
from panhuo.organisation.models import TaskForceMember

router = Router(tags=["organisation"])

PositionIn = StrEnum("PositionIn", {v: v for v in TaskForceMember.Position.values})
BureauIn = StrEnum("BureauIn", {v: v for v in TaskForceMember.Bureau.values})


class MemberOut(Schema):
    id: int
    user: int = Field(alias="user_id")
    username: str = Field(alias="user.username")
    full_name: str
    position: str
    seconded_from: str
    joined_on: dt.date
    left_on: dt.date | None
    current: bool
    assignment: int | None = Field(None, alias="assignment_id")

    @staticmethod
    def resolve_full_name(obj):
        return obj.user.get_full_name()


class TaskForceOut(Schema):
    id: int
    jurisdiction: int = Field(alias="jurisdiction_id")
    name: str
    name_en: str
    document_number: str = Field(description="The founding document's number (文号).")
    established_on: dt.date = Field(description="The founding date.")
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj):
        return list(tf.members_of(obj))


class TaskForceIn(Schema):
    jurisdiction: Id = Field(description="Id of the jurisdiction whose task force this is.")
    name: Text = Field(max_length=200)
    name_en: Text = Field("", max_length=200)
    document_number: Text = Field("", max_length=100)
    established_on: BusinessDate


class MemberIn(Schema):
    task_force: Id
    user: Id = Field(description="Id of the user who joins.")
    position: PositionIn
    seconded_from: BureauIn
    joined_on: BusinessDate | None = Field(None, description="Today when left out.")


class LeaveIn(Schema):
    left_on: BusinessDate | None = Field(None, description="Today when left out.")


class PositionChangeIn(Schema):
    position: PositionIn
    on: BusinessDate | None = Field(None, description="Today when left out.")


def _managed_place(user, pk):
    return policy.jurisdictions_for(user, "taskforce", "manage").get(pk=pk)


def _member(request: HttpRequest, member_id: int) -> TaskForceMember:
    return referenced("member_id", "member", tf.get_member_for, actor(request), member_id)


@router.get("/taskforce", response={200: list[TaskForceOut], **ERRORS})
def taskforce_index(request: HttpRequest):
    """The task forces the caller may see, with their members now and past."""
    require_any(request, "taskforce", "view")
    return list(tf.task_forces_for(actor(request)))


@router.post("/taskforce", response={200: TaskForceOut, **ERRORS})
def taskforce_set(request: HttpRequest, payload: TaskForceIn):
    """Found a jurisdiction's task force, or correct its name and founding document."""
    require_any(request, "taskforce", "manage")
    user = actor(request)
    place = referenced_jurisdiction(user, payload.jurisdiction, _managed_place)
    data = payload.dict(exclude={"jurisdiction"})
    return tf.taskforce_set(actor=user, jurisdiction=place, **data)


@router.post("/taskforce/members", response={201: MemberOut, **ERRORS})
def taskforce_member_join(request: HttpRequest, payload: MemberIn):
    """A user joins the task force; the role of their position starts over its jurisdiction."""
    require_any(request, "taskforce", "manage")
    user = actor(request)
    task_force = referenced(
        "task_force", "task force", tf.get_task_force_for, user, payload.task_force
    )
    policy.require(user, "taskforce", "manage", jurisdiction=task_force.jurisdiction)
    person = referenced(
        "user", "user", lambda u, i: tf.people_of(task_force).get(pk=i), user, payload.user
    )
    member = tf.member_join(
        actor=user,
        task_force=task_force,
        user=person,
        position=str(payload.position),
        seconded_from=str(payload.seconded_from),
        joined_on=payload.joined_on,
    )
    return Status(201, member)


@router.post("/taskforce/members/{member_id}/leave", response={200: MemberOut, **ERRORS})
def taskforce_member_leave(request: HttpRequest, member_id: Id, payload: LeaveIn):
    """The member leaves; the role their membership started ends."""
    require_any(request, "taskforce", "manage")
    member = _member(request, member_id)
    return tf.member_leave(actor=actor(request), member=member, left_on=payload.left_on)


@router.post("/taskforce/members/{member_id}/position", response={200: MemberOut, **ERRORS})
def taskforce_member_position(request: HttpRequest, member_id: Id, payload: PositionChangeIn):
    """The member moves to another position: the membership closes and the next one opens
    (returned), the old role ending and the new one starting."""
    require_any(request, "taskforce", "manage")
    member = _member(request, member_id)
    return tf.member_change_position(
        actor=actor(request), member=member, position=str(payload.position), on=payload.on
    )
