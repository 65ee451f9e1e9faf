"""WCAG 2 A/AA checks in the browser tests, with axe-core (issue 14, item 10).

axe-core is a test tool, not part of the site: ``package.json`` pins it, ``package-lock.json``
fixes its bytes, and ``./dev install`` (so also ``./dev test`` and ``.ci/run``) installs it with
``npm ci`` into ``node_modules/``. Nothing is fetched while the tests run.

The script goes into the page through the DevTools protocol rather than a ``<script>`` tag: the
site's content security policy refuses any inline script without the request's nonce, and the
CSP test beside this one would (rightly) report the tag. ``with_axe`` hands it to the browser
once per context, which runs it in every page the context opens (``add_init_script``): sending
its 650 kB with every page cost more than the navigation itself.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: The success criteria the check holds every page to: WCAG 2.0 and 2.1, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: What ``axe.run`` returns, cut to what a failure message needs (the full result of a page is
#: several hundred kilobytes of passes and inapplicable rules).
RUN = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return result.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map(n => ({
            target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
            summary: (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim(),
        })),
    }));
}"""


@functools.cache
def axe_source() -> str:
    """axe-core's script, read once per process; a clear failure when it is not installed."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run ./dev install, which runs "
            "`npm ci` from package-lock.json (Node.js and npm are needed)",
            pytrace=False,
        )
    # The trailing expression keeps Playwright from taking the script's value for a function.
    return AXE.read_text(encoding="utf-8") + "\n;true"


def with_axe(page):
    """``page``, whose context now loads axe-core into every page it opens from here on."""
    page.context.add_init_script(script=axe_source())
    return page


def axe_violations(page) -> list[dict[str, Any]]:
    """The WCAG 2 A/AA violations axe-core finds in ``page`` as it is now drawn."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN, TAGS)


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """One line per failing element: the rule, the page (and who saw it) and the element."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}) on {where}: {node['target']}"
                f" — {node['summary'] or violation['help']}"
            )
    return lines
