"""Which records may hold documents, and who may add documents to each: in one place.

Seeing a record's documents is seeing the record: the record type's own
``objects.visible_to(user)`` decides. Adding a document is changing the record, gated by the
policy rule ``(resource, "attach")`` declared here, with the record's jurisdiction and holding
units (so a unit asset officer adds only to their own unit's records, finance to finance
records, and auditors and supervisors read only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

H, D, O, U, F = policy.H, policy.D, policy.O, policy.U, policy.F  # noqa: E741

#: The action that gates uploads on each record type's resource.
ATTACH = "attach"


def _package_units(package) -> set[int]:
    return set(package.items.values_list("asset__unit_id", flat=True))


@dataclass(frozen=True)
class DocumentTarget:
    """A record type that may hold documents."""

    key: str  # its public name in URLs and the API ("asset")
    label: str  # the model ("register.asset")
    resource: str  # the policy resource whose ATTACH rule gates uploads
    name: str | Promise  # what people call it
    jurisdiction: Callable[[Model], Jurisdiction]
    units: Callable[[Model], set[int]] | None = None

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)

    def visible(self, user) -> QuerySet:
        return self.model.objects.visible_to(user)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


TARGETS: dict[str, DocumentTarget] = {
    t.key: t
    for t in (
        DocumentTarget(
            "asset",
            "register.asset",
            "asset",
            _("Asset"),
            lambda a: a.unit.jurisdiction,
            lambda a: {a.unit_id},
        ),
        DocumentTarget(
            "package",
            "disposal.package",
            "package",
            _("Package"),
            lambda p: p.jurisdiction,
            _package_units,
        ),
        DocumentTarget(
            "project",
            "disposal.disposalproject",
            "project",
            _("Project"),
            lambda p: p.package.jurisdiction,
            lambda p: _package_units(p.package),
        ),
        DocumentTarget(
            "receipt",
            "finance.receipt",
            "receipt",
            _("Receipt"),
            lambda r: r.project.package.jurisdiction,
        ),
        DocumentTarget("debt", "finance.debt", "debt", _("Debt"), lambda d: d.jurisdiction),
        # The founding document of a task force (its number and date are on the record).
        DocumentTarget(
            "taskforce",
            "organisation.taskforce",
            "taskforce",
            _("Task force"),
            lambda t: t.jurisdiction,
        ),
    )
}

#: Who may add documents to each record type (scope is the record's jurisdiction and units).
RULES = {
    ("document", "view"): policy.READERS | {U},
    ("asset", ATTACH): frozenset({H, D, O, U}),
    ("package", ATTACH): frozenset({H, D, O, U}),
    ("project", ATTACH): frozenset({H, D, O, U}),
    ("receipt", ATTACH): frozenset({H, D, F}),
    ("debt", ATTACH): frozenset({H, D, F}),
    ("taskforce", ATTACH): frozenset({H, D, O}),
}
policy.RULES.update(RULES)


def target_for_model(model: type[Model]) -> DocumentTarget | None:
    label = model._meta.label_lower
    return next((t for t in TARGETS.values() if t.label == label), None)


def target_of(obj: Model) -> DocumentTarget:
    """The registry entry of ``obj``'s type; ValueError for a type that holds no documents."""
    spec = target_for_model(type(obj))
    if spec is None:
        raise ValueError(f"{obj._meta.label} records do not hold documents.")
    return spec


def may_upload(user, obj: Model) -> bool:
    """Whether ``user`` may add documents to ``obj`` (roles, jurisdiction and units)."""
    spec = target_of(obj)
    return policy.allowed(
        user,
        spec.resource,
        ATTACH,
        jurisdiction=spec.jurisdiction(obj),
        units=spec.units(obj) if spec.units else None,
    )


def visible_targets_q(user) -> Q:
    """Documents on records the user may see: one subquery per record type."""
    q = Q(pk__in=[])
    for spec in TARGETS.values():
        q |= Q(target_type=spec.content_type(), target_id__in=spec.visible(user).values("pk"))
    return q
