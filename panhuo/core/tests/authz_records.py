"""The records and requests of the authorization matrix (authz_support.py): one record of
every kind an endpoint names, all in district A, and how a request is filled from them: path
parameters, required query parameters, and a body that passes the API schema."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from panhuo.core.testing import World, make_user
from panhuo.organisation.models import Role, RoleAssignment

if TYPE_CHECKING:
    from panhuo.core.tests.authz_discovery import Endpoint

#: Record ids named in request bodies and queries (by field name): district A's, unit U1's.
BODY_REFS = {
    "unit": "unit",
    "jurisdiction": "district",
    "package": "package_free",
    "project": "concluded",
    "receipt": "receipt",
    "debt": "debt",
    "asset": "asset_free",
    "asset_ids": "asset_free",
    "target_id": "asset",
    "parent": "district",
    "task_force": "task_force",
    "user": "tf_candidate",
    "record_id": "asset",
    "scorecard": "issued_scorecard",
}
#: Other values a body or query needs to reach the permission check with a real record.
BODY_VALUES = {
    "year": lambda: timezone.localdate().year,  # the fiscal inputs entered for district A
    "to_user": lambda: "deputy2",  # a delegate who exists
    # Approve: a rejection's missing comment is refused before who may decide is asked.
    "approve": lambda: True,
}


# --- The records -------------------------------------------------------------------------------


@dataclass
class Records:
    w: World
    objects: dict[str, Any] = field(default_factory=dict)

    def pk(self, ref: str) -> str:
        """A record's id by its name here, or a literal written in quotes: ``'submit'``."""
        if ref.startswith("'") and ref.endswith("'"):
            return ref[1:-1]
        if ref not in self.objects:
            raise KeyError(f"no record named {ref!r} (quote literals: '{ref}')")
        return str(self.objects[ref].pk)


def build_records(w: World) -> Records:
    """One record of every kind an endpoint names, all in district A (unit U1 where records
    have a unit), made by the roles that would, through the services; reuses the records of
    the API tests (api_support, the register's depth tests, the approvals' support)."""
    from panhuo.approvals import services as aps
    from panhuo.approvals.tests.support import ask, two_step_above_ten_million
    from panhuo.core.tests.authz_support import OUTSIDER_ROLES
    from panhuo.integrity.document_services import document_upload
    from panhuo.integrity.tests.document_support import pdf_bytes, upload
    from panhuo.organisation.services import api_token_create
    from panhuo.pricing.models import Valuation
    from panhuo.register.tests.api_depth_support import Depth

    outsider = make_user("outsider_all", OUTSIDER_ROLES[0], w.other_district)
    for role in OUTSIDER_ROLES[1:]:
        RoleAssignment.objects.create(user=outsider, role=role, jurisdiction=w.other_district)
    w.users["outsider_all"] = outsider
    # The site administrator of district A; what they manage there: deputy2 and their role.
    w.users["siteadmin"] = make_user("siteadmin", Role.SITE_ADMIN, w.district)
    managed = w.user("deputy2")

    d = Depth(w)
    aw = d.aw
    office = w.user("office")
    token, _key = api_token_create(actor=office, user=office, name="authz")
    chain = two_step_above_ten_million(w)
    approval = ask(w)
    now = timezone.now()
    delegation = aps.delegation_set(
        actor=w.user("head"),
        to_user=w.user("office2"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=5),
        purposes=["price_exception"],
    )
    document = document_upload(
        actor=office,
        target=aw.asset,
        kind="appraisal_report",
        title="Appraisal report",
        file=upload("report.pdf", pdf_bytes()),
    )
    from panhuo.finance.debts.fiscal import fiscal_inputs_set
    from panhuo.finance.deposits.services import deposit_receive
    from panhuo.finance.securities.services import security_create

    fiscal_inputs_set(
        actor=w.user("finance"),
        jurisdiction=w.district,
        year=timezone.localdate().year,
        comprehensive_fiscal_capacity=Decimal("800000000.00"),
        budget_expenditure=Decimal("900000000.00"),
    )
    deposit = deposit_receive(
        actor=w.user("finance"),
        project=aw.concluded,
        bidder="Bidder Ltd",
        amount=Decimal("100000.00"),
        received_on=timezone.localdate(),
        voucher="D-AUTHZ-1",
    )
    security = security_create(
        actor=w.user("finance"),
        debt=aw.debt,
        kind="guarantee",
        amount=Decimal("1000000.00"),
        valid_from=dt.date(2020, 1, 1),
        guarantor="Guarantee Co.",
    )
    from panhuo.finance.debts.repayments import repayment_create

    repayment = repayment_create(
        actor=w.user("finance"), debt=aw.debt, source="budget", amount=Decimal("1000.00"),
        repaid_on=aw.debt.issue_date, document="AUTHZ-1",
    )  # fmt: skip
    from panhuo.register import imports

    debt_run = imports.import_run_create(
        actor=w.user("finance"),
        upload=io.BytesIO(b"code,creditor\nD-1,Bank\n"),
        filename="debts.csv",
        target="debts",
    )
    fiscal_run = imports.import_run_create(
        actor=w.user("finance"),
        upload=io.BytesIO(b"jurisdiction,year,gdp\nD1,2024,100\n"),
        filename="fiscal.csv",
        target="fiscal",
    )
    unit_run = imports.import_run_create(
        actor=w.user("siteadmin"),
        upload=io.BytesIO(b"credit_code,jurisdiction\nX,1\n"),
        filename="units.csv",
        target="units",
    )
    user_run = imports.import_run_create(
        actor=w.user("siteadmin"),
        upload=io.BytesIO(b"username,role\nx,office\n"),
        filename="users.csv",
        target="users",
    )
    from panhuo.core import calendars

    calendar_day = calendars.calendar_day_set(
        actor=office, date=dt.date(2027, 1, 5), working=False, note="authz",
        jurisdiction=w.district,
    )  # fmt: skip
    calendar_notice = calendars.calendar_notice_load(
        actor=office, year=2028, source="authz", text="2028-01-03, holiday",
        jurisdiction=w.district,
    )  # fmt: skip
    from panhuo.organisation import taskforce
    from panhuo.organisation.models import TaskForce

    task_force = TaskForce.objects.get(jurisdiction=w.district)
    # deputy2 already holds the deputy role: the membership starts none (their one assignment
    # stays the site administrator's record below).
    tf_member = taskforce.member_join(
        actor=w.user("siteadmin"), task_force=task_force, user=managed, position="deputy",
        seconded_from="state_asset",
    )  # fmt: skip
    from panhuo.portal.services import announcement_publish

    announcement = announcement_publish(
        actor=office, jurisdiction=w.district, kind="progress", title="Progress", body="Lots sold."
    )
    from panhuo.bidders import services as bidder_services
    from panhuo.bidders.tests.factories import make_bidder

    # The bidder column's own registration, verified by district A's office, with a relation
    # declared before verification.
    bidder_record = make_bidder(w.user("bidder"), w.district)
    bidder_relation = bidder_services.relation_add(
        actor=w.user("bidder"), bidder=bidder_record, kind="relative", who="authz"
    )
    bidder_record = bidder_services.bidder_transition(office, bidder_record, "verified")
    from panhuo.auctions.services import lot_register
    from panhuo.auctions.tests.support import list_a_project, make_lot

    # A lot open for bids, and district A's bidder registered for it as a verified bidder
    # (their deposit due, not confirmed: a bid is refused with the reason, 400).
    lot = make_lot(w, list_a_project(w), start=now - dt.timedelta(minutes=5), minutes=60 * 24 * 30)
    lot_register(actor=w.user("bidder"), lot_id=lot.pk)
    from panhuo.findings.services import finding_raise

    finding = finding_raise(
        actor=w.user("auditor"), record_kind="asset", record_id=aw.asset.pk, title="Authz",
        description="A finding on district A's asset.",
    )  # fmt: skip
    from panhuo.flags.models import Flag

    # An open red flag on district A's concluded sale (written directly: the matrix tests who
    # may see and resolve it, not the rules).
    flag = Flag.objects.create(
        rule="deal_below_appraisal", severity="medium", jurisdiction=w.district, unit=w.unit,
        subject_type="disposal.disposalproject", subject_id=str(aw.concluded.pk),
        subject_label=str(aw.concluded), evidence={"deal": "1.00"}, fingerprint="authz",
        first_seen=now, last_seen=now,
    )  # fmt: skip
    from panhuo.decisions.models import ScenarioRun

    # A stored scenario run of district A (written directly: the matrix place has no pipeline).
    scenario_run = ScenarioRun.objects.create(
        title="Authz", jurisdiction=w.district, on=timezone.localdate(), seed=1, scenarios=100,
        params={"seed": 1}, worst_miss=1, ran_by=office,
        result={"periods": [{"period": 1, "starts": "2026-01-01", "plan": "0.00", "p5": "0.00",
                             "p50": "0.00", "p95": "0.00", "service": "1.00", "p_missed": 1.0}]},
    )  # fmt: skip
    from panhuo.planning.services import plan_draft
    from panhuo.planning.tests.support import plan_data

    # A draft work plan of district A with targets for units U1 and U2.
    plan = plan_draft(actor=office, jurisdiction=w.district, data=plan_data(w, year=2031))
    from panhuo.scorecards.services import decision_propose, scorecards_issue
    from panhuo.scorecards.tests.support import approved_plan

    # District A's approved plan for this year, its year's scorecards issued and a criticism
    # of U1 proposed to the head.
    scored_plan = approved_plan(w)
    issued = scorecards_issue(actor=office, plan=scored_plan, period="Y")
    issued_u1 = next(sc for sc in issued if sc.unit_id == w.unit.pk)
    score_decision = decision_propose(actor=office, scorecard=issued_u1, kind="criticism",
                                      reason="Authz")  # fmt: skip
    from panhuo.reports.services import generate as report_generate

    # A stored monthly report of district A (its figures and files).
    report = report_generate(actor=office, kind="monthly", jurisdiction=w.district,
                             as_of=timezone.localdate())  # fmt: skip
    from panhuo.decisions.optimiser.models import OptimiserRun

    # A done optimiser run of district A with no plan (issue 20): adopting it is refused.
    optimiser_run = OptimiserRun.objects.create(jurisdiction=w.district, on=timezone.localdate(),
                                                created_by=office, status="done")  # fmt: skip
    objects = {
        "optimiser_run": optimiser_run,
        "scored_plan": scored_plan,
        "issued_scorecard": issued_u1,
        "score_decision": score_decision,
        "plan": plan,
        "plan_task": plan.tasks.get(),
        "report": report,
        "flag": flag,
        "scenario_run": scenario_run,
        "finding": finding,
        "lot": lot,
        "bidder_record": bidder_record,
        "bidder_relation": bidder_relation,
        "district": w.district,
        "task_force": task_force,
        "tf_member": tf_member,
        "tf_candidate": w.user("office2"),
        "unit": w.unit,
        "asset": aw.asset,
        "asset_free": aw.asset_free,
        "package": aw.package,
        "package_free": aw.package_free,
        "project": aw.project,
        "concluded": aw.concluded,
        "receipt": aw.receipt,
        "debt": aw.debt,
        "allocation": aw.allocation,
        "repayment": repayment,
        "encumbrance": d.encumbrance,
        "mapping": d.mapping,
        "run": d.run,
        "decision": d.decision,
        "saved_filter": d.saved_filter,
        "token": token,
        "valuation": Valuation.objects.filter(asset=aw.asset).earliest("pk"),
        "chain": chain,
        "approval": approval,
        "delegation": delegation,
        "document": document,
        "deposit": deposit,
        "security": security,
        "debt_run": debt_run,
        "fiscal_run": fiscal_run,
        "unit_run": unit_run,
        "user_run": user_run,
        "calendar_day": calendar_day,
        "calendar_notice": calendar_notice,
        "managed_user": managed,
        "assignment": managed.assignments.get(),
        "announcement": announcement,
    }
    return Records(w, objects)


# --- Requests ----------------------------------------------------------------------------------


def url_for(endpoint: Endpoint, args: dict[str, str], rec: Records) -> str:
    """The endpoint's URL with its path parameters filled from the records."""
    from panhuo.core.tests.authz_support import DEFAULT_ARGS

    values = {}
    for name in endpoint.params:
        ref = args.get(name) or DEFAULT_ARGS.get(name)
        if ref is None:
            raise KeyError(f"{endpoint.key}: no record for path parameter {name!r} (args column)")
        values[name] = rec.pk(ref)
    if endpoint.api is not None:
        return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], endpoint.route)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], endpoint.route)


def _resolve_ref(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve_ref(schema["allOf"][0], components)
    return schema


def example(name: str, schema: dict, components: dict, rec: Records) -> Any:
    """A value of ``schema`` that the schema accepts: the smallest that is valid, with record
    ids of district A for the fields that name a record."""
    schema = _resolve_ref(schema, components)
    if name in BODY_VALUES:
        return BODY_VALUES[name]()
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example(name, options[0], components, rec)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "integer":
        if name in BODY_REFS:
            return rec.objects[BODY_REFS[name]].pk
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        if name in BODY_REFS:
            return [rec.objects[BODY_REFS[name]].pk]
        count = max(schema.get("minItems", 0), 1)
        return [example(name, schema.get("items", {}), components, rec) for _ in range(count)]
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        props = schema.get("properties", {})
        return {k: example(k, props[k], components, rec) for k in required}
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return timezone.localdate().isoformat()
        if fmt == "date-time":
            return timezone.now().isoformat()
        if fmt == "binary":
            return SimpleUploadedFile("authz.csv", b"code,name\n")
        if "pattern" in schema:
            return "1.00"  # the only patterns are decimal text (money, rates)
        return "authz"[: schema.get("maxLength", 5)] or "a"
    return None


def request_kwargs(endpoint: Endpoint, args: dict[str, str], rec: Records) -> dict[str, Any]:
    """For the API: the required query parameters and a body the schema accepts.
    For pages: an empty form (a POST then shows the form's errors to whoever may send it).
    The row's ``args`` may add query parameters (``?asset=asset``: a record's id, or a quoted
    literal) and, for a page, form fields (``+decision='approve'``)."""
    extra = {k[1:]: rec.pk(v) for k, v in args.items() if k.startswith("?")}
    form = {k[1:]: rec.pk(v) for k, v in args.items() if k.startswith("+")}
    op = endpoint.api
    if op is None:
        kwargs: dict[str, Any] = {"data": form} if endpoint.method == "POST" else {}
        if extra:
            kwargs["QUERY_STRING"] = urlencode(extra)
        return kwargs
    from panhuo.core.tests.authz_discovery import openapi

    components = openapi()["components"]["schemas"]
    query = {
        p["name"]: example(p["name"], p["schema"], components, rec)
        for p in op.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    kwargs = {"QUERY_STRING": urlencode({**query, **extra})}
    body = op.get("requestBody")
    if body:
        content = body["content"]
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            kwargs["data"] = json.dumps(example("body", schema, components, rec))
            kwargs["content_type"] = "application/json"
        else:
            schema = content["multipart/form-data"]["schema"]
            kwargs["data"] = example("form", schema, components, rec)
    return kwargs
