"""Refusals read as sentences in both languages (issue 13: "You may not rules scopes.",
"priceruless")."""

from __future__ import annotations

import pytest
from django.utils import translation

from panhuo.core.tests.api_support import call, client_for
from panhuo.organisation import policy


def test_refusals_name_the_action_and_the_resource_in_words():
    assert policy.refusal("scope", "rules", one=False) == "You may not set the rules of the scope."
    assert policy.refusal("pricerules", "edit", one=False) == "You may not edit price rules."
    assert policy.refusal("asset", "edit") == "You may not edit this asset."
    assert policy.refusal("project", "publish_result") == "You may not publish result this project."
    with translation.override("zh-hans"):
        assert policy.refusal("pricerules", "edit", one=False) == "您无权编辑定价规则。"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/price-rules?jurisdiction={district}", "You may not view price rules."),
        ("/api/v1/scope/rules?jurisdiction={district}", "You may not view the scope."),
    ],
)
def test_the_api_refusal_is_a_sentence(world, url, expected):
    r = call(client_for(world, "bidder"), "GET", url.format(district=world.district.pk))
    assert r.status_code == 403, r.content
    assert r.json()["detail"] == expected
