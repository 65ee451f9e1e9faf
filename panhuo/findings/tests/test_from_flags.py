"""Findings and red flags: a flag's page (the flags app's) offers the auditor "Raise a finding"
on the flagged record with the flag named; a flag the auditor cannot see is refused; the
statistics count the flags per rule and the findings raised from them. The flags' own rows
are written only by their app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from panhuo.findings import services as fs
from panhuo.findings.tests.support import audited_rows
from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.tests.builders import sale


def _client(w, who):
    c = Client()
    c.force_login(w.user(who))
    return c


def test_a_finding_raised_from_a_flag(world):
    project = sale(world, deal=Decimal("700000.00"))
    other = sale(world, deal=Decimal("600000.00"), unit=world.other_unit)
    engine.recompute(rules=["deal_below_appraisal"])
    flag = Flag.objects.get(subject_id=str(project.pk))
    hidden = Flag.objects.get(subject_id=str(other.pk))  # district B's
    rows = audited_rows()
    auditor = _client(world, "auditor")
    page = (
        auditor.get(reverse("flag-detail", args=[flag.pk])).content.decode().replace("&amp;", "&")
    )
    url = (
        reverse("finding-create") + f"?record_kind=project&record_id={project.pk}&flag_id={flag.pk}"
    )
    assert url in page
    assert (
        "raise-finding"
        not in _client(world, "office").get(reverse("flag-detail", args=[flag.pk])).content.decode()
    )
    form = auditor.get(url)
    assert form.context["form"].initial["flag_id"] == str(flag.pk)
    r = auditor.post(
        url,
        {
            "record_kind": "project",
            "record_id": project.pk,
            "flag_id": flag.pk,
            "title": "Under-priced",
            "severity": "high",
            "description": "30 % below",
        },
    )
    assert r.status_code == 302
    finding = fs.finding_raise  # the service refuses a flag out of reach, naming the field
    with pytest.raises(ValidationError) as exc:
        finding(actor=world.user("auditor"), record_kind="project", record_id=project.pk,
                title="t", description="d", flag_id=hidden.pk)  # fmt: skip
    assert "flag_id" in exc.value.message_dict
    page = auditor.get(reverse("flag-detail", args=[flag.pk])).content.decode()
    assert "Findings on this record (1)" in page
    listed = auditor.get(reverse("finding-list") + f"?flag_id={flag.pk}")
    assert [f.title for f in listed.context["page"]] == ["Under-priced"]
    stats = auditor.get(reverse("finding-stats"))
    row = next(r for r in stats.context["flag_rows"] if r["rule"] == "deal_below_appraisal")
    assert (row["total"], row["open"], row["findings"]) == (1, 1, 1)  # district A's only
    assert audited_rows() == rows
    assert Flag.objects.get(pk=flag.pk).status == "open"  # raising a finding resolves nothing
