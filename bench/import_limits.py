"""Benchmark: crafted XLSX files against the import's parsing limits, and an honest workbook.

Run:  python bench/import_limits.py [--rows 50000]

Each case runs in a fresh process (PANHUO_ENV=test settings, limits as configured there) and
prints the outcome (read, or the refusal's first words), wall time and peak memory (max RSS):
  * bomb: a 1 MiB workbook whose sheet unpacks to 416 MiB of identical rows (ratio ~400);
  * bomb, ratio allowed: the same with PANHUO_XLSX_MAX_RATIO raised, so that the row limit
    must stop it while streaming;
  * strings: a workbook whose shared-string table holds 3 million entries (ratio allowed);
  * honest: a generated register of --rows rows (openpyxl-written), read through the bounded
    reader, and through openpyxl's own read-only iter_rows for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

CHILD = r"""
import resource, sys, time, io
import django
django.setup()
from panhuo.register.importing.readers import FileRejected, read_table, cell_text
path, mode = sys.argv[1], sys.argv[2]
started = time.perf_counter()
rows = 0
try:
    if mode == "openpyxl":
        from openpyxl import load_workbook
        wb = load_workbook(path, read_only=True, data_only=True)
        for r in wb.worksheets[0].iter_rows(values_only=True):
            [cell_text(c) for c in r]
            rows += 1
        outcome = f"read {rows} rows"
    else:
        with open(path, "rb") as f:
            table = read_table(f, filename="x.xlsx")
            for _ in table.rows:
                rows += 1
        outcome = f"read {rows} rows"
except FileRejected as exc:
    outcome = "refused: " + str(exc)[:90]
took = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{outcome:100} {took:7.2f} s {rss:7.0f} MiB")
"""


def base(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["unit", "code"])
    wb.save(path)


def craft(path: Path, parts: dict[str, object]) -> None:
    tmp = path.with_suffix(".base.xlsx")
    base(tmp)
    src = zipfile.ZipFile(tmp)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        names = [*src.namelist(), *(n for n in parts if n not in src.namelist())]
        for name in names:
            content = parts.get(name, src.read(name) if name in src.namelist() else b"")
            if name == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                content = content.replace(b"</Types>", (
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
                    "</Types>").encode())  # fmt: skip
            with z.open(name, "w", force_zip64=True) as f:
                for chunk in [content] if isinstance(content, bytes) else content:
                    f.write(chunk)


def sheet_chunks(rows: int, chunk_rows: int = 40_000):
    yield f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c t="inlineStr"><is><t>unit</t>'.encode()
    yield b"</is></c></row>"
    chunk = ("<row><c><v>1</v></c></row>" * chunk_rows).encode()
    for _ in range(rows // chunk_rows):
        yield chunk
    yield b"</sheetData></worksheet>"


def strings_chunks(n: int):
    yield f'<sst xmlns="{NS}"><si><t>unit</t></si>'.encode()
    chunk = "".join(f"<si><t>{i}</t></si>" for i in range(100_000)).encode()
    for _ in range(n // 100_000):
        yield chunk
    yield b"</sst>"


def honest(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("register")
    ws.append(["unit", "code", "name", "kind", "book_value", "status", "idle_since", "address"])
    for i in range(rows):
        ws.append(["U1", f"A-{i:07d}", f"Asset {i}", "building", 1000.5 + i, "idle",
                   dt.date(2020, 1, 1 + i % 28), f"No. {i} Road"])  # fmt: skip
    wb.save(path)


def run(label: str, path: Path, mode: str = "bounded", **env: str) -> None:
    environment = {**os.environ, "PANHUO_ENV": "test", "DJANGO_SETTINGS_MODULE": "panhuo.settings",
                   "PYTHONPATH": str(ROOT), **env}  # fmt: skip
    out = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", CHILD, str(path), mode], env=environment, capture_output=True,
        text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    size = path.stat().st_size / 1024
    print(f"{label:28} {size:8.0f} KiB  {(out.stdout or out.stderr[-300:]).strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        craft(d / "bomb.xlsx", {"xl/worksheets/sheet1.xml": sheet_chunks(16_000_000)})
        craft(d / "strings.xlsx", {"xl/sharedStrings.xml": strings_chunks(3_000_000)})
        honest(d / "honest.xlsx", args.rows)
        run("bomb", d / "bomb.xlsx")
        run("bomb, ratio allowed", d / "bomb.xlsx", PANHUO_XLSX_MAX_RATIO="100000")
        run("strings, ratio allowed", d / "strings.xlsx", PANHUO_XLSX_MAX_RATIO="100000")
        run("honest, bounded reader", d / "honest.xlsx")
        run("honest, openpyxl iter_rows", d / "honest.xlsx", "openpyxl")


if __name__ == "__main__":
    main()
