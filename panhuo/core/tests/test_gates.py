"""A refusing gate names its rule, source and the way through, in the user's language, and the
API carries them in its error body."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from panhuo.core.gates import RULES, GateRefused, rule

SAMPLE = rule(
    "sample_gate",
    _("Approve"),
    "Order 32 art. 13",
    owner="core",
)


def _refusal() -> GateRefused:
    return GateRefused(
        SAMPLE,
        field="listed_on",
        message="Listed %(days)s days ago.",
        unblock="give a reason",
        params={"days": 3},
    )


def test_rule_registers_once_and_returns_the_first():
    again = rule("sample_gate", _("Other"), "elsewhere")
    assert again is SAMPLE
    assert RULES["sample_gate"].source == "Order 32 art. 13"


def test_refusal_names_field_rule_source_and_unblock_in_english():
    with translation.override("en"):
        exc = _refusal()
    assert list(exc.message_dict) == ["listed_on"]
    text = exc.message_dict["listed_on"][0]
    assert text.startswith("[sample_gate · Order 32 art. 13] Listed 3 days ago.")
    assert text.endswith("To proceed: give a reason")
    assert exc.error_dict["listed_on"][0].code == "sample_gate"
    assert exc.as_json() == {
        "rule": "sample_gate",
        "source": "Order 32 art. 13",
        "field": "listed_on",
        "unblock": "give a reason",
    }


def test_refusal_frame_is_chinese_under_zh_hans():
    with translation.override("zh-hans"):
        text = _refusal().message_dict["listed_on"][0]
    assert text.startswith("［规则 sample_gate · 依据 Order 32 art. 13］")
    assert "如需继续：give a reason" in text


def test_refusal_without_unblock_has_no_hint():
    with translation.override("en"):
        exc = GateRefused(SAMPLE, field="x", message="No.")
    assert "To proceed" not in exc.message_dict["x"][0]
    assert exc.as_json()["unblock"] == ""
