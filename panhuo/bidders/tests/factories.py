"""Builders for tests that need bidders (this app's and the auctions'): valid identity numbers
and registered bidders in any status, made through the services."""

from __future__ import annotations

import itertools

from panhuo.bidders import services
from panhuo.bidders.identity import id_check_char
from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.organisation.credit_code import credit_code_check_char

_seq = itertools.count(1)


def id_number(n: int | None = None, *, born: str = "19800101", place: str = "110105") -> str:
    """A valid resident ID number (the n-th of a place and birth date)."""
    n = next(_seq) if n is None else n
    first17 = f"{place}{born}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def credit_code(n: int | None = None) -> str:
    """A valid unified social credit code (the n-th)."""
    n = next(_seq) if n is None else n
    first17 = f"91110105{n % 10**9:09d}"
    return first17 + credit_code_check_char(first17)


def person_details(**overrides) -> dict:
    return {
        "kind": "person",
        "name": "张伟",
        "id_number": id_number(),
        "phone": "13800138000",
        "address": "北京市朝阳区建国路 1 号",
        "bank_name": "中国工商银行",
        "bank_account": "6222020200112233445",
        **overrides,
    }


def company_details(**overrides) -> dict:
    return {
        "kind": "company",
        "name": "北京市某某贸易有限公司",
        "credit_code": credit_code(),
        "phone": "010-88886666",
        "address": "北京市海淀区中关村大街 27 号",
        **overrides,
    }


def make_bidder(user, place, *, status: str = BidderStatus.PENDING, office=None, **details):
    """``user`` registered as a bidder with ``place``'s office (a person unless ``details``
    say otherwise), then verified (by ``office``) and moved on to ``status``."""
    fields = person_details(**details) if details.get("kind", "person") == "person" else details
    b = services.register_bidder(actor=user, user=user, jurisdiction=place, **fields)
    path = {
        BidderStatus.PENDING: [],
        BidderStatus.VERIFIED: ["verified"],
        BidderStatus.REJECTED: ["rejected"],
        BidderStatus.SUSPENDED: ["verified", "suspended"],
    }[BidderStatus(status)]
    for to in path:
        b = services.bidder_transition(office, b, to, "test")
    return Bidder.objects.get(pk=b.pk)
