"""Issue 14's "Done when", clicked through in a real Chromium: on an empty database (no demo),
following README's "Start your own place" with the files in docs/start/, a district is set up
(``panhuo setup``), its site administrator imports its units and people, the office imports
its register, finance its debts and revenue, and nothing of the demo is anywhere.

The imports run as in production: uploaded on their pages, queued, run by ``panhuo worker``
(here ``--batch``, between the clicks) and read on the run's page.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from panhuo.core.tests.test_browser import chromium, new_page
from panhuo.finance.models import Debt
from panhuo.integrity.models import AuditEntry
from panhuo.monitor.models import RevenueRecord
from panhuo.organisation.models import Jurisdiction, Unit, User
from panhuo.register.models import Asset

START = Path(__file__).resolve().parents[3] / "docs" / "start"
NEW_PASSWORD = "Lixia-own-password-2027"


@pytest.fixture
def browser(monkeypatch, transactional_db):
    with chromium(monkeypatch) as browser:
        yield browser


def first_sign_in(browser, base: str, username: str, password: str):
    """Sign in with a one-time password and choose one's own, as the site makes everyone do."""
    page = new_page(browser)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(re.compile(r"/password/"))
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def upload(page, base: str, path: str, name: str, commit_choice: str = "commit") -> None:
    """Upload ``name`` from docs/start on an import page (the register's form) to import it."""
    page.goto(f"{base}{path}")
    page.set_input_files("#id_file", str(START / name))
    page.check(f"input[name=run][value={commit_choice}]")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/import/runs/\d+/$"))


def run_worker_and_read(page) -> str:
    """Let the worker run the queued import, then read the run's page."""
    call_command("worker", batch=True, verbosity=0)
    page.reload()
    return page.inner_text("main")


@pytest.mark.browser
def test_a_district_starts_on_panhuo_without_the_demo(live_server, browser):
    base = live_server.url
    assert not Jurisdiction.objects.exists() and not Unit.objects.exists()

    # 1. panhuo setup: the jurisdiction tree and the site administrator, whose password the
    # command prints once.
    out = io.StringIO()
    call_command("setup", file=str(START / "place.yaml"), stdout=out)
    admin_password = re.search(r"^\s*sunli\t(\S+)$", out.getvalue(), re.M).group(1)

    # 2. The site administrator imports the units, then the people, on their pages.
    admin = first_sign_in(browser, base, "sunli", admin_password)
    admin.goto(f"{base}/organisation/units/")
    admin.click("text=Import holding units")
    admin.wait_for_url(f"{base}/organisation/import/units/")
    upload(admin, base, "/organisation/import/units/", "units.csv")
    assert "Imported. Every row was written." in run_worker_and_read(admin)
    admin.goto(f"{base}/organisation/units/")
    assert "济南市历下区机关事务服务中心" in admin.inner_text("main")
    upload(admin, base, "/organisation/import/users/", "users.csv")
    text = run_worker_and_read(admin)
    assert "Imported. Every row was written." in text
    passwords = dict(
        (row.locator("th").inner_text().strip(), row.locator("code").inner_text().strip())
        for row in admin.locator("[data-testid=passwords] tbody tr").all()
    )
    assert set(passwords) == {"wangjianguo", "lina", "zhangwei", "zhaomin"}
    admin.reload()  # shown once
    assert admin.locator("[data-testid=passwords]").count() == 0

    # 3. The office imports the register.
    office = first_sign_in(browser, base, "lina", passwords["lina"])
    upload(office, base, "/assets/import/", "assets.csv")
    assert "Imported. Every row was written." in run_worker_and_read(office)
    office.goto(f"{base}/assets/")
    listed = office.inner_text("main")
    assert "历山路12号办公楼" in listed and "公务用车鲁A·G1234" in listed

    # 4. Finance imports the debts and the revenue figures.
    finance = first_sign_in(browser, base, "zhangwei", passwords["zhangwei"])
    upload(finance, base, "/assets/import/debts/", "debts.csv")
    assert "Imported. Every row was written." in run_worker_and_read(finance)
    finance.goto(f"{base}/debts/")
    assert "LX-ZW-2024-01" in finance.inner_text("main")
    finance.goto(f"{base}/monitor/revenue/import/")
    finance.set_input_files("#id_file", str(START / "revenue.csv"))
    finance.select_option("#id_mode", "commit")
    finance.click("main form button[type=submit]")
    finance.wait_for_load_state()
    assert "The figures were written." in finance.inner_text("body")

    # 5. Only the place's own data, nothing of the demo's, anywhere.
    assert sorted(Jurisdiction.objects.values_list("code", flat=True)) == [
        "370000", "370100", "370102",
    ]  # fmt: skip
    assert Unit.objects.count() == 3
    assert set(Asset.objects.values_list("code", flat=True)) == {
        "LX-ZC-0001", "LX-ZC-0002", "LX-ZC-0003",
    }  # fmt: skip
    assert set(Debt.objects.values_list("code", flat=True)) == {"LX-ZW-2024-01", "LX-ZW-2023-07"}
    assert RevenueRecord.objects.count() == 3
    people = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    assert {"sunli", "wangjianguo", "lina", "zhangwei", "zhaomin"} <= people
    assert not User.objects.filter(username__in=["office", "finance", "head"]).exists()
    assert AuditEntry.objects.filter(action="unit.create").count() == 3
