"""One owner per table: an app's code writes only its own app's models.

Another app's table is changed through the owner's service (``register.services.
asset_set_status``) or a hook the owner fills (``disposal.money``), never by calling
``.objects.create/update/delete/...`` on the other app's model or constructing one of its rows.
The scan is a simple AST read of every module outside tests and migrations: a model is known by
the name it was imported under (``from panhuo.finance.models import Debt``, ``from
panhuo.register import models as m`` then ``m.Asset``); a write is one of WRITES called on a
chain that starts at ``Model.objects``, or a call of the model class itself (a row being made).
It does not follow objects passed around (``asset.save()`` on an asset got elsewhere), so it
catches the common shortcut, not every one. What is left is ALLOWED below, each with its reason;
an entry that no longer matches fails too, so the list only shrinks.

The import layers themselves are checked by ``lint-imports`` ([tool.importlinter] in
pyproject.toml).

The same parse of the production modules also holds the law-as-gates rule: a function named as a
rule or check is called by production code (one only a test calls refuses nothing).
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path

from django.db.models import Model

PANHUO = Path(__file__).resolve().parents[2]
WRITES = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
#: Not part of any app's writing code.
SKIPPED = ("/tests/", "/migrations/")
#: Test support (factories that build fixtures directly, on purpose).
SKIPPED_FILES = {"core/testing.py"}

#: (module path under panhuo/, model label) pairs still allowed, with why.
ALLOWED: dict[tuple[str, str], str] = {
    # The demo seed is the site (the top layer, panhuo/site): it
    # builds a synthetic district whose places, task forces and people no service creates yet.
    (
        "site/demo/seed_organisation.py",
        "organisation.Jurisdiction",
    ): "no service creates jurisdictions",
    ("site/demo/seed_organisation.py", "organisation.TaskForce"): "no service creates task forces",
    ("site/demo/seed_organisation.py", "organisation.Unit"): "no service creates units",
    ("site/demo/seed_organisation.py", "organisation.RoleAssignment"): "no service assigns roles",
    # It dates instalment sales back (state_since, due_on), which no workflow step does.
    ("site/demo/seed_deposits.py", "disposal.DisposalProject"): "backdates demo sales",
    # It lays down a draft as the old spreadsheet import left it (reserve in yuan read from
    # 万元), which the amount check now holds — no service may write such a draft.
    ("site/demo/seed_gates_rules.py", "disposal.DisposalProject"): "a pre-check legacy draft",
    # It stores the AVM's training appraisals in bulk (audited with audit_record_many).
    ("site/demo/seed_pricing.py", "pricing.Valuation"): "bulk demo appraisals",
}


def _app_of(rel: str) -> str:
    return rel.split("/", 1)[0]


def _models_imported(tree: ast.Module) -> tuple[dict[str, str], dict[str, object]]:
    """Local names bound to models (name -> app label) and to models modules (name -> module)."""
    names: dict[str, str] = {}
    modules: dict[str, object] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("panhuo."):
            continue
        try:
            module = importlib.import_module(node.module)
        except ImportError:
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            value = getattr(module, alias.name, None)
            if value is None:
                try:
                    value = importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    continue
            if isinstance(value, type) and issubclass(value, Model):
                names[local] = value._meta.app_label
            elif type(value).__name__ == "module":
                modules[local] = value
    return names, modules


def _model_label(node: ast.AST, names, modules) -> str | None:
    """The app label of the model ``node`` names (``Asset`` or ``m.Asset``), else None."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = modules.get(node.value.id)
        value = getattr(module, node.attr, None) if module is not None else None
        if isinstance(value, type) and issubclass(value, Model):
            return value._meta.app_label
    return None


def _chain_model(node: ast.AST, names, modules) -> tuple[str, str] | None:
    """For ``X.objects....`` chains: (model's app label, model expression)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects":
                label = _model_label(node.value, names, modules)
                return (label, ast.unparse(node.value)) if label else None
            node = node.value
        else:
            return None


@functools.cache
def production_trees(root: Path) -> tuple[tuple[str, ast.Module], ...]:
    """Every module under ``root`` outside tests (migrations included), parsed once a run: the
    scans here share it."""
    return tuple(
        (rel, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(root.rglob("*.py"))
        if "/tests/" not in f"/{(rel := path.relative_to(root).as_posix())}"
    )


def cross_app_writes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for rel, tree in production_trees(PANHUO):
        if "/" not in rel or any(s in f"/{rel}" for s in SKIPPED) or rel in SKIPPED_FILES:
            continue
        app = _app_of(rel)
        names, modules = _models_imported(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            hit = None
            if isinstance(func, ast.Attribute) and func.attr in WRITES:
                hit = _chain_model(func.value, names, modules)
            else:
                label = _model_label(func, names, modules)
                hit = (label, ast.unparse(func)) if label else None
            if hit and hit[0] != app:
                found.add((rel, f"{hit[0]}.{hit[1].split('.')[-1]}"))
    return found


def test_no_app_writes_another_apps_tables():
    found = cross_app_writes()
    new = sorted(found - set(ALLOWED))
    assert not new, (
        "These modules write another app's models directly; call the owner's service or a hook "
        f"instead (README, Layers): {new}"
    )


def test_the_allow_list_holds_nothing_that_is_gone():
    gone = sorted(set(ALLOWED) - cross_app_writes())
    assert not gone, f"No longer written, drop from ALLOWED: {gone}"


def test_the_scan_sees_a_cross_app_write(tmp_path, monkeypatch):
    """The scan is not blind: a module of disposal creating a finance row is found."""
    app = tmp_path / "disposal"
    app.mkdir()
    (app / "shortcut.py").write_text(
        "from panhuo.finance.expected_models import ExpectedReceipt\n"
        "from panhuo.register import models as m\n"
        "def f(p):\n"
        "    ExpectedReceipt.objects.filter(project=p).update(cancelled=True)\n"
        "    m.Asset.objects.filter(pk=1).update(status='idle')\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["PANHUO"]), "PANHUO", tmp_path)
    assert cross_app_writes() == {
        ("disposal/shortcut.py", "finance.ExpectedReceipt"),
        ("disposal/shortcut.py", "register.Asset"),
    }


# --- Law as gates ------------------------------------------------------------------------------

#: A function named as a rule or check (``*_ok``, ``check_*``, ``require_*``, ``*_guard``…).
GATE_NAME = re.compile(r"^_?(\w+_ok|check_\w+|\w+_gate|require_\w+|refuse_\w+|\w+_guard)$")


def test_every_rule_function_is_called_by_production_code():
    """A rule or check function defined outside tests is named by production code (a service,
    a guard, a registry, a migration), in its own module or another. By name: it catches a
    check left unwired, not a call that never runs."""
    defined: dict[str, str] = {}
    named: set[str] = set()
    for rel, tree in production_trees(PANHUO):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and GATE_NAME.match(node.name):
                if "/migrations/" not in f"/{rel}":
                    defined.setdefault(node.name, f"{rel}:{node.lineno} {node.name}")
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                named.add(node.id)
            elif isinstance(node, ast.Attribute):
                named.add(node.attr)
    assert len(defined) > 50  # the scan sees the gates at all
    unwired = sorted(where for name, where in defined.items() if name not in named)
    assert not unwired, f"Rule functions only tests call (wire each into its write): {unwired}"
