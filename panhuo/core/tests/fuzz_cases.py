"""The API fuzz's generated requests, kept on disk between runs (issue 11, CI time).

Generating schemathesis's requests is about 43 % of the fuzz test's time, and it gives the same
requests every time: generation is derandomized, so its result depends only on the OpenAPI
schema, the budget, this code and the libraries' versions. CI's SQLite and PostgreSQL runs (and
every later run on the same machine with the same schema) therefore send the requests the first
run generated, read from a file keyed by all of those, instead of generating them again.

What a run sends is unchanged: the requests are exactly those a derandomized generation would
make now. The only inputs that differ between runs are the fixed values (the records' ids and
the district, which on PostgreSQL depend on what ran before in the worker); they are drawn by
``st.just`` (no randomness consumed, nothing else depends on them), and a cached request gets
the current ones put in its place, as if generated with them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET
from schemathesis.generation.case import Case
from schemathesis.generation.overrides import store_components

from panhuo.core.tests.migrated import cache_dir

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def generate(operation, *, examples, path_parameters=None, query=None) -> list:
    """Up to ``examples`` generated requests (positive and negative) for ``operation``, drawn
    by a derandomized Hypothesis run, collected instead of sent: every caller (and, through
    the cache, every run) is sent the same ones."""
    strategies = [
        operation.as_strategy(mode, path_parameters=path_parameters, query=query) for mode in MODES
    ]
    cases: list = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(*strategies))
    def run(case):
        cases.append(case)

    run()
    return cases


def cache_key(schema: dict, *parts) -> str:
    """Everything generation depends on: the schema, the libraries, this module and the
    caller's own parameters (budget, part, the names of the fixed values)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(schema, sort_keys=True, default=str).encode())
    for name in ("schemathesis", "hypothesis"):
        digest.update(f"{name}={metadata.version(name)};".encode())
    digest.update(f"python={sys.version_info[:3]};".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(json.dumps(parts, default=str).encode())
    return digest.hexdigest()[:24]


#: How many files of generated requests the cache keeps (a few schemas' worth of parts): the
#: least recently used go when a new one is written.
KEEP_FILES = 24


def _path(key: str) -> Path:
    return cache_dir() / f"fuzz-cases-{key}.pickle"


def _prune() -> None:
    files = sorted(cache_dir().glob("fuzz-cases-*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in files[:-KEEP_FILES]:
        old.unlink(missing_ok=True)


#: A generated variant: (operation label, variant label, fixed path ids, fixed query, cases).
Variant = tuple[str, str, dict | None, dict | None, list]


def _state(case: Case) -> dict:
    return {name: getattr(case, name) for name in Case.__slots__ if name != "operation"}


class _Pickler(pickle.Pickler):
    """Schemathesis's "no value" marker is one object, compared by identity (``is NOT_SET``):
    it is saved as a name and read back as that same object."""

    def persistent_id(self, obj):
        return "NOT_SET" if obj is NOT_SET else None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        if pid != "NOT_SET":
            raise pickle.UnpicklingError(pid)
        return NOT_SET


def load(key: str, operations: dict) -> list[Variant] | None:
    """The variants saved under ``key``, their cases bound to this run's ``operations`` (by
    label), or None if there are none (or they cannot be read)."""
    try:
        with _path(key).open("rb") as file:
            saved = _Unpickler(file).load()
        _path(key).touch()  # recently used: kept by _prune
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    variants = []
    for name, label, fixed, query, states in saved:
        if name not in operations:
            return None
        cases = []
        for state in states:
            case = object.__new__(Case)
            object.__setattr__(case, "operation", operations[name])
            for attribute, value in state.items():
                object.__setattr__(case, attribute, value)
            cases.append(_bookkept(case))
        variants.append((name, label, fixed, query, cases))
    return variants


def save(key: str, variants: list[Variant]) -> None:
    """Keep ``variants`` under ``key`` (written under a temporary name and renamed: a parallel
    worker never reads half a file). A cache that cannot be written is left alone."""
    data = [
        (name, label, fixed, query, [_state(case) for case in cases])
        for name, label, fixed, query, cases in variants
    ]
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
        temporary.write_bytes(buffer.getvalue())
        temporary.replace(path)
        _prune()
    except OSError:
        pass


def _bookkept(case: Case) -> Case:
    """``case`` with the bookkeeping its constructor makes from its values (copies of them, and
    their hashes: a string's hash differs from one process to the next) made again."""
    object.__setattr__(case, "_components", store_components(case))
    meta = case._meta
    if meta is not None:
        meta._initial_hashes.clear()
        meta._initial_containers.clear()
        meta._last_validated_hashes.clear()
        case._init_hashes()
    return case


def with_fixed(case: Case, path_parameters: dict | None, query: dict | None) -> Case:
    """``case`` with this run's fixed values where generation put the first run's: the same
    request a generation with them would have made (they were ``st.just``)."""
    names = set(path_parameters or {}) | set(query or {})
    changed = False
    for attribute, fixed in (("path_parameters", path_parameters), ("query", query)):
        old = getattr(case, attribute)
        new = {**old, **(fixed or {})}
        if new != old:
            object.__setattr__(case, attribute, new)
            changed = True
    if not changed:
        return case
    meta = case._meta
    if meta is not None:
        for location, raw in list(meta.raw_containers.items()):
            container = case.get_container(location)
            if isinstance(raw, dict) and isinstance(container, dict):
                mine = {n: container[n] for n in names if n in raw and n in container}
                meta.raw_containers[location] = {**raw, **mine}
    return _bookkept(case)
