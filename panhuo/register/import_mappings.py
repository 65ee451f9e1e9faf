"""Saved column mappings of imports: check one, keep it, delete it (each audited), and who may
keep mappings for which import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.register.import_models import ImportMapping
from panhuo.register.importing.engine import Mapping, target_for
from panhuo.register.importing.rows import fixed_and_mapped


def check_mapping(mapping: dict[str, Any], target: str = "assets") -> Mapping:
    try:
        spec = Mapping.from_json(mapping)
    except (TypeError, ValueError, AttributeError):
        raise ValidationError({"mapping": [gettext("The mapping is not well formed.")]}) from None
    names = set(target_for(target).field_names)
    bools = {f.name for f in target_for(target).fields if f.kind == "bool"}
    unknown = sorted(set(spec.columns.values()) - names)
    if unknown:
        message = gettext("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)}
        raise ValidationError({"mapping": [message]})
    unknown = sorted(set(spec.constants) - names)
    if unknown:
        message = gettext("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)}
        raise ValidationError({"constants": [message]})
    both = sorted(set(spec.constants) & set(spec.columns.values()))
    if both:
        raise ValidationError({"constants": [str(fixed_and_mapped(both[0]))]})
    blank = sorted(k for k, v in spec.constants.items() if not v.strip())
    if blank:
        message = gettext("The fixed value of “%(field)s” is empty.") % {"field": blank[0]}
        raise ValidationError({"constants": [message]})
    for name in sorted(spec.values):
        if name in bools and any(v not in ("yes", "no") for v in spec.values[name].values()):
            message = gettext("The words of the yes/no field “%(field)s” mean yes or no.") % {
                "field": name
            }
            raise ValidationError({"values": [message]})
    order = spec.options.get("date_order", "dmy")
    if order not in ("dmy", "mdy"):
        raise ValidationError({"date_order": [gettext("Use dmy or mdy.")]})
    if spec.options.get("amount_unit", "yuan") not in ("yuan", "wan", "yi"):
        raise ValidationError({"amount_unit": [gettext("Use yuan, wan or yi.")]})
    return spec


#: Who may keep mappings of each import target: whoever may run that import.
MAPPING_PERMISSION = {
    "assets": ("asset", "create"),
    "debts": ("debt", "edit"),
    # A place's published fiscal panel (finance's "fiscal" target): whoever edits its debts.
    "fiscal": ("debt", "edit"),
    "units": ("organisation", "manage"),
    "users": ("user", "manage"),
}


def may_map(actor: User, target: str) -> bool:
    """Whether ``actor`` may keep column mappings for imports into ``target``."""
    needed = MAPPING_PERMISSION.get(target)
    return needed is not None and policy.can_any(actor, *needed)


def mapping_save(
    *,
    actor: User,
    name: str,
    columns: dict[str, str],
    values: dict[str, dict[str, str]] | None = None,
    options: dict[str, Any] | None = None,
    target: str = "assets",
    constants: dict[str, str] | None = None,
) -> ImportMapping:
    """Create or replace one of the actor's named mappings for imports into ``target``."""
    if target not in MAPPING_PERMISSION:
        message = gettext("Unknown import “%(target)s”; one of %(targets)s.") % {
            "target": target,
            "targets": ", ".join(MAPPING_PERMISSION),
        }
        raise ValidationError({"target": [message]})
    if not may_map(actor, target):
        raise policy.NotPermitted(policy.refusal(*MAPPING_PERMISSION[target], one=False))
    if not (name or "").strip():
        raise ValidationError({"name": [gettext("The mapping needs a name.")]})
    spec = check_mapping(
        {"columns": columns, "values": values or {}, "options": options or {},
         "constants": constants or {}},
        target,
    )  # fmt: skip
    with transaction.atomic():
        mapping, created = ImportMapping.objects.update_or_create(
            owner=actor,
            target=target,
            name=name.strip(),
            defaults={
                "columns": spec.columns,
                "values": spec.values,
                "options": spec.options,
                "constants": spec.constants,
            },
        )
        audit_record(
            actor=actor,
            action="import_mapping.save",
            obj=mapping,
            after=mapping.as_json() | {"name": mapping.name, "created": created},
        )
    return mapping


def mapping_delete(*, actor: User, mapping: ImportMapping) -> None:
    """Delete one of the actor's saved mappings; someone else's looks missing. Audited."""
    if mapping.owner_id != actor.pk:
        raise ImportMapping.DoesNotExist
    if not may_map(actor, mapping.target):
        raise policy.NotPermitted(policy.refusal(*MAPPING_PERMISSION[mapping.target], one=False))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="import_mapping.delete",
            obj=mapping,
            before=mapping.as_json() | {"name": mapping.name},
        )
        mapping.delete()
