"""Reading an asset file a chunk of rows at a time, column by column (pyarrow).

The row path (``rows.RowReader.read``) calls a parser per cell and checks each row as a whole:
at 200,000 rows most of an import's time. Here a chunk's cells are read column by column:
amounts, areas and coordinates in the plain form registers mostly write ("1234.50", "30.123456")
are recognised by one regular expression over the whole column and cast to decimals by Arrow;
dates, yes/no words and coded values are parsed once per distinct text; the row checks
(unit, code, bounds, dates not in the future, classification) run over the columns.

A row is given its values here only when every one of its cells is regular and every check
passes, which is exactly when the row path would have returned the same values without an
error. Any other row (a cell the fast forms do not cover, a refused value, a guarded formula,
an attribute column with a value) is left to the row path, which reads it as before and names
each problem with its row and column: the messages stay those of the row path, produced by the
same code. Files with x/y columns (a coordinate conversion) are read by the row path whole.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from panhuo.register.importing.rows import MAX_AREA, NON_NULL_DEFAULTS, RowReader

#: Plain non-negative numbers in the amount, area and coordinate columns, by field kind:
#: (pattern, Arrow type). An amount below 10^13 yuan (core.bounds), an area below 10^12 m².
FAST_FORMS = {
    "amount": (r"^\d{1,13}(\.\d{1,2})?$", pa.decimal128(15, 2)),
    "decimal": (r"^\d{1,12}(\.\d{1,2})?$", pa.decimal128(14, 2)),
    "coordinate": (r"^-?\d{1,3}(\.\d{1,6})?$", pa.decimal128(9, 6)),
}
AMOUNTS = ("book_value", "accumulated_depreciation", "appraised_value", "annual_income",
           "annual_holding_cost", "area")  # fmt: skip
_MISSING = object()


def usable(reader: RowReader) -> bool:
    """Whether this file's rows may be read here (assets, no x/y conversion)."""
    return (
        reader.target.name == "assets"
        and reader.transformer is None
        and "x" not in reader.index
        and "y" not in reader.index
    )


def _numbers(texts: list[str], kind: str, parse, bad: bytearray) -> list[Any]:
    """A number column: the plain ones cast by Arrow, the others parsed one by one (a row
    whose cell the parser refuses goes to the row path)."""
    pattern, typ = FAST_FORMS[kind]
    column = pa.array(texts, pa.string())
    plain = pc.match_substring_regex(column, pattern).to_pylist()
    cast = pc.cast(pc.if_else(plain, column, pa.scalar(None, pa.string())), typ)
    shown = pc.cast(cast, pa.string()).to_pylist()
    out: list[Any] = []
    for k, text in enumerate(texts):
        if plain[k]:
            out.append(Decimal(shown[k]))
        elif not text:
            out.append(None)
        else:
            try:
                value = parse(text)
            except ValueError:
                bad[k] = 1
                value = None
            out.append(value)
    return out


#: Distinct texts a column's memo keeps (``_memoised``) before it starts afresh.
MEMO_LIMIT = 100_000


def _any_guarded(texts: list[str]) -> bool:
    """Whether a cell of the column starts with a formula guard ("'"), asked of the column
    joined once rather than of each cell (a separator in a cell can only add a false alarm,
    which the cell-by-cell check then clears)."""
    return "\x00'" in "\x00" + "\x00".join(texts)


def _memoised(texts: list[str], parse, bad: bytearray, seen: dict[str, Any]) -> list[Any]:
    """A column of few distinct texts (dates, yes/no): each parsed once per file (``seen``
    lasts from chunk to chunk: a file's acquisition dates repeat across its chunks)."""
    if len(seen) > MEMO_LIMIT:
        seen.clear()
    out: list[Any] = []
    for k, text in enumerate(texts):
        value = seen.get(text, _MISSING)
        if value is _MISSING:
            try:
                value = parse(text)
            except ValueError:
                value = _MISSING
            seen[text] = value
        if value is _MISSING:
            bad[k] = 1
            value = None
        out.append(value)
    return out


def read_chunk(reader: RowReader, chunk: list[list[str]]) -> list[dict[str, Any] | None]:
    """Each row's checked values (as ``reader.read`` returns them), or None for a row the
    row path must read. Nothing is reported here."""
    n = len(chunk)
    bad = bytearray(n)
    width = reader.width
    constants = reader.constant_cells
    names: list[str] = []
    columns: list[list[Any]] = []
    # Short rows padded once (a copy: the row path reads the rows as they came), so that each
    # cell is taken without asking every row's length.
    blank = [""] * width
    full = [row if len(row) >= width else [*row, *blank[len(row) :]] for row in chunk]
    for i, name, attr, kind, parse, vmap, lookup, max_length, _choices in reader.plan:
        if i >= width:
            texts = [constants[i - width].strip()] * n
        else:
            texts = [row[i].strip() for row in full]
        if attr:
            for k, text in enumerate(texts):
                if text:
                    bad[k] = 1  # an attribute: the row path's
            continue
        if kind == "text" and _any_guarded(texts):
            for k, text in enumerate(texts):
                if text[:1] == "'":
                    bad[k] = 1  # a formula guard to undo: the row path's
        if vmap:
            texts = [vmap.get(t.lower(), t) for t in texts]
        if lookup is not None:
            values = [lookup.get(t.lower()) for t in texts]
            for k, text in enumerate(texts):
                if values[k] is None and text:
                    bad[k] = 1
        elif kind == "text":
            values = texts
        elif kind in FAST_FORMS and (kind != "amount" or reader.amount_unit(name) == "yuan"):
            values = _numbers(texts, kind, parse, bad)
        elif kind in ("date", "bool"):
            values = _memoised(texts, parse, bad, reader.memo.setdefault(name, {}))
        else:
            values = []
            for k, text in enumerate(texts):
                try:
                    values.append(parse(text))
                except ValueError:
                    bad[k] = 1
                    values.append(None)
        if max_length and (
            lookup is not None or kind != "text" or max(map(len, values), default=0) > max_length
        ):
            for k, value in enumerate(values):
                if value and len(value) > max_length:
                    bad[k] = 1
        names.append(name)
        columns.append(values)
    _check_columns(reader, names, columns, bad)
    names, columns = _finished(reader, names, columns)
    out: list[dict[str, Any] | None] = [
        None if bad[k] else dict(zip(names, values, strict=True))
        for k, values in enumerate(zip(*columns, strict=True) if columns else [()] * n)
    ]
    # A blank cell of a field with a default is left out (the default applies), as the row
    # path leaves it out.
    for name, values in zip(names, columns, strict=True):
        if name in NON_NULL_DEFAULTS:
            for k, value in enumerate(values):
                if value is None and out[k] is not None:
                    del out[k][name]
    return out


def _check_columns(reader: RowReader, names: list[str], columns: list[list[Any]],
                   bad: bytearray) -> None:  # fmt: skip
    """The row checks of ``RowReader._check`` over whole columns: a row that fails one is
    marked for the row path, which says why."""
    col = dict(zip(names, columns, strict=True))
    n = len(bad)
    units = reader.units
    unit_codes = col.get("unit", [""] * n)
    for k, code in enumerate(unit_codes):
        if not code or code not in units:
            bad[k] = 1
    for k, code in enumerate(col.get("code", [""] * n)):
        if not code:
            bad[k] = 1
    # Each range asked of the column's least and greatest value first: a column within it
    # (nearly every file's) is not walked cell by cell.
    for name in AMOUNTS:
        values = col.get(name, ())
        given = [v for v in values if v is not None]
        if given and (min(given) < 0 or (name == "area" and max(given) >= MAX_AREA)):
            for k, value in enumerate(values):
                if value is not None and (value < 0 or (name == "area" and value >= MAX_AREA)):
                    bad[k] = 1
    for name in ("acquired_on", "idle_since"):
        values = col.get(name, ())
        given = [v for v in values if v is not None]
        if given and max(given) > reader.today:
            for k, day in enumerate(values):
                if day is not None and day > reader.today:
                    bad[k] = 1
    if "classification" in col:
        editions = col.get("classification_edition", [None] * n)
        for k, code in enumerate(col["classification"]):
            if code:
                cid = reader.codes.get(code)
                listed = reader.code_editions.get(code)
                if cid is None or (editions[k] and listed and editions[k] != listed):
                    bad[k] = 1
    lats, lons = col.get("latitude", [None] * n), col.get("longitude", [None] * n)
    box = reader.box
    low_lat, high_lat, low_lon, high_lon = box or (-90, 90, -180, 180)
    given_lats = [v for v in lats if v is not None]
    given_lons = [v for v in lons if v is not None]
    if (not given_lats or (max(-90, low_lat) <= min(given_lats) and max(given_lats)
                           <= min(90, high_lat))) and (
        not given_lons or (max(-180, low_lon) <= min(given_lons) and max(given_lons)
                           <= min(180, high_lon))
    ):  # fmt: skip
        return
    for k in range(n):
        lat, lon = lats[k], lons[k]
        if lat is None and lon is None:
            continue
        low_lat, high_lat, low_lon, high_lon = box or (-90, 90, -180, 180)
        if (lat is not None and not (abs(lat) <= 90 and low_lat <= lat <= high_lat)) or (
            lon is not None and not (abs(lon) <= 180 and low_lon <= lon <= high_lon)
        ):
            bad[k] = 1


def _finished(reader: RowReader, names: list[str], columns: list[list[Any]]):
    """What ``RowReader._check`` makes of the rows that passed, column by column: the unit's
    record, the classification's id, the file's edition dropped (a row that did not pass gets
    None where its unit or code is unknown: it is not given values)."""
    units, codes = reader.units, reader.codes
    done_names: list[str] = []
    done: list[list[Any]] = []
    for name, values in zip(names, columns, strict=True):
        if name == "unit":
            values = [units.get(code) for code in values]
        elif name == "classification_edition":
            continue
        elif name == "classification":
            name, values = "classification_id", [codes.get(c) if c else None for c in values]
        done_names.append(name)
        done.append(values)
    return done_names, done
