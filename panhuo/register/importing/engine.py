"""The asset import: apply a column mapping to a file, validate every row, and write all of it
or (when asked) only the valid rows — in one transaction, so a crash or a cancel leaves nothing.

One pass over the file: rows are parsed and checked in batches; each batch is matched against
the register by its natural key (unit code + asset code) to count new, updated and unchanged
rows; when committing, the batch is written with its audit entries at once. At the end the
transaction is rolled back for a dry run, or in all-or-nothing mode when any row was rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from panhuo.core.bulk import insert_rows
from panhuo.integrity.services import ObjRef, _plain, audit_record_many, snapshot
from panhuo.organisation import policy
from panhuo.register import hooks
from panhuo.register import models as m
from panhuo.register.attributes import KIND_ATTRIBUTES, clean_attributes
from panhuo.register.importing.fields import (
    ASSET_FIELDS,
    FIELD_NAMES,
    FieldSpec,
    auto_columns,
    parser_for,
)
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.values import parse_choice
from panhuo.register.services import status_change_refusal


def csv_unsafe(cell: str) -> str:
    from panhuo.register.exporting import csv_unsafe as undo

    return undo(cell)


MAX_REPORTED_ERRORS = 1000
CHOICES = {
    "AssetKind": dict(m.AssetKind.choices),
    "AssetStatus": dict(m.AssetStatus.choices),
    "Criticality": dict(m.Criticality.choices),
}
NON_NULL_DEFAULTS = {
    "book_value": Decimal("0.00"),
    "accumulated_depreciation": Decimal("0.00"),
    "annual_income": Decimal("0.00"),
    "annual_holding_cost": Decimal("0.00"),
    "status": m.AssetStatus.IN_USE,
    "criticality": m.Criticality.NON_ESSENTIAL,
    "title_complete": False,
    "address": "",
    "certificate_number": "",
}
COMPARED = [
    "name", "kind", "classification_id", "address", "latitude", "longitude", "area",
    "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
    "annual_holding_cost", "status", "idle_since", "criticality", "certificate_number",
    "title_complete", "acquired_on", "attributes",
]  # fmt: skip


class ImportCancelled(Exception):
    """The user cancelled; everything done so far is rolled back."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Mapping:
    """How to read one source's files: header → field, source word → Panhuo value, options."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(
            columns=dict(data.get("columns") or {}),
            values={k: dict(v) for k, v in (data.get("values") or {}).items()},
            options=dict(data.get("options") or {}),
        )

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "values": self.values, "options": self.options}


@dataclass
class Report:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    ignored_headers: list[str] = field(default_factory=list)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "error_count": self.error_count, "committed": self.committed,
            "errors": [e.as_dict() for e in self.errors], "columns": self.columns,
            "ignored_headers": self.ignored_headers,
        }  # fmt: skip


def _transformer(crs: str | None):
    if not crs or crs.upper() in {"EPSG:4326", "WGS84", "WGS 84"}:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        return Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4326), always_xy=True)
    except CRSError:
        raise FileRejected(f"Unknown coordinate reference system {crs!r} in the mapping.") from None


class _RowReader:
    """Turns one row of text cells into field values, reporting each bad cell."""

    def __init__(self, headers: list[str], mapping: Mapping, target: Target, ctx: dict):
        self.target, self.ctx = target, ctx
        columns = mapping.columns or target.auto_columns(headers)
        unknown = sorted(set(columns.values()) - set(target.field_names))
        if unknown:
            raise FileRejected(f"The mapping names unknown fields: {', '.join(unknown)}.")
        missing_headers = [h for h in columns if h not in headers]
        if missing_headers:
            raise FileRejected(
                f"The mapping expects column(s) {', '.join(missing_headers)} that the file "
                "does not have."
            )
        self.columns = columns
        for required in target.required:
            if required not in columns.values():
                raise FileRejected(f"No column is mapped to the required field “{required}”.")
        self.index = {target: headers.index(h) for h, target in columns.items()}
        self.header_of = {target: h for h, target in columns.items()}
        self.parsers = {
            f.name: parser_for(f, mapping.options)
            for f in target.fields
            if f.name in self.index and f.kind != "choice"
        }
        by_name = {f.name: f for f in target.fields}
        choices = target.choices
        self.values = {k: {s.strip().lower(): v for s, v in d.items()}
                       for k, d in mapping.values.items()}  # fmt: skip
        # Codes and labels (English and the active language) resolved once, not per cell.
        self.choice_lookup = {
            spec.name: {
                **{w.lower(): code for w, code in target.words.get(spec.name, {}).items()},
                **{str(label).lower(): code for code, label in choices[spec.choices].items()},
                **{code.lower(): code for code in choices[spec.choices]},
            }
            for spec in target.fields
            if spec.kind == "choice"
        }
        # One tuple per mapped column, so the per-cell loop does no lookups by name.
        self.plan = []
        for name, i in self.index.items():
            if name.startswith("attributes."):
                self.plan.append((i, name, name.split(".", 1)[1], None, None, None, None, None,
                                  None))  # fmt: skip
                continue
            spec = by_name[name]
            self.plan.append((
                i, name, None, spec.kind, self.parsers.get(name), self.values.get(name),
                self.choice_lookup.get(name), spec.max_length,
                choices[spec.choices] if spec.choices else None,
            ))  # fmt: skip
        self.units = ctx.get("units")
        self.codes = ctx.get("codes")
        self.today = ctx.get("today")
        crs = mapping.options.get("crs") if target.name == "assets" else None
        self.transformer = _transformer(crs)

    def read(self, cells: list[str], rownum: int, report: Report) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        errors_before = report.error_count

        def bad(name: str, message: str) -> None:
            report.add_error(rownum, self.header_of.get(name, name), message)

        ncells = len(cells)
        for i, name, attr, _kind, parse, vmap, lookup, max_length, choices in self.plan:
            text = cells[i].strip() if i < ncells else ""
            if text[:1] == "'" and (attr or _kind == "text"):
                text = csv_unsafe(text)  # undo the export's formula guard
            if attr:
                if text:
                    out.setdefault("attributes", {})[attr] = text
                continue
            if vmap:
                text = vmap.get(text.lower(), text)
            if lookup is not None:
                value = lookup.get(text.lower())
                if value is None and text:
                    try:
                        parse_choice(text, choices)
                    except ValueError as exc:
                        bad(name, str(exc))
                    continue
            else:
                try:
                    value = parse(text)
                except ValueError as exc:
                    bad(name, str(exc))
                    continue
            if max_length and value and len(value) > max_length:
                bad(name, f"longer than {max_length} characters")
                continue
            out[name] = value
        if report.error_count > errors_before:
            return None
        return self.target.check(self, out, rownum, report, bad)

    def _check(self, out, rownum, report, bad) -> dict[str, Any] | None:
        errors_before = report.error_count
        unit_code = out.pop("unit", "") or ""
        unit = self.units.get(unit_code)
        if not unit_code:
            bad("unit", "the unit is required")
        elif unit is None:
            bad("unit", f"unknown unit {unit_code!r} (or not one you may import into)")
        out["unit"] = unit
        if not out.get("code"):
            bad("code", "the asset code is required")
        for name in ("book_value", "accumulated_depreciation", "appraised_value",
                     "annual_income", "annual_holding_cost", "area"):  # fmt: skip
            value = out.get(name)
            if value is not None and value < 0:
                bad(name, f"{value} is negative")
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = out.get(name)
            if value is not None and abs(value) > limit:
                bad(name, f"{value} is outside ±{limit}")
        for name in ("acquired_on", "idle_since"):
            value = out.get(name)
            if value is not None and value > self.today:
                bad(name, f"{value.isoformat()} is in the future")
        if "classification" in out:
            code = out.pop("classification")
            if code:
                cid = self.codes.get(code)
                if cid is None:
                    bad("classification", f"unknown classification code {code!r}")
                out["classification_id"] = cid
            else:
                out["classification_id"] = None
        x, y = out.pop("x", None), out.pop("y", None)
        if x is not None or y is not None:
            if self.transformer is None:
                bad("x", "x/y columns need a coordinate reference system in the mapping")
            elif x is None or y is None:
                bad("x", "both x and y are needed")
            else:
                lon, lat = self.transformer.transform(float(x), float(y))
                if not (abs(lat) <= 90 and abs(lon) <= 180):
                    bad("x", "the coordinates do not convert to a place on Earth")
                else:
                    out["longitude"] = Decimal(repr(lon)).quantize(Decimal("0.000001"))
                    out["latitude"] = Decimal(repr(lat)).quantize(Decimal("0.000001"))
        if report.error_count > errors_before:
            return None
        return out


def _merged_check(values: dict[str, Any], base: m.Asset | None, rownum, report, header_of):
    """Rules that need the whole record (after merging with the stored asset, for updates)."""

    def get(name):
        if name in values:
            return values[name]
        return getattr(base, name) if base is not None else NON_NULL_DEFAULTS.get(name)

    errors_before = report.error_count
    if base is None:
        for name in ("name", "kind"):
            if not values.get(name):
                report.add_error(
                    rownum, header_of.get(name, name), f"the {name} is required for a new asset"
                )
    kind = get("kind")
    book, dep = get("book_value") or Decimal(0), get("accumulated_depreciation") or Decimal(0)
    if dep > book:
        report.add_error(
            rownum,
            header_of.get("accumulated_depreciation", "accumulated_depreciation"),
            f"accumulated depreciation {dep} exceeds the book value {book}",
        )
    if "attributes" in values and kind in KIND_ATTRIBUTES:
        from django.core.exceptions import ValidationError

        try:
            values["attributes"] = clean_attributes(kind, values["attributes"])
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                report.add_error(rownum, key, "; ".join(messages))
    return report.error_count == errors_before


@dataclass(frozen=True)
class Target:
    """What one kind of record needs from the engine: its field table, the columns a file
    must map, its context (what the actor may write into, looked up once), its row check,
    its natural key and how a batch is matched and written (``flush``).

    ``words`` adds source words for coded values (e.g. "一般债券" for general bond) to every
    mapping, so that common files read without a value mapping.
    """

    name: str
    fields: list[FieldSpec]
    field_names: list[str]
    choices: dict[str, dict[str, str]]
    required: tuple[str, ...]
    auto_columns: Callable[[list[str]], dict[str, str]]
    context: Callable[[Any], dict[str, Any]]
    check: Callable[..., dict[str, Any] | None]
    key: Callable[[dict[str, Any]], tuple]
    duplicate: Callable[[dict[str, Any], int], str]
    key_column: str
    flush: Callable[..., None]
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The model whose fields' verbose names label the import form's columns (assets: Asset).
    model: Any = None


def _asset_context(actor) -> dict[str, Any]:
    return {
        "units": {u.code: u for u in policy.units_for(actor, "asset", "create")},
        "codes": dict(m.ClassificationCode.objects.values_list("code", "id")),
        "today": timezone.localdate(),
    }


ASSETS = Target(
    name="assets",
    fields=ASSET_FIELDS,
    field_names=FIELD_NAMES,
    choices=CHOICES,
    required=("unit", "code"),
    auto_columns=auto_columns,
    context=_asset_context,
    check=lambda reader, out, rownum, report, bad: reader._check(out, rownum, report, bad),
    key=lambda v: (v["unit"].pk, v["code"]),
    duplicate=lambda v, first: (
        f"asset {v['code']} of unit {v['unit'].code} already appears in row {first}"
    ),
    key_column="code",
    flush=lambda batch, actor, report, reader, commit, source: _flush(
        batch, actor, report, reader, commit, source
    ),
)


def target_for(name: str) -> Target:
    """The import target called ``name``: assets, or one an app above registered on
    ``register.hooks.import_targets`` (finance's debts)."""
    if name == "assets":
        return ASSETS
    other = hooks.import_targets.get(name)
    if other is not None:
        return other
    raise FileRejected(f"Unknown import target {name!r}.")


def import_assets(**kwargs) -> Report:
    """Import (or, without ``commit``, only check) an asset file (see ``run_import``)."""
    return run_import(ASSETS, **kwargs)


def run_import(
    target: Target,
    *,
    actor,
    stream: IO[bytes],
    mapping: Mapping | None = None,
    commit: bool = False,
    valid_only: bool = False,
    batch_size: int = 2000,
    progress: Callable[[int], bool | None] | None = None,
    filename: str = "",
    run_id: int | None = None,
) -> Report:
    """Import (or, without ``commit``, only check) a file of ``target``'s records.

    ``progress`` is called with the number of rows read after each batch; returning True
    cancels. ``valid_only`` writes the valid rows even when others are rejected; otherwise any
    rejected row means nothing is written.
    """
    mapping = mapping or Mapping()
    opts = mapping.options
    table = read_table(stream, filename=filename, sheet=opts.get("sheet"),
                       encoding=opts.get("encoding"), delimiter=opts.get("delimiter"))  # fmt: skip
    reader = _RowReader(table.headers, mapping, target, target.context(actor))
    report = Report(
        columns=reader.columns,
        ignored_headers=[h for h in table.headers if h not in reader.columns],
    )
    seen: dict[tuple, int] = {}
    source = {"import": run_id, "file": filename} if run_id else {"file": filename}

    with transaction.atomic():
        batch: list[tuple[int, dict[str, Any]]] = []
        rownum = table.first_row - 1
        for cells in table.rows:
            rownum += 1
            if not any(c.strip() for c in cells):
                continue
            report.rows += 1
            values = reader.read(cells, rownum, report)
            if values is None:
                report.rejected += 1
            else:
                key = target.key(values)
                if key in seen:
                    report.add_error(
                        rownum,
                        reader.header_of[target.key_column],
                        target.duplicate(values, seen[key]),
                    )
                    report.rejected += 1
                else:
                    seen[key] = rownum
                    batch.append((rownum, values))
            if len(batch) >= batch_size:
                target.flush(batch, actor, report, reader, commit, source)
                batch = []
                if progress and progress(report.rows):
                    raise ImportCancelled
        target.flush(batch, actor, report, reader, commit, source)
        if progress and progress(report.rows):
            raise ImportCancelled
        if report.rows == 0:
            raise FileRejected("The file has a header row but no data rows.")
        keep = commit and (valid_only or report.rejected == 0)
        report.committed = keep
        if not keep:
            transaction.set_rollback(True)
    return report


def _flush(batch, actor, report: Report, reader: _RowReader, commit: bool, source) -> None:
    if not batch:
        return
    # One query per batch: codes may repeat across units, so match the pair in Python.
    wanted = {(v["unit"].pk, v["code"]) for _row, v in batch}
    existing = {
        (a.unit_id, a.code): a
        for a in m.Asset.objects.filter(
            unit_id__in={u for u, _c in wanted}, code__in={c for _u, c in wanted}
        )
        if (a.unit_id, a.code) in wanted
    }
    new: list[dict[str, Any]] = []
    changed: list[tuple[m.Asset, dict, dict]] = []
    for rownum, v in batch:
        base = existing.get((v["unit"].pk, v["code"]))
        if not _merged_check(v, base, rownum, report, reader.header_of):
            report.rejected += 1
            continue
        if base is None:
            new.append({**NON_NULL_DEFAULTS, **v})
            report.new += 1
            continue
        refused = "status" in v and status_change_refusal(base.status, v["status"])
        if refused:
            report.add_error(rownum, reader.header_of.get("status", "status"), refused)
            report.rejected += 1
            continue
        before = snapshot(base)
        diff = {}
        for name, value in v.items():
            if name in ("unit", "code"):
                continue
            if getattr(base, name) != value:
                diff[name] = value
        if not diff:
            report.unchanged += 1
            continue
        for name, value in diff.items():
            setattr(base, name, value)
        after = snapshot(base)
        changed.append((base, before, after))
        report.updated += 1
    if not commit:
        return
    records = []
    if new:
        records += _insert_new(new, source)
    if changed:
        names = sorted({k for _a, b, af in changed for k in af if b.get(k) != af.get(k)})
        now = timezone.now()
        for a, _b, _af in changed:
            a.version += 1
            a.updated_at = now
        m.Asset.objects.bulk_update(
            [a for a, _b, _af in changed], [*names, "version", "updated_at"], batch_size=1000
        )
        for a, b, af in changed:
            records.append((
                "asset.import_update", a,
                {k: v for k, v in b.items() if af.get(k) != v},
                {**{k: v for k, v in af.items() if b.get(k) != v}, "source": source},
                a.unit.jurisdiction.path,
            ))  # fmt: skip
    audit_record_many(actor=actor, records=records)


NEW_COLUMNS = [
    "unit", "code", "name", "kind", "classification", "address", "latitude", "longitude",
    "area", "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
    "annual_holding_cost", "status", "idle_since", "criticality", "certificate_number",
    "title_complete", "acquired_on", "attributes",
]  # fmt: skip


def _insert_new(new: list[dict[str, Any]], source) -> list[tuple]:
    """Insert new assets in one bulk statement and return their audit records."""
    now = timezone.now()
    rows = []
    for v in new:
        values = {**v, "unit": v["unit"].pk, "classification": v.get("classification_id"),
                  "attributes": v.get("attributes") or {}}  # fmt: skip
        rows.append([values.get(c) for c in NEW_COLUMNS] + [1, now, now])
    insert_rows(m.Asset, [*NEW_COLUMNS, "version", "created_at", "updated_at"], rows)
    keys = {(v["unit"].pk, v["code"]): v for v in new}
    ids = {
        (unit_id, code): pk
        for pk, unit_id, code in m.Asset.objects.filter(
            unit_id__in={u for u, _c in keys}, code__in={c for _u, c in keys}
        ).values_list("pk", "unit_id", "code")
        if (unit_id, code) in keys
    }
    records = []
    for (unit_id, code), v in keys.items():
        pk = ids[(unit_id, code)]
        after = {c: _plain(v.get(c if c != "classification" else "classification_id"))
                 for c in NEW_COLUMNS}  # fmt: skip
        after.update(id=pk, unit=unit_id, attributes=v.get("attributes") or {}, source=source)
        records.append(("asset.import_create", ObjRef("register.asset", pk, f"{code} {v['name']}"),
                        None, after, v["unit"].jurisdiction.path))  # fmt: skip
    return records
