"""The OCDS releases of the small demo: every disposal's release package and record validate
against the OCDS 1.1 schema with Panhuo's extension merged in (offline), and every released
value is one the notice published."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import Client

from panhuo.opendata import releases, schema
from panhuo.portal.models import Notice, NoticeKind

#: Release paths that are structure or identifiers, not published values (checked otherwise).
STRUCTURE = {
    "ocid", "id", "date", "tag", "initiationType", "language", "parties/id", "parties/roles",
    "tender/id", "tender/status", "tender/procurementMethod", "tender/procurementMethodDetails",
    "tender/items/id", "tender/items/classification/scheme",
    "tender/items/classification/description", "tender/items/unit/name", "awards/id",
    "awards/status", "contracts/id", "contracts/awardID", "contracts/status",
    "tender/documents/url", "planning/appraisal/currency", "tender/reservePrice/currency",
    "awards/value/currency", "contracts/value/currency",
}  # fmt: skip


def _leaves(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}/{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value


def _normal(value) -> str:
    """A value as the notice and the release can both be compared: amounts as decimals of two
    places, date-times as their day."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return str(Decimal(repr(value)).quantize(Decimal("0.01")))
    text = str(value)
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
        return text[:10]
    try:
        return str(Decimal(text).quantize(Decimal("0.01")))
    except ArithmeticError:
        return text


def _processes() -> list[str]:
    return sorted(
        {releases.ocid(n) for n in Notice.objects.select_related("project", "jurisdiction")}
    )


def test_every_demo_disposal_validates(small_demo, client: Client):
    """Issue 17 done-when: the OCDS releases of every demo disposal validate (release package,
    record package, each release and each compiled release)."""
    processes = _processes()
    assert len(processes) >= 3
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert kinds == {NoticeKind.LISTING, NoticeKind.RESULT}
    tags = set()
    for ocid in processes:
        package = client.get(f"/open-data/releases/{ocid}.json")
        assert package.status_code == 200, ocid
        data = package.json()
        assert schema.errors(data, "release-package") == [], ocid
        assert data["releases"] and all(r["ocid"] == ocid for r in data["releases"])
        tags |= {t for r in data["releases"] for t in r["tag"]}
        record = client.get(f"/open-data/records/{ocid}.json").json()
        assert schema.errors(record, "record-package") == [], ocid
        compiled = record["records"][0]["compiledRelease"]
        assert schema.errors(compiled, "release") == [], ocid
        assert compiled["tag"] == ["compiled"]
    assert {"planning", "tender", "award", "contract", "implementation"} <= tags


def test_only_published_values_are_released(small_demo):
    """Every value of every release is structure (ids, codes, tags) or a value the notice's
    revision published (``Notice.data``): nothing else of a project, asset or unit leaves."""
    checked = 0
    for notice in Notice.objects.select_related("project", "jurisdiction"):
        published = {_normal(v) for _, v in _leaves(notice.data)}
        for path, value in _leaves(releases.release(notice, "https://example.org")):
            if path in STRUCTURE:
                continue
            assert _normal(value) in published, (notice.code, path, value)
            checked += 1
    assert checked > 50


def test_the_extension_is_merged_and_formats_are_checked(small_demo):
    """The validator is not a rubber stamp: the extension's fields are typed, its codelist is
    closed, and a date-time without a zone or an amount as text is refused."""
    notice = (
        Notice.objects.filter(kind=NoticeKind.LISTING)
        .select_related("project", "jurisdiction")
        .first()
    )
    good = releases.release(notice, "https://example.org")
    assert schema.errors(good, "release") == []
    assert good["tender"]["disposalChannel"] == notice.data["channel"]
    bad = json.loads(json.dumps(good))
    bad["tender"]["disposalChannel"] = "barter"
    bad["tender"]["reservePrice"]["amount"] = "100"
    bad["date"] = "2026-01-01T00:00:00"
    found = "\n".join(schema.errors(bad, "release"))
    assert "tender/disposalChannel" in found
    assert "tender/reservePrice/amount" in found
    assert "date:" in found


def test_releases_are_stable_and_dated_with_a_zone(small_demo, settings):
    notice = Notice.objects.select_related("project", "jurisdiction").first()
    first = releases.release(notice, "https://example.org")
    assert first == releases.release(notice, "https://example.org")
    assert first["ocid"] == f"ocds-panhuo-{notice.jurisdiction.code}-{notice.project.code}"
    assert first["date"].endswith("+08:00")
    settings.PANHUO = {**settings.PANHUO, "OCDS_PREFIX": "ocds-abc123-"}
    assert releases.release(notice, "https://example.org")["ocid"].startswith("ocds-abc123-")
