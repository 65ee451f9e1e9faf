"""The asset import: apply a column mapping to a file, validate every row, and write all of it
or (when asked) only the valid rows; a failure, a cancel or a crash leaves nothing.

First one pass over the file with no transaction open: rows are parsed and checked in batches;
each batch is matched against the register by its natural key (unit code + asset code) to count
new, updated and unchanged rows. A dry run ends there, having written nothing and locked
nothing; so does a commit in all-or-nothing mode when any row was rejected. A commit then writes
the checked rows in short transactions, reverting what it wrote if it cannot finish
(``writing.py``), so other users' writes never wait for more than one batch.
"""

from __future__ import annotations

import itertools
import operator
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from panhuo.core.bulk import RawJSON, insert_rows
from panhuo.core.texts import Msg
from panhuo.integrity.batches import audit_record_batch
from panhuo.integrity.models import AuditEntry, AuditRow
from panhuo.integrity.services import ObjRef, audit_record_many, snapshot
from panhuo.organisation import policy
from panhuo.register import hooks, rollups
from panhuo.register import models as m
from panhuo.register.importing import columnar
from panhuo.register.importing.fields import (
    ASSET_FIELDS,
    FIELD_NAMES,
    FieldSpec,
    auto_columns,
)
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.report import (  # noqa: F401 (imported from here by callers)
    MAX_REPORTED_ERRORS,
    ImportCancelled,
    Mapping,
    Report,
    RowError,
)
from panhuo.register.importing.rows import CHOICES, NON_NULL_DEFAULTS, RowReader, merged_check
from panhuo.register.importing.writing import Checked, spill, write_checked
from panhuo.register.services import status_change_message

COMPARED = [
    "name", "kind", "classification_id", "address", "latitude", "longitude", "area",
    "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
    "annual_holding_cost", "status", "idle_since", "criticality", "certificate_number",
    "title_complete", "acquired_on", "attributes",
]  # fmt: skip


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
    required: tuple[str, ...]
    auto_columns: Callable[[list[str]], dict[str, str]]
    context: Callable[[Any], dict[str, Any]]
    check: Callable[..., dict[str, Any] | None]
    key: Callable[[dict[str, Any]], tuple]
    duplicate: Callable[[dict[str, Any], int], Any]
    key_column: str
    flush: Callable[..., None]
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The coded fields' values by their choices' names (``FieldSpec.choices``).
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The names a mapping may give columns to: the fields' unless given.
    field_names: list[str] = field(default_factory=list)
    #: The model whose fields' verbose names label the import form's columns (assets: Asset).
    model: Any = None
    #: Undoes what an import wrote, found by its audit entries (``revert(actor=, source=)``;
    #: ``source`` holds "write" or "import"). A target with one writes its checked rows in
    #: short transactions (``writing.py``); without one, in one transaction.
    revert: Callable[..., int] | None = None
    #: Field → how a person calls it, for a target without a ``model`` (units, users).
    labels: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not self.field_names:
            object.__setattr__(self, "field_names", [f.name for f in self.fields])


def repeated(code: str, text: str, /, **shown: str | Callable[[dict], Any]) -> Callable:
    """A target's ``duplicate``: the error of a row whose key an earlier row has, ``text``
    showing that row (``row``) and each of ``shown``: a field of the row's values, or what a
    function makes of them."""
    return lambda v, first: Msg(
        code, text, row=first, **{k: f(v) if callable(f) else v[f] for k, f in shown.items()}
    )


def _asset_context(actor) -> dict[str, Any]:
    return {
        "units": {u.code: u for u in policy.units_for(actor, "asset", "create")},
        "codes": dict(m.ClassificationCode.objects.values_list("code", "id")),
        "code_editions": dict(m.ClassificationCode.objects.values_list("code", "edition__name")),
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
    key=lambda v: (v["unit"].id, v["code"]),  # a unit's id: its pk, read plainly
    duplicate=repeated(
        "duplicate_asset",
        gettext_noop("asset %(code)s of unit %(unit)s already appears in row %(row)s"),
        code="code",
        unit=lambda v: v["unit"].code,
    ),
    key_column="code",
    flush=lambda batch, actor, report, reader, commit, source: _flush(
        batch, actor, report, reader, commit, source
    ),
    revert=lambda *, actor, source: revert_assets(actor=actor, source=source),
)


def target_for(name: str) -> Target:
    """The import target called ``name``: assets, or one an app above registered on
    ``register.hooks.import_targets`` (finance's debts)."""
    if name == "assets":
        return ASSETS
    other = hooks.import_targets.get(name)
    if other is not None:
        return other
    raise FileRejected(Msg("unknown_target", gettext_noop("Unknown import target “%(name)s”."),
                           name=name))  # fmt: skip


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
    finish: Callable[[Report], None] | None = None,
) -> Report:
    """Import (or, without ``commit``, only check) a file of ``target``'s records.

    ``progress`` is called with the number of rows read after each batch; returning True
    cancels. ``valid_only`` writes the valid rows even when others are rejected; otherwise any
    rejected row means nothing is written. ``finish`` is called with the report inside the
    transaction of the last rows written, just before it commits (only when all are written),
    so that whoever records the outcome (the import run) commits it with the data: a crash
    after the commit cannot leave the run reading "failed, nothing was written".
    """
    mapping = mapping or Mapping()
    opts = mapping.options

    def opening() -> None:
        # While a workbook is opened (shared strings, blank rows): report, and stop if asked.
        if progress and progress(0):
            raise ImportCancelled

    table = read_table(stream, filename=filename, sheet=opts.get("sheet"),
                       encoding=opts.get("encoding"), delimiter=opts.get("delimiter"),
                       tick=opening)  # fmt: skip
    reader = RowReader(table.headers, mapping, target, target.context(actor))
    report = Report(
        columns=reader.columns,
        ignored_headers=[h for h in table.headers if h not in reader.columns],
    )
    seen: dict[tuple, int] = {}
    source = {"import": run_id, "file": filename} if run_id else {"file": filename}
    # Names this write's audit entries, so that a failed write can be reverted (writing.py).
    source["write"] = uuid.uuid4().hex

    # Read and check every row with no transaction open: nothing is written, so no lock is
    # taken (on SQLite an IMMEDIATE transaction would hold the write lock). A commit keeps
    # the checked rows in a temporary file and writes them afterwards, in short transactions.
    with tempfile.TemporaryFile() as spilled:
        checked = Checked(spilled)

        def check(batch: list[tuple[int, dict[str, Any]]]) -> None:
            target.flush(batch, actor, report, reader, False, source)
            if commit:
                spill(checked, [(r, v) for r, v in batch if r not in report.bad_rows])

        batch: list[tuple[int, dict[str, Any]]] = []
        rownum = table.first_row - 1
        since_progress = 0
        for cells, ready in _chunked(table.rows, reader, batch_size):
            rownum += 1
            if ready is not None or any(c.strip() for c in cells):
                report.rows += 1
                values = ready if ready is not None else reader.read(cells, rownum, report)
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
                    check(batch)
                    batch = []
            # Progress (and the chance to cancel) every batch_size rows read, rejected and
            # blank ones included: a file whose rows are all rejected is followed and stopped
            # like any other.
            since_progress += 1
            if since_progress >= batch_size:
                since_progress = 0
                if progress and progress(report.rows):
                    raise ImportCancelled
        check(batch)
        del seen
        if progress and progress(report.rows):
            raise ImportCancelled
        if report.rows == 0:
            raise FileRejected(Msg("no_data_rows", gettext_noop(
                "The file has a header row but no data rows.")))  # fmt: skip
        if commit and (valid_only or report.rejected == 0):
            write_checked(target, actor=actor, reader=reader, spilled=checked, report=report,
                          source=source, valid_only=valid_only, progress=progress,
                          finish=finish)  # fmt: skip
    return report


def _chunked(rows: Iterator[list[str]], reader: RowReader, size: int):
    """Each row's cells, with its checked values when the columnar reader could give them
    (``columnar.py``: assets without x/y), else None (the row path reads it)."""
    if not columnar.usable(reader):
        for cells in rows:
            yield cells, None
        return
    while chunk := list(itertools.islice(rows, size)):
        yield from zip(chunk, columnar.read_chunk(reader, chunk), strict=True)


def _flush(batch, actor, report: Report, reader: RowReader, commit: bool, source) -> None:
    if not batch:
        return
    # One query per batch: codes may repeat across units, so match the pair in Python.
    wanted = {(v["unit"].id, v["code"]) for _row, v in batch}
    found = _asset_ids(wanted)
    existing = (
        {(a.unit_id, a.code): a for a in m.Asset.objects.filter(pk__in=found.values())}
        if found
        else {}
    )
    new: list[dict[str, Any]] = []
    changed: list[tuple[m.Asset, dict, dict]] = []
    for rownum, v in batch:
        base = existing.get((v["unit"].id, v["code"]))
        if not merged_check(v, base, rownum, report, reader.header_of):
            report.rejected += 1
            continue
        if base is None:
            new.append({**NEW_BLANK, **v})
            report.new += 1
            continue
        refused = "status" in v and status_change_message(base.status, v["status"])
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
        records += _insert_new(new)
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
                {k: v for k, v in af.items() if b.get(k) != v},
                a.unit.jurisdiction.path,
            ))  # fmt: skip
    # One chained entry for the batch, each asset's change a row under it (integrity/batches.py).
    audit_record_batch(actor=actor, action="asset.import_batch", records=records, source=source,
                       what="asset rows")  # fmt: skip
    rollups.count([
        *((1, v["unit"].id, v["status"], v["kind"], v["book_value"]) for v in new),
        *((-1, a.unit_id, b["status"], b["kind"], b["book_value"]) for a, b, _af in changed),
        *((1, a.unit_id, a.status, a.kind, a.book_value) for a, _b, _af in changed),
    ])  # fmt: skip


NEW_COLUMNS = [
    "unit", "code", "name", "kind", "classification", "address", "latitude", "longitude",
    "area", "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
    "annual_holding_cost", "status", "idle_since", "criticality", "certificate_number",
    "title_complete", "acquired_on", "attributes",
]  # fmt: skip


#: The new asset's columns whose values are kept in its audit entry as text (``_plain``).
DATE_COLUMNS = ("idle_since", "acquired_on")
PLAIN_COLUMNS = ("latitude", "longitude", "area", "book_value", "accumulated_depreciation",
                 "appraised_value", "annual_income", "annual_holding_cost",
                 *DATE_COLUMNS)  # fmt: skip


def _asset_ids(keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The ids of the assets with these (unit id, code) keys, in one plain statement (the
    ORM's compiling of a thousand codes cost more than the query)."""
    keys = set(keys)
    units = sorted({unit for unit, _code in keys})
    codes = sorted({code for _unit, code in keys})
    if not codes:
        return {}
    table = connection.ops.quote_name(m.Asset._meta.db_table)
    # Both lists, so that the (unit, code) unique index is used: by code alone it is not,
    # and every batch read the whole table (quadratic in the file's size).
    sql = (
        f"SELECT id, unit_id, code FROM {table} WHERE unit_id IN ({', '.join(['%s'] * len(units))})"  # noqa: S608 (our table, bound values)
        f" AND code IN ({', '.join(['%s'] * len(codes))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*units, *codes])
        return {(u, c): pk for pk, u, c in cursor.fetchall() if (u, c) in keys}


#: An asset's empty attributes as stored (JSON text made once, not once per row).
EMPTY = RawJSON("{}")


def _insert_new(new: list[dict[str, Any]]) -> list[tuple]:
    """Insert new assets in one bulk statement and return their audit records. Each row's
    values are taken in one step (``_NEW_VALUES``: every field is in ``new``'s dicts, made
    from ``NEW_BLANK``) and serve both the insert and the audit entry's values, whose amounts
    and dates are made text a column at a time."""
    now = timezone.now()
    rows, keys, taken = [], [], []
    for v in new:
        unit_id = v["unit"].id
        values = _NEW_VALUES(v)
        rows.append((unit_id, *values, v["attributes"] or EMPTY, 1, now, now))
        keys.append((unit_id, v["code"]))
        taken.append(values)
    insert_rows(m.Asset, ["unit", *NEW_FIELDS, "attributes", "version", "created_at",
                          "updated_at"], rows)  # fmt: skip
    ids = _asset_ids(keys)
    columns = [list(c) for c in zip(*taken, strict=True)]
    for i in _TEXT_AT:
        columns[i] = [None if x is None else str(x) for x in columns[i]]
    for i in _DATE_AT:
        columns[i] = [None if x is None else x.isoformat() for x in columns[i]]
    records = []
    for v, (unit_id, code), values in zip(new, keys, zip(*columns, strict=True), strict=True):
        pk = ids[(unit_id, code)]
        after = dict(zip(_RECORDED_KEYS, (*values, pk, unit_id, v["attributes"] or {}),
                         strict=True))  # fmt: skip
        records.append(("asset.import_create", ObjRef("register.asset", pk, f"{code} {v['name']}"),
                        None, after, v["unit"].jurisdiction.path))  # fmt: skip
    return records


#: A new asset's fields after its unit, as inserted (``classification_id``) and as its audit
#: entry names them (``classification``); ``NEW_BLANK`` holds each one's value when the file
#: gives none.
NEW_FIELDS = ["classification_id" if c == "classification" else c
              for c in NEW_COLUMNS if c not in ("unit", "attributes")]  # fmt: skip
_AFTER_KEYS = [c for c in NEW_COLUMNS if c not in ("unit", "attributes")]
_RECORDED_KEYS = [*_AFTER_KEYS, "id", "unit", "attributes"]
#: Where in a new asset's values its amounts and its dates are (kept as text in its entry).
_TEXT_AT = [_AFTER_KEYS.index(c) for c in PLAIN_COLUMNS if c not in DATE_COLUMNS]
_DATE_AT = [_AFTER_KEYS.index(c) for c in DATE_COLUMNS]
_NEW_VALUES = operator.itemgetter(*NEW_FIELDS)
NEW_BLANK = {**dict.fromkeys([*NEW_FIELDS, "attributes"]), **NON_NULL_DEFAULTS}


def revert_assets(*, actor, source: dict[str, Any]) -> int:
    """Undo an asset import's writes, found by its audit entries (``source``'s "write", else its
    "import" run): delete the assets it created and give those it updated their former values,
    in short transactions, each reversal audited. An asset changed since (its version moved on,
    or its fields no longer read as the import left them) is left alone. Returns the assets
    reverted; running it again reverts nothing more."""
    key = "write" if source.get("write") else "import"
    found = {f"after__source__{key}": source[key]}
    batches = AuditEntry.objects.filter(action="asset.import_batch", **found).values("seq")
    # Batch rows (integrity/batches.py), and entries of one per asset (imports before them).
    entries = itertools.chain(
        AuditRow.objects.filter(entry__in=batches).order_by("entry_id", "position")
        .values_list("action", "object_id", "before", "after").iterator(chunk_size=5000),
        AuditEntry.objects.filter(
            action__in=("asset.import_create", "asset.import_update"), **found
        ).values_list("action", "object_id", "before", "after").iterator(chunk_size=5000),
    )  # fmt: skip
    created: list[int] = []
    updated: dict[int, tuple[dict, dict]] = {}
    for action, oid, before, after in entries:
        if action == "asset.import_create":
            created.append(int(oid))
        else:
            updated[int(oid)] = (before or {}, after or {})
    undo = {"revert": {k: v for k, v in source.items() if k != "write"}}
    done = 0
    step = 1000
    for i in range(0, len(created), step):
        with transaction.atomic():
            assets = list(
                m.Asset.objects.filter(pk__in=created[i : i + step], version=1)
                .select_related("unit__jurisdiction")
            )  # fmt: skip
            audit_record_many(actor=actor, records=[
                ("asset.import_revert", a, snapshot(a), None, a.unit.jurisdiction.path)
                for a in assets
            ])  # fmt: skip
            m.Asset.objects.filter(pk__in=[a.pk for a in assets]).delete()
            rollups.refresh(unit_ids={a.unit_id for a in assets})
            done += len(assets)
    ids = list(updated)
    fields = {f.name: f for f in m.Asset._meta.concrete_fields}
    for i in range(0, len(ids), step):
        with transaction.atomic():
            records, restored, names = [], [], set()
            for a in m.Asset.objects.filter(pk__in=ids[i : i + step]).select_related(
                "unit__jurisdiction"
            ):
                before, after = updated[a.pk]
                after = {k: v for k, v in after.items() if k in fields}
                current = snapshot(a)
                if any(
                    fields[k].to_python(current.get(k)) != fields[k].to_python(v)
                    for k, v in after.items()
                ):
                    continue  # changed since the import: theirs now
                for k, v in before.items():
                    setattr(a, fields[k].attname, fields[k].to_python(v))
                    names.add(k)
                a.version += 1
                restored.append(a)
                records.append(("asset.import_revert", a, {k: current.get(k) for k in before},
                                {**before, "source": undo}, a.unit.jurisdiction.path))  # fmt: skip
            if restored:
                m.Asset.objects.bulk_update(restored, [*sorted(names), "version"])
                rollups.refresh(unit_ids={a.unit_id for a in restored})
                audit_record_many(actor=actor, records=records)
            done += len(restored)
    return done
