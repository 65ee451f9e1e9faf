"""The OCDS 1.1 schemas, read from files kept in this app (never fetched), with Panhuo's
extension merged in, and validators for releases, release packages and record packages.

No package on PyPI ships the OCDS schema (libcoveocds and ocdsextensionregistry download it at
run time), so ``data/`` holds the three schema files of OCDS 1.1.5 as published, with their
licence (``data/LICENSE-OCDS.txt``, Apache 2.0). ``extension/`` is Panhuo's own extension in
the layout OCDS extensions use (``extension.json``, a ``release-schema.json`` merge patch,
codelists). The references between the schemas are URLs; they resolve here from a local
registry, so validation works offline and a reference that is not in it fails loudly."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referencing import Registry
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EXTENSION = HERE / "extension"
#: The OCDS version the files in ``data/`` are (the packages say "1.1").
OCDS_VERSION = "1.1"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"

if TYPE_CHECKING:
    from jsonschema import Draft4Validator


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS applies an extension's ``release-schema.json`` to the
    release schema: objects merge key by key, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@functools.cache
def release_schema() -> dict[str, Any]:
    """The OCDS release schema with Panhuo's extension merged in."""
    return merge_patch(
        _load(DATA / "release-schema.json"), _load(EXTENSION / "release-schema.json")
    )


@functools.cache
def extension_metadata() -> dict[str, Any]:
    return _load(EXTENSION / "extension.json")


@functools.cache
def _registry() -> Registry:
    schemas = [
        release_schema(),
        _load(DATA / "release-package-schema.json"),
        _load(DATA / "record-package-schema.json"),
    ]
    return Registry().with_resources((s["id"], DRAFT4.create_resource(s)) for s in schemas)


@functools.cache
def validator(name: str) -> Draft4Validator:
    """The validator of ``release``, ``release-package`` or ``record-package`` (with format
    checks: a date-time or URI that is not one fails).

    jsonschema is imported here, when a package is first validated, not with the module: its
    format checks compile 38 grammars (rfc3987_syntax, through lark) on import, and the
    module is imported with the URLconf, so every process that reverses a URL paid for them
    (20 of the 34 s of a unit's scorecard report generated in a fresh process, profiled on
    the full demo; docs/benchmarks.md)."""
    from jsonschema import Draft4Validator, FormatChecker

    uri = f"{SCHEMA_BASE}{name}-schema.json"
    schema = _registry().contents(uri)
    return Draft4Validator(schema, registry=_registry(), format_checker=FormatChecker())


def errors(data: dict[str, Any], name: str) -> list[str]:
    """Every schema error of ``data`` as ``path: message`` (empty when it is valid)."""
    found = validator(name).iter_errors(data)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found)
