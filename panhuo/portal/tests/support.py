"""Records for the portal's tests: a sale listed and one with its result published, with values
planted in every record that no notice publishes (``SECRETS``)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from panhuo.core.testing import AssetFactory, approved, concluded_project, recorded_late
from panhuo.disposal import services as ds
from panhuo.finance.models import Debt
from panhuo.integrity.document_services import document_upload
from panhuo.register.models import Encumbrance

#: Values in the records that the published set leaves out: none may appear on the portal.
SECRETS = {
    "note": "INTERNAL-NOTE-7f3a",
    "book_value": "987654321.12",
    "book_value_shown": "987,654,321.12",
    "holding_cost": "13579.24",
    "credit_code": "91330100MA27X8Q5Z3",
    "unit_code": "UNIT-SECRET-42",
    "asset_code": "ASSET-SECRET-9",
    "encumbrance_holder": "Secret Pledgee Bank",
    "encumbrance_note": "ENC-NOTE-5d2c",
    "buyer": "Hidden Buyer Ltd",
    "private_document": "Private valuation workpapers",
    "creditor": "Creditor-SECRET-Trust",
    "debt_code": "DEBT-SECRET-3",
}

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


_seq = itertools.count(1)


def secret_asset(w, **kw):
    w.unit.code, w.unit.credit_code = SECRETS["unit_code"], SECRETS["credit_code"]
    w.unit.save()
    asset = AssetFactory(
        unit=w.unit, code=f"{SECRETS['asset_code']}-{next(_seq)}",
        book_value=Decimal(SECRETS["book_value"]),
        annual_holding_cost=Decimal(SECRETS["holding_cost"]), certificate_number="CERT-PUBLIC-1",
        **kw,
    )  # fmt: skip
    Encumbrance.objects.create(
        asset=asset, kind="mortgage", holder=SECRETS["encumbrance_holder"],
        amount=Decimal("4444444.44"), until=dt.date(2030, 6, 30), note=SECRETS["encumbrance_note"],
    )  # fmt: skip
    return asset


def listed_project(w, *, name: str = "Binjiang depot lot", documents: bool = True):
    """An auction project listed today (its disclosure runs), with a public photo and a private
    document on its asset."""
    asset = secret_asset(w, name="Binjiang depot", appraisal="6000000.00")
    office = w.user("office")
    package = ds.package_create(
        actor=office, jurisdiction=w.district, name=name, channel="auction", asset_ids=[asset.pk]
    )
    project = ds.project_create(
        actor=office, package=package, reserve_price=Decimal("6000000.00"),
        note=SECRETS["note"], confirm_amount=True,
    )  # fmt: skip
    project = ds.project_transition(actor=office, project=project, transition="submit")
    project = approved(w, project)
    if documents:
        photo = document_upload(
            actor=office, target=asset, kind="other", title="Front of the depot",
            file=SimpleUploadedFile("depot.png", PNG),
        )  # fmt: skip
        document_upload(
            actor=office, target=asset, kind="other", title=SECRETS["private_document"],
            file=SimpleUploadedFile("work.txt", b"book value and contacts\n"),
        )  # fmt: skip
        from panhuo.integrity.document_services import document_set_public

        document_set_public(actor=office, document=photo, public=True)
    return ds.project_transition(
        actor=office, project=project, transition="list", confirm_amount=True
    )


def published_project(w):
    """An auction project whose result notice is published (its deal recorded late)."""
    asset = secret_asset(w, name="Riverside warehouse")
    project = concluded_project(w, assets=[asset], late=True)
    project.note = SECRETS["note"]
    project.save(update_fields=["note"])
    from panhuo.disposal.models import DisposalProject

    DisposalProject.objects.filter(pk=project.pk).update(buyer=SECRETS["buyer"])
    project.refresh_from_db()
    return ds.project_transition(
        actor=w.user("office"), project=project, transition="publish_result",
        **recorded_late("publish_result", days=1),
    )  # fmt: skip


def destroying_value(w, project):
    """Make ``project``'s sale a value-destroying one (its asset earned 10 % of the price; the
    money repaid a 3 % bank loan with a schedule and a special bond) and flag it. The loan's
    creditor and code are not public; the bond's code is."""
    from panhuo.finance import services as fs
    from panhuo.finance.debts.models import ScheduleRow
    from panhuo.flags import engine
    from panhuo.register.models import Asset

    Asset.objects.filter(package_items__package=project.package).update(
        annual_income=project.deal_price / 10
    )
    finance = w.user("finance")
    receipt = fs.receipt_create(actor=finance, project=project, amount=str(project.deal_price),
                                received_on=timezone.localdate(), voucher="VD-1",
                                budget_class="non_tax")  # fmt: skip
    for data in ({"creditor": SECRETS["creditor"], "debt_type": "bank_loan", "rate": "3.000"},
                 {"creditor": "Bondholders", "debt_type": "special_bond", "rate": "2.500",
                  "bond_code": "2391234"}):  # fmt: skip
        debt = fs.debt_create(actor=finance, jurisdiction=w.district, data={
            **data, "principal": "90000000.00", "issue_date": dt.date(2021, 1, 1),
            "maturity_date": dt.date(2041, 6, 30)})  # fmt: skip
        if data["debt_type"] == "bank_loan":
            Debt.objects.filter(pk=debt.pk).update(code=SECRETS["debt_code"])
        ScheduleRow.objects.create(debt=debt, due_date=dt.date(2041, 6, 30),
                                   principal=Decimal("90000000.00"),
                                   interest=Decimal("2000000.00"))  # fmt: skip
        fs.allocation_create(actor=finance, receipt=receipt, debt=debt, amount="1000000.00")
    engine.recompute(rules=["value_destroying_sale"])
