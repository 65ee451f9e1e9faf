"""Demo documents: appraisal reports, approvals, contracts and notices on the seeded records.

Called once from the seeder after the disposals. The files are small, valid PDFs and text files
generated here (the same bytes on every run, so the content-addressed store holds each once),
uploaded through the service as the role that would: the office for assets, packages and
projects, the head for approval documents, finance for receipts and debts. One contract has
a second version, so the version history shows.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from panhuo.approvals.services import pending_for
from panhuo.approvals.services.gates import missing_documents
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.finance.models import Debt, Receipt
from panhuo.integrity.document_services import document_upload
from panhuo.site.demo import catalogue as c

#: How many concluded or closed projects get a full set of documents.
PROJECTS = 3


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing ``lines`` (Latin-1 text), with a correct cross-reference table."""
    text = " ".join(
        f"({line.replace('\\', '').replace('(', '[').replace(')', ']')}) Tj 0 -16 Td"
        for line in lines
    )
    stream = f"BT /F1 11 Tf 56 780 Td {text} ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _yuan(value) -> str:
    return f"{Decimal(value or 0):,.2f} yuan"


def _put(actor, target, kind: str, title: str, name: str, data: bytes):
    return document_upload(
        actor=actor, target=target, kind=kind, title=title, file=SimpleUploadedFile(name, data)
    )


def decision_documents(seeder, project: DisposalProject) -> None:
    """Before the last step of a disposal's approval: put the minutes of the collective
    decision and the approval document with its number (文号) on the project when it needs
    them (administrative and public-institution assets, Decree 738 art. 19) and they are not
    there yet. Draws nothing from the seeder's random generator."""
    request = pending_for(project, "disposal")
    if request is None or request.current_step < request.step_count:
        return
    year = seeder.today.year
    texts = {
        "collective_decision": ("Minutes of the task-force meeting", f"河西资产专班纪要〔{year}〕"),
        "approval": ("Task-force approval document", f"河西资产专班批〔{year}〕"),
    }
    for kind in missing_documents(request):
        title, prefix = texts[kind]
        number = f"{prefix}{project.pk}号"
        document_upload(
            actor=seeder.users["office"], target=project, kind=kind, title=title, number=number,
            file=SimpleUploadedFile(f"{kind}-{project.code}.pdf",
                                    minimal_pdf([f"{title} - project {project.code}", number])),
        )  # fmt: skip


def seed(seeder) -> None:
    users = seeder.users
    office, head, finance = users["office"], users["head"], users["finance"]
    district = seeder.places[c.DISTRICT[0]]
    projects = list(
        DisposalProject.objects.filter(
            package__jurisdiction=district,
            status__in=[ProjectStatus.CONCLUDED, ProjectStatus.CLOSED],
        )
        .select_related("package")
        .order_by("code")[:PROJECTS]
    )
    for project in projects:
        package = project.package
        asset = package.items.select_related("asset").order_by("asset__code").first().asset
        _put(
            office,
            asset,
            "appraisal_report",
            "Appraisal report",
            f"appraisal-{asset.code}.pdf",
            minimal_pdf(
                [
                    f"Appraisal report - asset {asset.code}",
                    f"Appraised value: {_yuan(asset.appraised_value or asset.book_value)}",
                    "Appraiser: Hexi Assets Appraisal Co. (licence 2024-017)",
                    "Valid for twelve months from the base date.",
                ]
            ),
        )
        _put(
            office,
            package,
            "notice",
            "Disposal notice",
            f"notice-{package.code}.txt",
            (
                f"Public notice: lot {package.code} ({package.name}) is offered through "
                f"{package.get_channel_display()}.\nObjections within the publicity period "
                "to the task-force office.\n"
            ).encode(),
        )
        _put(
            head,
            project,
            "approval",
            "Approval of the disposal",
            f"approval-{project.code}.pdf",
            minimal_pdf(
                [
                    f"Task force approval - project {project.code}",
                    f"Reserve price: {_yuan(project.reserve_price)}",
                    "Approved by the head of the task force.",
                ]
            ),
        )
        contract = [
            f"Transfer contract - project {project.code}",
            f"Buyer: {project.buyer or '-'}",
            f"Price: {_yuan(project.deal_price)}",
        ]
        _put(
            office,
            project,
            "contract",
            "Transfer contract",
            f"contract-{project.code}.pdf",
            minimal_pdf(contract),
        )
        if project is projects[0]:
            _put(
                office,
                project,
                "contract",
                "Transfer contract",
                f"contract-{project.code}-signed.pdf",
                minimal_pdf([*contract, "Signed by both parties; payment within 30 days."]),
            )
        receipt = Receipt.objects.filter(project=project).order_by("received_on", "pk").first()
        if receipt is not None:
            _put(
                finance,
                receipt,
                "other",
                "Treasury receipt voucher",
                f"voucher-{receipt.voucher}.csv",
                (
                    "voucher,received_on,amount\n"
                    f"{receipt.voucher},{receipt.received_on.isoformat()},{receipt.amount}\n"
                ).encode(),
            )
    debt = Debt.objects.filter(jurisdiction=district).order_by("code").first()
    if debt is not None:
        _put(
            finance,
            debt,
            "contract",
            "Loan agreement",
            f"loan-{debt.code}.pdf",
            minimal_pdf(
                [
                    f"Loan agreement - {debt.code}",
                    f"Creditor: {debt.creditor}",
                    f"Principal: {_yuan(debt.principal)} at {debt.rate}%",
                ]
            ),
        )
