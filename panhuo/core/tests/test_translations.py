"""The Simplified Chinese interface: the catalogue is complete, compiled, and used by the pages.

The .po is read with a small reader of our own (no polib), the .mo with the standard library's
``gettext``, so these tests need no GNU gettext on the machine that runs them.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from panhuo.core.testing import AssetFactory
from panhuo.organisation.models import Role
from panhuo.organisation.preferences import user_set_language
from panhuo.register.models import AssetKind, AssetStatus, Criticality

PANHUO = Path(__file__).resolve().parents[2]
MESSAGES = PANHUO / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

#: %(name)s, %s, %d, %%  and {name} placeholders; a translation must keep the same ones.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` entries are left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field continuation lines extend

    def finish():
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#"):
            if current is not None and target is not None:
                finish()  # a comment after the strings starts the next entry
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            _extend(current, target, ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest.strip())
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
            if keyword == "msgid" and target is not None and target[0] == "msgstr":
                finish()  # an entry without a blank line before it
                current = Entry(line=number)
            target = (keyword, 0 if keyword == "msgstr" else None)
        else:
            raise AssertionError(f"{path}:{number}: unexpected {keyword!r}")
        _set(current, target, value)
    finish()
    return entries


def _set(entry: Entry, target, value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, name, value)


def _extend(entry: Entry, target, value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, getattr(entry, name) + value)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text) + BRACES.findall(text))


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    found = read_po(PO)
    assert found and found[0].msgid == "", "the catalogue starts with its header"
    return found


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid]


def test_the_header_declares_chinese_with_one_plural_form(entries):
    header = entries[0]
    assert "fuzzy" not in header.flags
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstr[0]
    assert "Language: zh_Hans" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    body = messages(entries)
    assert len(body) > 400, "the catalogue holds the whole interface"
    fuzzy = [e.msgid for e in body if "fuzzy" in e.flags]
    assert fuzzy == [], f"fuzzy entries left: {fuzzy}"
    empty = [e.msgid for e in body if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    assert empty == [], f"untranslated: {empty}"
    plurals = [e for e in body if e.msgid_plural is not None]
    assert plurals, "the interface has plural messages"
    assert all(set(e.msgstr) == {0} for e in plurals), "Chinese has one plural form"
    assert all(set(e.msgstr) == {0} for e in body if e.msgid_plural is None)


def test_translations_keep_the_placeholders(entries):
    wrong = [
        (e.msgid, text)
        for e in messages(entries)
        for text in e.msgstr.values()
        if placeholders(text) != placeholders(e.msgid)
    ]
    assert wrong == []


def test_translations_are_chinese(entries):
    # Every message has some Chinese in it, except the few that are the same in both languages.
    same = {"CSV", "API", "ID", "REITs"}
    latin_only = [
        e.msgid
        for e in messages(entries)
        if not re.search(r"[\u4e00-\u9fff]", e.msgstr[0]) and e.msgstr[0] not in same
    ]
    assert latin_only == []


def test_the_compiled_catalogue_matches_the_po(entries):
    """The .mo Django loads says what the .po says: it was compiled after the last edit."""
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    assert mo.info().get("plural-forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    stale = []
    for e in messages(entries):
        if e.msgid_plural is not None:
            for n in (1, 5):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                if got != e.msgstr[0]:
                    stale.append(e.msgid)
        else:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)
            if got != e.msgstr[0]:
                stale.append(e.msgid)
    assert stale == [], f"run compilemessages: the .mo differs from the .po for {stale}"


def _our_models():
    return [m for m in apps.get_models() if m.__module__.startswith("panhuo.")]


def test_choice_labels_and_verbose_names_are_translated():
    """Everything the models mark for translation reads differently in Chinese."""
    lazy: list[Promise] = []
    for model in _our_models():
        for name in ("verbose_name", "verbose_name_plural"):
            value = getattr(model._meta, name)
            if isinstance(value, Promise) and name in model._meta.original_attrs:
                lazy.append(value)
        for f in model._meta.get_fields():
            if isinstance(getattr(f, "verbose_name", None), Promise):
                lazy.append(f.verbose_name)
            for _value, label in getattr(f, "flatchoices", None) or []:
                if isinstance(label, Promise):
                    lazy.append(label)
    for choices in (Role, AssetKind, AssetStatus, Criticality):
        lazy.extend(label for label in choices.labels if isinstance(label, Promise))
    assert len(lazy) > 100
    with translation.override("en"):
        english = [str(s) for s in lazy]
    with translation.override("zh-hans"):
        chinese = [str(s) for s in lazy]
    untranslated = sorted({en for en, zh in zip(english, chinese, strict=True) if en == zh})
    assert untranslated == []
    with translation.override("zh-hans"):
        assert str(Role.UNIT_OFFICER.label) == "单位资产管理员"
        assert str(AssetKind.LAND.label) == "土地使用权"
        assert str(AssetStatus.IDLE.label) == "闲置"
        assert str(Criticality.ESSENTIAL.label) == "基本公共服务必需"


EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _eager_calls_at_import(path: Path) -> list[str]:
    """Calls of a non-lazy gettext outside any function: they run once, at import, in whatever
    language is active then, and the label stays in that language for every later request."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if (
                not inside
                and isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in names
            ):
                found.append(f"{path.relative_to(PANHUO)}:{child.lineno}")
            visit(child, inside)

    visit(tree, False)
    return found


def test_no_label_is_translated_once_at_import():
    sources = [
        p for p in PANHUO.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    assert len(sources) > 30
    frozen = [hit for p in sources for hit in _eager_calls_at_import(p)]
    assert frozen == [], f"use gettext_lazy for labels defined at import: {frozen}"


@pytest.fixture
def chinese_office(world, client):
    office = world.user("office")
    user_set_language(actor=office, language="zh-hans")
    client.force_login(office)
    return client


def test_dashboard_in_chinese(world, chinese_office):
    AssetFactory(unit=world.unit, kind=AssetKind.LAND, status=AssetStatus.IDLE)
    page = chinese_office.get(reverse("dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in html
    for text in ("工作台", "资产", "资产包", "处置项目", "回款", "债务", "闲置资产", "盘活平台"):
        assert text in html, text
    for english in (
        ">Dashboard<",
        ">Assets<",
        ">Packages<",
        ">Projects<",
        "Sign out",
        "Idle assets",
    ):
        assert english not in html, english
    # Choice labels in the chart tables come out in Chinese too.
    assert "土地使用权" in html
    assert "Land-use right" not in html


def test_asset_list_in_chinese(world, chinese_office):
    AssetFactory(
        unit=world.unit,
        kind=AssetKind.LAND,
        status=AssetStatus.IDLE,
        criticality=Criticality.NON_ESSENTIAL,
    )
    page = chinese_office.get(reverse("asset-list"))
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("资产台账", "占有单位", "账面原值", "土地使用权", "闲置", "非必需"):
        assert text in html, text
    for english in (">Assets<", "Asset register", "Land-use right", ">Idle<", "Holding unit"):
        assert english not in html, english


def test_asset_form_in_chinese(world, chinese_office):
    html = chinese_office.get(reverse("asset-create")).content.decode()
    assert "登记资产" in html
    # Django 6.1's own empty choice, which its zh_Hans catalogue lacks, comes from ours.
    assert "Select an option" not in html
    assert "请选择" in html


def test_an_english_user_still_reads_english(world, client):
    client.force_login(world.user("office"))
    html = client.get(reverse("dashboard")).content.decode()
    assert ">Dashboard<" in html and ">Assets<" in html
    assert "工作台" not in html


def test_the_language_cookie_switches_the_sign_in_page(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html and "Sign in" not in html


def test_the_catalogue_covers_every_string_in_the_code(tmp_path, monkeypatch):
    """Extract the strings afresh from a copy of the sources: none may be new or untranslated.

    Needs GNU gettext's xgettext (Debian package gettext; ./dev test installs it)."""
    assert shutil.which("xgettext"), "install GNU gettext (apt-get install gettext)"
    source = tmp_path / "panhuo"
    shutil.copytree(
        PANHUO,
        source,
        ignore=shutil.ignore_patterns("tests", "__pycache__", "static", "*.mo", "data"),
    )
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[source / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=["tests/*"], verbosity=0)
    fresh = messages(read_po(source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if "fuzzy" in e.flags or not e.msgstr.get(0)]
    assert missing == [], f"translate these and run compilemessages: {missing}"
