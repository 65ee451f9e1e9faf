"""Reading one row of an import: the mapping applied to the row's cells, each cell parsed by its
field, and the row checked as a whole (with the asset it updates, if any); every problem goes
into the report under its row and column."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from panhuo.core.texts import Msg, message_of
from panhuo.register import models as m
from panhuo.register.attributes import KIND_ATTRIBUTES, clean_attributes
from panhuo.register.importing.fields import (
    choices_of,
    header_unit,
    parser_for,
)
from panhuo.register.importing.readers import FileRejected
from panhuo.register.importing.report import Mapping, Report

if TYPE_CHECKING:
    from panhuo.register.importing.engine import Target
from panhuo.register.importing.values import parse_choice


def csv_unsafe(cell: str) -> str:
    from panhuo.register.exporting import csv_unsafe as undo

    return undo(cell)


CHOICES = choices_of(m.AssetKind, m.AssetStatus, m.Criticality)
#: Every area is below this, in m² (the column: 14 digits, 2 after the point).
MAX_AREA = Decimal(10) ** 12
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


_EPSG = re.compile(r"(?:EPSG:?)?(\d{4,6})")
_WGS84 = {"WGS84", "WGS1984", "EPSG:4326", "EPSG4326", "4326", "CRS84", "OGC:CRS84"}


def normalise_crs(text: str | None) -> str | None:
    """The CRS as pyproj reads it: "WGS84", "WGS 84", "EPSG:4326" and "4326" are all WGS 84
    (None: no conversion); a bare EPSG number ("4547", "epsg 4547") is "EPSG:4547"; anything
    else (a PROJ string, WKT) is left as written."""
    s = (text or "").strip()
    compact = re.sub(r"[\s_\-]", "", s).upper()
    if not compact or compact in _WGS84:
        return None
    if m := _EPSG.fullmatch(compact):
        return f"EPSG:{int(m.group(1))}"
    return s


def _transformer(crs: str | None):
    crs = normalise_crs(crs)
    if crs is None:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        return Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4326), always_xy=True)
    except CRSError:
        raise FileRejected(Msg(
            "unknown_crs",
            gettext_noop("Unknown coordinate reference system “%(crs)s” in the mapping."),
            crs=crs,
        )) from None  # fmt: skip


def bounding_box() -> tuple[float, float, float, float] | None:
    """(lat_min, lat_max, lon_min, lon_max) every imported point must fall in
    (``PANHUO["IMPORT_BOUNDS"]``; China's by default), or None for anywhere on Earth."""
    box = settings.PANHUO.get("IMPORT_BOUNDS", (18, 54, 73, 135))
    return tuple(box) if box else None


def looks_swapped(lat: Decimal, lon: Decimal, box) -> bool:
    """A "latitude" no latitude can be (over 90) while the longitude could be one, or (within a
    country's box) each value in the other's range and not its own."""
    if abs(lat) > 90 and abs(lon) <= 90:
        return True
    if box is None:
        return False
    lat_min, lat_max, lon_min, lon_max = box
    inside = lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
    return not inside and lon_min <= lat <= lon_max and lat_min <= lon <= lat_max


def fixed_and_mapped(name: str) -> Msg:
    """The refusal of a mapping that gives ``name`` both a column and a fixed value."""
    return Msg(
        "fixed_and_mapped",
        gettext_noop(
            "The field “%(field)s” has both a column in the file and a fixed value in the "
            "mapping: keep one."
        ),
        field=name,
    )


def _refuse(names: list[str], code: str, msgid: str, param: str = "fields") -> None:
    """Reject the whole file when a mapping check found ``names`` (fields or columns), naming
    every one of them (the message's ``param``): no row can be read until the mapping is fixed."""
    if names:
        raise FileRejected(Msg(code, msgid, **{param: ", ".join(names)}))


class RowReader:
    """Turns one row of text cells into field values, reporting each bad cell."""

    def __init__(self, headers: list[str], mapping: Mapping, target: Target, ctx: dict):
        self.target, self.ctx = target, ctx
        #: Per column, what its distinct texts parsed to (the columnar reader's dates, yes/no).
        self.memo: dict[str, dict[str, Any]] = {}
        columns = mapping.columns or target.auto_columns(headers)
        fields = set(target.field_names)
        _refuse(
            sorted(set(columns.values()) - fields),
            "mapping_unknown_fields",
            gettext_noop("The mapping names unknown fields: %(fields)s."),
        )
        _refuse(
            [h for h in columns if h not in headers],
            "mapping_missing_columns",
            gettext_noop("The mapping expects column(s) %(columns)s that the file does not have."),
            "columns",
        )
        self.columns = columns
        constants = mapping.constants
        _refuse(
            sorted(set(constants) - fields),
            "constants_unknown_fields",
            gettext_noop("The mapping gives fixed values for unknown fields: %(fields)s."),
        )
        both = sorted(set(constants) & set(columns.values()))
        if both:
            raise FileRejected(fixed_and_mapped(both[0]))
        for required in target.required:
            if required not in columns.values() and required not in constants:
                raise FileRejected(Msg(
                    "required_field_unmapped",
                    gettext_noop("No column is mapped to the required field “%(field)s”."),
                    field=required,
                ))  # fmt: skip
        self.index = {target: headers.index(h) for h, target in columns.items()}
        self.header_of = {target: h for h, target in columns.items()}
        # A fixed value is read as one more cell at the end of every row, after the file's own.
        self.width = len(headers)
        self.constant_cells = list(constants.values())
        for k, name in enumerate(constants):
            self.index[name] = self.width + k
            self.header_of[name] = gettext("%(field)s (fixed value)") % {"field": name}
        # An amount column whose header states its unit ("原值（万元）", "book_value (yuan)",
        # as the export writes) is read in that unit; the others in the file's option.
        stated = {name: header_unit(h)[1] for name, h in self.header_of.items()}
        self.stated_units = stated
        self.options = mapping.options
        self.parsers = {
            f.name: parser_for(
                f,
                {**mapping.options, "amount_unit": stated[f.name]}
                if f.kind == "amount" and stated.get(f.name)
                else mapping.options,
            )
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
        self.code_editions = ctx.get("code_editions") or {}
        self.today = ctx.get("today")
        crs = mapping.options.get("crs") if target.name == "assets" else None
        self.transformer = _transformer(crs)
        self.box = bounding_box()

    def amount_unit(self, name: str) -> str:
        """The unit a bare number of amount field ``name`` is in (its header's, else the
        file's option)."""
        return self.stated_units.get(name) or self.options.get("amount_unit", "yuan")

    def read(self, cells: list[str], rownum: int, report: Report) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        errors_before = report.error_count

        def bad(name: str, message: Msg | str) -> None:
            report.add_error(rownum, self.header_of.get(name, name), message)

        if self.constant_cells:
            cells = [*cells[: self.width], *[""] * (self.width - len(cells)),
                     *self.constant_cells]  # fmt: skip
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
                        bad(name, message_of(exc))
                    continue
            else:
                try:
                    value = parse(text)
                except ValueError as exc:
                    bad(name, message_of(exc))
                    continue
            if max_length and value and len(value) > max_length:
                bad(name, Msg("too_long", gettext_noop("longer than %(max)s characters"),
                              max=max_length))  # fmt: skip
                continue
            out[name] = value
        if report.error_count > errors_before:
            return None
        return self.target.check(self, out, rownum, report, bad)

    def _check(self, out, rownum, report, bad) -> dict[str, Any] | None:
        errors_before = report.error_count
        # A blank cell of a field that cannot be empty (an amount, the status) means "not
        # given": the default for a new asset, the stored value for an update; never a NULL.
        for name in NON_NULL_DEFAULTS:
            if name in out and out[name] is None:
                del out[name]
        unit_code = out.pop("unit", "") or ""
        unit = self.units.get(unit_code)
        if not unit_code:
            bad("unit", Msg("unit_required", gettext_noop("the unit is required")))
        elif unit is None:
            bad("unit", Msg(
                "unknown_unit",
                gettext_noop("unknown unit “%(unit)s” (or not one you may import into)"),
                unit=unit_code,
            ))  # fmt: skip
        out["unit"] = unit
        if not out.get("code"):
            bad("code", Msg("code_required", gettext_noop("the asset code is required")))
        for name in ("book_value", "accumulated_depreciation", "appraised_value",
                     "annual_income", "annual_holding_cost", "area"):  # fmt: skip
            value = out.get(name)
            if value is not None and value < 0:
                bad(name, Msg("negative", gettext_noop("%(value)s is negative"), value=value))
        lat, lon = out.get("latitude"), out.get("longitude")
        if lat is not None and lon is not None and looks_swapped(lat, lon, self.box):
            bad("latitude", Msg("swapped_coordinates",
                                gettext_noop("latitude and longitude look swapped")))  # fmt: skip
            lat = lon = None
        for name, limit, value in (("latitude", 90, lat), ("longitude", 180, lon)):
            if value is not None and abs(value) > limit:
                bad(name, Msg("coordinate_out_of_range",
                              gettext_noop("%(value)s is outside ±%(limit)s"),
                              value=value, limit=limit))  # fmt: skip
        area = out.get("area")
        if area is not None and area >= MAX_AREA:
            # The column holds 12 digits before the point: PostgreSQL refuses more (SQLite
            # stores anything), so the dry run refuses it as the commit would.
            bad("area", Msg("area_too_large",
                            gettext_noop("%(value)s m² is too large: an area is below %(max)s m²."),
                            value=area, max=f"{MAX_AREA:,}"))  # fmt: skip
        for name in ("acquired_on", "idle_since"):
            value = out.get(name)
            if value is not None and value > self.today:
                bad(name, Msg("in_the_future", gettext_noop("%(date)s is in the future"),
                              date=value.isoformat()))  # fmt: skip
        edition = out.pop("classification_edition", None)
        if "classification" in out:
            code = out.pop("classification")
            if code:
                cid = self.codes.get(code)
                if cid is None:
                    bad("classification", Msg(
                        "unknown_classification",
                        gettext_noop("unknown classification code “%(code)s”"),
                        code=code,
                    ))  # fmt: skip
                listed = self.code_editions.get(code)
                if cid is not None and edition and listed and edition != listed:
                    # The same digits mean other things in another edition: refuse, not guess.
                    bad("classification_edition", Msg(
                        "classification_edition_mismatch",
                        gettext_noop("code %(code)s is of %(listed)s in the list, not %(edition)s"),
                        code=code, listed=listed, edition=edition,
                    ))  # fmt: skip
                out["classification_id"] = cid
            else:
                out["classification_id"] = None
        x, y = out.pop("x", None), out.pop("y", None)
        if x is not None or y is not None:
            if self.transformer is None:
                bad("x", Msg(
                    "crs_needed",
                    gettext_noop("x/y columns need a coordinate reference system in the mapping"),
                ))  # fmt: skip
            elif x is None or y is None:
                bad("x", Msg("x_and_y_needed", gettext_noop("both x and y are needed")))
            else:
                lon, lat = self.transformer.transform(float(x), float(y))
                if not (abs(lat) <= 90 and abs(lon) <= 180):
                    bad("x", Msg("not_on_earth", gettext_noop(
                        "the coordinates do not convert to a place on Earth")))  # fmt: skip
                else:
                    out["longitude"] = Decimal(repr(lon)).quantize(Decimal("0.000001"))
                    out["latitude"] = Decimal(repr(lat)).quantize(Decimal("0.000001"))
        if report.error_count == errors_before:
            self._check_box(out, bad)
        if report.error_count > errors_before:
            return None
        return out

    def _check_box(self, out, bad) -> None:
        """A point outside the country's box (``bounding_box``) is refused, naming the column that
        holds the stray value (x when converted from x/y)."""
        box = self.box
        if box is None:
            return
        lat_min, lat_max, lon_min, lon_max = box
        converted = "x" in self.index or "y" in self.index
        for name, low, high in (("latitude", lat_min, lat_max), ("longitude", lon_min, lon_max)):
            value = out.get(name)
            if value is not None and not low <= value <= high:
                column = "x" if converted and name not in self.index else name
                bad(column, Msg(
                    "outside_bounds",
                    gettext_noop(
                        "%(value)s is outside the %(name)s range %(low)s–%(high)s of the "
                        "country's bounding box (setting PANHUO_IMPORT_BOUNDS)"
                    ),
                    value=value, name=m.Asset._meta.get_field(name).verbose_name,
                    low=f"{low:g}", high=f"{high:g}",
                ))  # fmt: skip
                return


def merged_check(values: dict[str, Any], base: m.Asset | None, rownum, report, header_of):
    """Rules that need the whole record (after merging with the stored asset, for updates)."""

    def get(name):
        if name in values:
            return values[name]
        return getattr(base, name) if base is not None else NON_NULL_DEFAULTS.get(name)

    errors_before = report.error_count
    for name in ("name", "kind"):
        if base is None and not values.get(name):
            report.add_error(rownum, header_of.get(name, name), Msg(
                "required_for_new_asset",
                gettext_noop("the %(field)s is required for a new asset"),
                field=m.Asset._meta.get_field(name).verbose_name,
            ))  # fmt: skip
        elif name in values and not values[name]:
            # A blank required cell is a row error for an update too, never a NULL written.
            report.add_error(rownum, header_of.get(name, name),
                             Msg("required", gettext_noop("the %(field)s is required"),
                                 field=m.Asset._meta.get_field(name).verbose_name))  # fmt: skip
    kind = get("kind")
    book, dep = get("book_value") or Decimal(0), get("accumulated_depreciation") or Decimal(0)
    if dep > book:
        report.add_error(
            rownum,
            header_of.get("accumulated_depreciation", "accumulated_depreciation"),
            Msg(
                "depreciation_exceeds_book_value",
                gettext_noop(
                    "accumulated depreciation %(depreciation)s exceeds the book value %(book)s"
                ),
                depreciation=dep,
                book=book,
            ),
        )
    if "attributes" in values and kind in KIND_ATTRIBUTES:
        from django.core.exceptions import ValidationError

        try:
            values["attributes"] = clean_attributes(kind, values["attributes"])
        except ValidationError as exc:
            for key, errors in exc.error_dict.items():
                for error in errors:
                    report.add_error(rownum, key, message_of(error))
    return report.error_count == errors_before
