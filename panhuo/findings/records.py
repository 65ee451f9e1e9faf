"""The records a finding may be raised on, read (never written) through their own apps'
models: how to find one the auditor may see, its jurisdiction, its one holding unit (if it has
one) and its label. A finding names its record by kind and id, so this is the one place that
knows the kinds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.querying import MAX_ID
from panhuo.findings.models import RecordKind


def _one_unit(units) -> int | None:
    found = set(units)
    return found.pop() if len(found) == 1 else None


def _package_unit(package) -> int | None:
    return _one_unit(package.items.values_list("asset__unit_id", flat=True))


@dataclass(frozen=True)
class RecordSpec:
    """A kind of record: its model (``app.model``), and how to read its place and label."""

    kind: RecordKind
    label: str
    jurisdiction: Callable[[Model], object]
    unit: Callable[[Model], int | None]
    name: Callable[[Model], str]

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)


SPECS: dict[str, RecordSpec] = {
    s.kind.value: s
    for s in (
        RecordSpec(
            RecordKind.ASSET,
            "register.asset",
            lambda a: a.unit.jurisdiction,
            lambda a: a.unit_id,
            lambda a: f"{a.code} {a.name}",
        ),
        RecordSpec(
            RecordKind.PACKAGE,
            "disposal.package",
            lambda p: p.jurisdiction,
            _package_unit,
            lambda p: f"{p.code} {p.name}",
        ),
        RecordSpec(
            RecordKind.PROJECT,
            "disposal.disposalproject",
            lambda p: p.package.jurisdiction,
            lambda p: _package_unit(p.package),
            lambda p: p.code,
        ),
        RecordSpec(
            RecordKind.RECEIPT,
            "finance.receipt",
            lambda r: r.project.package.jurisdiction,
            lambda r: _package_unit(r.project.package),
            lambda r: f"{r.voucher} ({r.project.code})",
        ),
        RecordSpec(
            RecordKind.ALLOCATION,
            "finance.allocation",
            lambda a: a.debt.jurisdiction,
            lambda a: None,
            lambda a: f"{a.receipt.voucher} → {a.debt.code}: {a.amount}",
        ),
        RecordSpec(
            RecordKind.DEBT,
            "finance.debt",
            lambda d: d.jurisdiction,
            lambda d: None,
            lambda d: f"{d.code} {d.creditor}",
        ),
    )
}


def spec_of(kind: str) -> RecordSpec:
    spec = SPECS.get(kind or "")
    if spec is None:
        raise ValidationError(
            {
                "record_kind": [
                    _("Unknown record kind “%(kind)s”; one of %(choices)s.")
                    % {"kind": kind, "choices": ", ".join(SPECS)}
                ]
            }
        )
    return spec


def kind_of(obj: Model) -> str | None:
    """The kind of ``obj`` (a record a finding may name), or None."""
    label = obj._meta.label_lower
    return next((k for k, s in SPECS.items() if s.label == label), None)


def record_for(user, kind: str, record_id) -> Model:
    """The record ``kind`` #``record_id`` if ``user`` may see it; otherwise an error naming
    the field (a record outside the user's reach reads as missing)."""
    spec = spec_of(kind)
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        pk = 0
    found = None
    if 0 < pk <= MAX_ID:
        found = spec.model.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {
                "record_id": [
                    _("There is no %(kind)s #%(record_id)s that you may see.")
                    % {"kind": kind, "record_id": record_id}
                ]
            }
        )
    return found


def record_or_none(finding) -> Model | None:
    """The record a finding names, read for showing (None if it is gone)."""
    return SPECS[finding.record_kind].model._default_manager.filter(pk=finding.record_id).first()


def record_of_flag(flag) -> tuple[str, str] | None:
    """The (kind, id) of the record a red flag is about, when it is a kind findings name."""
    kind = next((k for k, s in SPECS.items() if s.label == flag.subject_type), None)
    return (kind, flag.subject_id) if kind else None
