"""Where a test run's time went, by test module: the sum of its items' times from pytest's JUnit
XML (``--junitxml``), the module's share of the run and its item count, the longest first.

    python bench/junit_modules.py RUN.xml [--top 20]

``.ci/run`` prints it after each test run (issue 11): pytest's 25 slowest items name the long
tests, but a stage grows mostly by modules of many short items, which only a sum per module
shows. Times are wall seconds as pytest measured them (setup + call + teardown) on workers that
ran side by side, so the sum exceeds the run's wall by about the number of workers.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def by_module(path: str) -> tuple[dict[str, list[float]], float]:
    """Each module's total seconds and item count, and the total over all items."""
    modules: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    total = 0.0
    for case in ET.parse(path).iter("testcase"):  # noqa: S314
        seconds = float(case.get("time") or 0)
        name = (case.get("classname") or "?").rsplit(".", 1)
        # classname is "pkg.module" or "pkg.module.Class": keep the module's dotted path.
        module = case.get("classname") or "?"
        if name[-1][:1].isupper():
            module = name[0]
        entry = modules[module]
        entry[0] += seconds
        entry[1] += 1
        total += seconds
    return modules, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("xml")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    try:
        modules, total = by_module(args.xml)
    except (OSError, ET.ParseError) as error:
        sys.exit(f"junit_modules: cannot read {args.xml}: {error}")
    print(f"The {args.top} test modules that took longest (sum of their items' seconds; all "
          f"{sum(int(n) for _, n in modules.values())} items: {total:.0f} s):")  # fmt: skip
    print(f"{'seconds':>8} {'share':>6} {'items':>6}  module")
    ranked = sorted(modules.items(), key=lambda kv: kv[1][0], reverse=True)
    for module, (seconds, items) in ranked[: args.top]:
        share = seconds / total if total else 0.0
        print(f"{seconds:8.1f} {share:6.1%} {int(items):6d}  {module}")


if __name__ == "__main__":
    main()
