"""What an asset file's columns can hold: each importable field, the words that name it in
real registers (for automatic mapping), and how its text is read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from panhuo.register.attributes import KIND_ATTRIBUTES
from panhuo.register.importing.values import (
    parse_amount,
    parse_bool,
    parse_date,
    parse_decimal,
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text, amount, decimal, percent, date, bool, choice, coordinate
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    choices: str | None = None  # key of the target's choices table
    extra: dict[str, Any] = field(default_factory=dict)


ASSET_FIELDS: list[FieldSpec] = [
    FieldSpec("unit", "text", True, ("unit code", "holding unit", "单位编码", "单位代码", "单位")),
    FieldSpec("code", "text", True, ("asset code", "资产编号", "资产编码", "资产代码"), 64),
    FieldSpec("name", "text", True, ("asset name", "资产名称", "名称"), 200),
    FieldSpec("kind", "choice", True, ("asset kind", "type", "资产类型", "类型"),
              choices="AssetKind"),
    FieldSpec("classification", "text", False, ("classification code", "分类代码", "资产分类")),
    # The edition the file says its code follows (the export writes it): checked, not stored.
    FieldSpec("classification_edition", "text", False, ("classification edition", "分类代码版本")),
    FieldSpec("address", "text", False, ("location", "坐落位置", "地址", "坐落"), 300),
    FieldSpec("latitude", "coordinate", False, ("lat", "纬度")),
    FieldSpec("longitude", "coordinate", False, ("lon", "lng", "经度")),
    FieldSpec("x", "coordinate", False, ("easting", "x坐标")),
    FieldSpec("y", "coordinate", False, ("northing", "y坐标")),
    FieldSpec("area", "decimal", False, ("area (m²)", "area m2", "面积", "面积(平方米)")),
    FieldSpec("book_value", "amount", False, ("book value", "cost", "原值", "账面原值")),
    FieldSpec("accumulated_depreciation", "amount", False,
              ("accumulated depreciation", "累计折旧")),
    FieldSpec("appraised_value", "amount", False, ("appraised value", "评估值", "评估价值")),
    FieldSpec("annual_income", "amount", False, ("annual income", "年收益", "年收入")),
    FieldSpec("annual_holding_cost", "amount", False,
              ("annual holding cost", "年持有成本", "年维护费用")),
    FieldSpec("status", "choice", False, ("utilisation", "使用状态", "状态"),
              choices="AssetStatus"),
    FieldSpec("idle_since", "date", False, ("idle since", "闲置起始日期", "闲置日期")),
    FieldSpec("criticality", "choice", False, ("public-service criticality", "重要程度"),
              choices="Criticality"),
    FieldSpec("certificate_number", "text", False,
              ("certificate number", "title certificate number", "权证号", "产权证号"), 64),
    FieldSpec("title_complete", "bool", False, ("title complete", "权属完整", "产权完整")),
    FieldSpec("acquired_on", "date", False, ("acquired on", "acquisition date", "取得日期")),
]  # fmt: skip

ATTRIBUTE_KEYS = sorted({k for spec in KIND_ATTRIBUTES.values() for k in spec})
FIELD_NAMES = [f.name for f in ASSET_FIELDS] + [f"attributes.{k}" for k in ATTRIBUTE_KEYS]
BY_NAME = {f.name: f for f in ASSET_FIELDS}


_UNIT_IN_HEADER = re.compile(r"\s*[(（]\s*(元|万元|亿元|yuan|wan|yi)\s*[)）]\s*$", re.IGNORECASE)
_HEADER_UNITS = {"元": "yuan", "万元": "wan", "亿元": "yi"} | {u: u for u in ("yuan", "wan", "yi")}


def choices_of(*enums) -> dict[str, dict[str, str]]:
    """The coded values a target maps, by the name its fields give them (``FieldSpec.choices``):
    each TextChoices class's values and labels under its class name."""
    return {e.__name__: dict(e.choices) for e in enums}


def header_unit(header: str) -> tuple[str, str | None]:
    """A header without the unit it ends in, and that unit: ``"原值（万元）"`` → (``"原值"``,
    ``"wan"``); ``"book_value (yuan)"`` → (``"book_value"``, ``"yuan"``); no unit: None. The
    unit a header states is the unit of its column's bare numbers, whatever the file's option."""
    m = _UNIT_IN_HEADER.search(header)
    if not m:
        return header, None
    return header[: m.start()], _HEADER_UNITS[m.group(1).lower()]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if ch.isalnum())


#: Import fields that are no field of the asset: x/y are read, then converted to lon/lat; the
#: classification edition is checked against the list's.
NOT_ASSET_FIELDS = ("x", "y", "classification_edition")


def auto_columns(headers: list[str]) -> dict[str, str]:
    """Map each header that names a field (its name, label or a known alias) to that field."""
    from panhuo.register.models import Asset

    lookup: dict[str, str] = {}
    for spec in ASSET_FIELDS:
        words = [spec.name, *spec.aliases]
        if spec.name not in NOT_ASSET_FIELDS:
            words.append(str(Asset._meta.get_field(spec.name).verbose_name))
        for w in words:
            lookup.setdefault(_norm(w), spec.name)
    for key in ATTRIBUTE_KEYS:
        lookup.setdefault(_norm(f"attributes.{key}"), f"attributes.{key}")
        lookup.setdefault(_norm(key), f"attributes.{key}")
    return match_headers(headers, lookup)


def match_headers(headers: list[str], lookup: dict[str, str]) -> dict[str, str]:
    """Each header whose normalised text ``lookup`` knows, mapped to that field; a field
    claimed by an earlier header is not taken again."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for h in headers:
        target = lookup.get(_norm(h)) or lookup.get(_norm(header_unit(h)[0]))
        if target and target not in used:
            out[h] = target
            used.add(target)
    return out


def parser_for(spec: FieldSpec, options: dict[str, Any]) -> Callable[[str], Any]:
    if spec.kind == "text":
        return lambda s: s.strip()
    if spec.kind == "amount":
        unit = options.get("amount_unit", "yuan")
        return lambda s: parse_amount(s, unit=unit)
    if spec.kind == "decimal":
        places = spec.extra.get("places", 2)
        return parse_decimal if places == 2 else (lambda s: parse_decimal(s, places=places))
    if spec.kind == "percent":  # "4.25", "4.25%" or "4.25 %"
        places = spec.extra.get("places", 3)
        return lambda s: parse_decimal(s.strip().removesuffix("%").strip(), places=places)
    if spec.kind == "coordinate":
        return lambda s: parse_decimal(s, places=6)
    if spec.kind == "date":
        order = options.get("date_order", "dmy")
        return lambda s: parse_date(s, order=order)
    if spec.kind == "bool":
        return parse_bool
    raise AssertionError(spec.kind)
