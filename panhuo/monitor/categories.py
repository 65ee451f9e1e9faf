"""The revenue classification as seeded, and lookups of categories by code or name.

The tree (code, English name, Chinese name, children) follows the budget's own classification:
general public budget revenue is tax plus non-tax revenue; government fund revenue is mostly
land-use right sales. The seed migration writes it; jurisdictions may add items later.
"""

from __future__ import annotations

from dataclasses import dataclass

#: (code, English name, Chinese name, [(code, English, Chinese), ...]) per budget.
TREE: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("tax", "Tax revenue", "税收收入", [
        ("vat", "Value-added tax", "增值税"),
        ("corporate_income_tax", "Corporate income tax", "企业所得税"),
        ("individual_income_tax", "Individual income tax", "个人所得税"),
        ("deed_tax", "Deed tax", "契税"),
        ("land_vat", "Land value-added tax", "土地增值税"),
        ("urban_land_use_tax", "Urban land use tax", "城镇土地使用税"),
        ("property_tax", "Property tax", "房产税"),
        ("other_taxes", "Other taxes", "其他税收收入"),
    ]),
    ("non_tax", "Non-tax revenue", "非税收入", [
        ("fees", "Administrative fees", "行政事业性收费收入"),
        ("fines", "Fines and confiscations", "罚没收入"),
        ("state_assets", "State-owned resource and asset income", "国有资源（资产）有偿使用收入"),
        ("other_non_tax", "Other non-tax revenue", "其他非税收入"),
    ]),
    ("fund", "Government fund revenue", "政府性基金收入", [
        ("land_sales", "Land-use right sales", "国有土地使用权出让收入"),
        ("other_fund", "Other government fund revenue", "其他政府性基金收入"),
    ]),
]  # fmt: skip

#: The codes the figures and alerts depend on.
TAX, NON_TAX, FUND = "tax", "non_tax", "fund"
FINES, LAND_SALES = "fines", "land_sales"
BUDGETS = (TAX, NON_TAX, FUND)


@dataclass(frozen=True)
class Node:
    """A category as the computations see it: plain values, no database."""

    code: str
    name: str
    name_zh: str
    parent: str | None
    budget: str


def seed_rows() -> list[Node]:
    """Every category of the seeded tree, parents before children."""
    rows: list[Node] = []
    for code, name, zh, children in TREE:
        rows.append(Node(code, name, zh, None, code))
        rows.extend(Node(c, n, z, code, code) for c, n, z in children)
    return rows
