"""Every refusal reaches the user in their language: a gate over the source, no database.

A ``ValidationError``, one of our own refusal classes, ``HttpError`` or ``CommandError`` built
from a plain string literal or an f-string (directly, or inside the list/dict it is given)
would read English to a Chinese user, and the catalogue test could not see the text. This scan
of ``panhuo/**/*.py`` (tests and migrations aside) names each such call by file:line; the fix
is ``_("… %(name)s …") % {...}`` and the Chinese in the .po.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from panhuo.core.inputs import to_amount

PANHUO = Path(__file__).resolve().parents[2]

#: Exceptions whose message a person reads (forms, API errors, CLI output).
REFUSALS = {
    "ValidationError",
    "field_error",
    "TransitionRefused",
    "GateRefused",
    "PlaceFileError",
    "NotPermitted",
    "Conflict",
    "DocumentDamaged",
    "HttpError",
    "CommandError",
    "FileRefused",
    "BackupError",
}
#: Calls whose result is a translated (or already-translated) text.
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "format_lazy",
}
#: Names of the dicts a service gathers field messages in before raising them.
ERRORS = ("errors", "problems")
#: Keyword arguments that are not shown as the message (a field name, a code).
NOT_SHOWN = {"code", "params", "field"}
#: Leading positional arguments that are not the message: HttpError(status, …),
#: field_error(field, …).
NOT_SHOWN_FIRST = {"HttpError", "field_error"}

#: "path:line" → why a literal there is acceptable. Keep it short and justified.
ALLOWED: dict[str, str] = {}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literals(node: ast.expr) -> list[ast.expr]:
    """The untranslated strings shown by ``node``, looking through lists, dicts, %, + and join."""
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) and node.value.strip() else []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in GETTEXT:
            return []
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _literals(node.func.value)
        if name == "join" and isinstance(node.func, ast.Attribute):
            return [x for a in node.args for x in _literals(a)]
        return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        found = _literals(node.left)
        return found + (_literals(node.right) if isinstance(node.op, ast.Add) else [])
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [x for e in node.elts for x in _literals(e)]
    if isinstance(node, ast.Dict):
        return [x for v in node.values for x in _literals(v)]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return _literals(node.elt)
    if isinstance(node, ast.DictComp):
        return _literals(node.value)
    return []


def _collects_errors(node: ast.expr) -> bool:
    """``errors[...]`` or ``errors.setdefault(...)``: a dict of messages raised later."""
    if isinstance(node, ast.Subscript):
        node = node.value
    elif isinstance(node, ast.Call) and _name(node.func) == "setdefault":
        node = node.func.value  # type: ignore[attr-defined]
    else:
        return False
    return isinstance(node, ast.Name) and node.id.endswith(ERRORS)


def _shown(node: ast.AST) -> tuple[str, list[ast.expr]]:
    """What ``node`` shows a person: (the refusal, its message arguments)."""
    if isinstance(node, ast.Call) and _name(node.func) in REFUSALS:
        args = node.args[1:] if _name(node.func) in NOT_SHOWN_FIRST else node.args
        return _name(node.func), [
            *args,
            *(k.value for k in node.keywords if k.arg not in NOT_SHOWN),
        ]
    if isinstance(node, ast.Assign) and any(_collects_errors(t) for t in node.targets):
        return "errors[…] =", [node.value]
    if (
        isinstance(node, ast.Call)
        and _name(node.func) == "append"
        and _collects_errors(node.func.value)  # type: ignore[attr-defined]
    ):
        return "errors[…].append", list(node.args)
    return "", []


def untranslated(source: str, where: str) -> list[str]:
    """``file:line: Call("text")`` for each refusal built from an untranslated literal."""
    out = []
    for node in ast.walk(ast.parse(source)):
        what, shown = _shown(node)
        for literal in (x for a in shown for x in _literals(a)):
            spot = f"{where}:{literal.lineno}"
            if spot not in ALLOWED:
                out.append(f"{spot}: {what}({ast.unparse(literal)[:70]})")
    return out


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(PANHUO.rglob("*.py"))
        if not {"tests", "migrations"} & set(p.relative_to(PANHUO).parts)
    ]


def test_every_refusal_is_gettext():
    found = [
        line
        for p in _sources()
        for line in untranslated(
            p.read_text(encoding="utf-8"), p.relative_to(PANHUO.parent).as_posix()
        )
    ]
    assert not found, "Refusals not wrapped in gettext (use _() with named placeholders):\n" + (
        "\n".join(found)
    )


def test_the_scan_sees_each_form():
    """The gate can fail: each untranslated form is caught, each translated one is not."""
    code = """
raise ValidationError({"a": ["Plain."]})
raise ValidationError(f"Hello {x}.")
raise CommandError("Plain %s." % x)
raise HttpError(404, "Not here.")
raise errors.field_error("a", "Gone " + x)
raise GateRefused(RULE, field=f"{prefix}rate", message=_("Fine."))
raise ValidationError({"a": [_("Fine %(x)s.") % {"x": x}]}, code="fine")
raise HttpError(404, _("Fine."))
raise policy.NotPermitted(gettext("Fine."))
raise ValidationError(message)
raise ValidationError({n: ["Plain."] for n in names})
errors["a"] = [f"Plain {x}."]
errors.setdefault("a", []).append("Plain.")
errors["a"] = [_("Fine.")]
"""
    found = untranslated(code, "sample.py")
    assert sorted(int(f.split(":")[1]) for f in found) == [2, 3, 4, 5, 6, 12, 13, 14], found


def test_a_converted_refusal_reads_chinese_then_english():
    """No database: the reading of an amount (``core.inputs``) refuses in the active language."""
    for language, expected in (("zh-hans", "“abc”不是金额。"), ("en", "“abc” is not an amount.")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            to_amount("abc", "price")
        assert refused.value.message_dict == {"price": [expected]}
