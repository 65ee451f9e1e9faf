"""The demo debts' details as the debt management system records them: bond codes and purposes,
the borrowing units (with well-formed credit codes), the projects and their sectors, where the
repayment is to come from, and the liability class (some loans of the city's investment company
are implicit debt). Drawn from a generator of their own, so the rest of the seed draws as
before."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from panhuo.organisation.credit_code import credit_code_check_char


def _credit(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


#: Borrowing units of the demo's places: state-owned investment companies and a department.
LGFVS = [
    ("河西城市建设投资集团有限公司", _credit("91330106MA2H7Q3C1")),
    ("河西交通投资发展有限公司", _credit("91330106MA2J0K8T4")),
    ("清河水务集团有限公司", _credit("91330100MA27XK0Q1")),
    ("清河文化旅游投资有限公司", _credit("91330100MA2CL1N62")),
]
DEPARTMENT = ("河西区住房和城乡建设局", _credit("11330106002478563"))

#: Projects that special bonds and loans finance: (name, sector, repayment source).
PROJECTS = [
    ("城东片区棚户区改造项目", "shanty_town", "fund_budget"),
    ("清河经济开发区标准厂房建设项目", "municipal", "project_income"),
    ("河西区污水处理厂提标改造项目", "environment", "project_income"),
    ("清河市第二人民医院新院区建设项目", "social", "project_income"),
    ("滨江路地下综合管廊项目", "municipal", "project_income"),
    ("河西区保障性租赁住房项目", "housing", "project_income"),
    ("清河冷链物流园项目", "logistics", "project_income"),
    ("国道G320清河段改线工程", "transport", "fund_budget"),
    ("清河灌区续建配套与节水改造项目", "agri_water", "fund_budget"),
    ("河西区土地储备项目", "land_reserve", "fund_budget"),
    ("清河智慧城市数据中心项目", "new_infra", "project_income"),
]
#: What general bonds pay for (from the general budget).
GENERAL_PROJECTS = [
    ("河西区义务教育学校改扩建项目", "social"),
    ("清河市乡村道路提升工程", "transport"),
    ("河西区河道综合治理项目", "environment"),
]


def debt_details(place: str, i: int, debt_type: str, issue: dt.date) -> dict[str, Any]:
    """The details of the ``i``-th demo debt of ``place`` (the same every run)."""
    rng = random.Random(f"debt-details-{place}-{i}")
    out: dict[str, Any] = {}
    if debt_type in ("general_bond", "special_bond"):
        # Local government bond codes: the year's two digits, then the exchange's series.
        series = "05" if debt_type == "general_bond" else "19"
        out["bond_code"] = f"{issue.year % 100:02d}{series}{i:04d}"
        if issue.year <= 2018 and rng.random() < 0.5:
            out["bond_purpose"] = "replacement"  # swapped for older non-bond debt (置换)
        elif rng.random() < 0.3:
            out["bond_purpose"] = "refinancing"
        else:
            out["bond_purpose"] = "new"
        if debt_type == "special_bond":
            # A new bond finances its project; one that refinances or replaces older debt none.
            name, sector, source = rng.choice(PROJECTS)
            if out["bond_purpose"] == "new":
                out.update(project_name=name, project_sector=sector)
            out["repayment_source"] = source if out["bond_purpose"] == "new" else "fund_budget"
        else:
            if out["bond_purpose"] == "new":
                name, sector = rng.choice(GENERAL_PROJECTS)
                out.update(project_name=name, project_sector=sector)
            out["repayment_source"] = "general_budget"
        return out
    if debt_type == "arrears":
        out["borrower"], out["borrower_credit_code"] = DEPARTMENT
        out["repayment_source"] = "general_budget"
        return out
    out["borrower"], out["borrower_credit_code"] = rng.choice(LGFVS)
    if debt_type in ("bank_loan", "hidden") or rng.random() < 0.5:
        name, sector, _source = rng.choice(PROJECTS)
        out.update(project_name=name, project_sector=sector)
    if debt_type == "hidden":
        out["repayment_source"] = "general_budget"  # the government purchase-of-services deal
    elif debt_type == "bank_loan" and rng.random() < 0.25:
        # A loan the audit found the government had promised to repay: implicit debt.
        out.update(liability_class="implicit", repayment_source="general_budget")
    else:
        out["repayment_source"] = rng.choice(["project_income", "own_funds"])
    return out
