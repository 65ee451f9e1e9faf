"""API shapes of the asset register: assets, classification codes and saved filters."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.api import UnitFilter
from panhuo.core.lists import TARGETS
from panhuo.core.schemas import (
    DecimalIn,
    DecimalOut,
    Id,
    ListFilters,
    Money,
    MoneyOut,
    Ordering,
    Text,
)
from panhuo.register.models import AssetKind, AssetStatus, Criticality, Encumbrance
from panhuo.register.selectors import ASSET_ORDERINGS

Latitude = DecimalIn(max_digits=9, places=6, description='Degrees as decimal text, e.g. "31.2304".')
Longitude = Latitude
Area = DecimalIn(
    max_digits=14, places=2, minimum=Decimal(0), description='Square metres, e.g. "1200.50".'
)
AssetOrdering = Ordering(ASSET_ORDERINGS)
#: Per-kind attributes (see register.attributes): text or whole numbers; decimals as text.
Attributes = Annotated[dict[Text, Text | int | None], Field(max_length=50)]


class UnitRef(Schema):
    id: int
    code: str
    name: str
    jurisdiction_id: int


class AssetOut(Schema):
    id: int
    code: str
    name: str
    kind: AssetKind
    unit: UnitRef
    address: str
    latitude: DecimalOut | None
    longitude: DecimalOut | None
    area: DecimalOut | None
    book_value: MoneyOut
    appraised_value: MoneyOut | None
    status: AssetStatus
    criticality: Criticality
    classification: str | None = Field(description="Classification code.")
    certificate_number: str
    title_complete: bool
    idle_since: dt.date | None
    accumulated_depreciation: MoneyOut
    net_book_value: MoneyOut = Field(description="Book value less accumulated depreciation.")
    annual_income: MoneyOut
    annual_holding_cost: MoneyOut
    acquired_on: dt.date | None
    attributes: dict[str, Any]
    version: int = Field(description="Send it back with PATCH to refuse lost updates (409).")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_classification(obj) -> str | None:
        return obj.classification.code if obj.classification_id else None


class AssetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Text = Field(min_length=1, max_length=64)
    name: Text = Field(min_length=1, max_length=200)
    kind: AssetKind
    unit: Id = Field(description="Id of the holding unit.")
    address: Text = Field("", max_length=300)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    area: Area | None = None
    book_value: Money = Decimal("0.00")
    appraised_value: Money | None = None
    status: AssetStatus = AssetStatus.IN_USE
    criticality: Criticality = Criticality.NON_ESSENTIAL
    classification: Text | None = Field(None, max_length=32, description="Classification code.")
    certificate_number: Text = Field("", max_length=64)
    title_complete: bool = False
    idle_since: dt.date | None = None
    accumulated_depreciation: Money = Decimal("0.00")
    annual_income: Money = Decimal("0.00")
    annual_holding_cost: Money = Decimal("0.00")
    acquired_on: dt.date | None = None
    attributes: Attributes = Field(default_factory=dict)


class AssetPatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None, description="The version you read; if the asset changed since, the answer is 409."
    )
    code: Text | None = Field(None, min_length=1, max_length=64)
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: AssetKind | None = None
    unit: Id | None = None
    address: Text | None = Field(None, max_length=300)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    area: Area | None = None
    book_value: Money | None = None
    appraised_value: Money | None = None
    status: AssetStatus | None = None
    criticality: Criticality | None = None
    classification: Text | None = Field(None, max_length=32)
    certificate_number: Text | None = Field(None, max_length=64)
    title_complete: bool | None = None
    idle_since: dt.date | None = None
    accumulated_depreciation: Money | None = None
    annual_income: Money | None = None
    annual_holding_cost: Money | None = None
    acquired_on: dt.date | None = None
    attributes: Attributes | None = None


class AssetFilters(ListFilters):
    q: Text = Field("", description="Search in code, name and address.")
    kind: AssetKind | None = None
    status: AssetStatus | None = None
    criticality: Criticality | None = None
    unit: UnitFilter | None = None
    jurisdiction: Id | None = None
    min_value: Money | None = Field(None, description="Least book value.")
    max_value: Money | None = Field(None, description="Greatest book value.")
    min_appraised: Money | None = Field(None, description="Least appraised value.")
    max_appraised: Money | None = Field(None, description="Greatest appraised value.")
    min_idle_months: int | None = Field(
        None, ge=0, le=1200, description="Idle or under-used for at least this many months."
    )
    encumbered: bool | None = Field(
        None, description="true: only assets with an encumbrance; false: only those without."
    )
    classification: Text = Field(
        "", max_length=32, description="A classification code: it and everything below it."
    )
    ordering: AssetOrdering = "code"


class ExportFilters(AssetFilters):
    format: Literal["csv", "xlsx"] = Field(
        "csv", description="csv (streamed, UTF-8 with BOM) or xlsx."
    )


class PointGeometry(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="Longitude, latitude (WGS 84 degrees).")


class AssetPointProperties(Schema):
    id: int
    code: str
    name: str
    status: AssetStatus
    url: str = Field(description="The asset's page.")


class AssetPoint(Schema):
    type: Literal["Feature"]
    id: int
    geometry: PointGeometry
    properties: AssetPointProperties


class AssetPointsOut(Schema):
    """A GeoJSON FeatureCollection of the listed assets that have coordinates."""

    type: Literal["FeatureCollection"]
    features: list[AssetPoint]
    count: int = Field(description="Assets of the list with coordinates, all of them.")
    limit: int = Field(description="The most points one answer carries.")
    truncated: bool = Field(description="true: more assets have coordinates than were sent.")


class EncumbranceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Encumbrance.Kind
    holder: Text = Field(min_length=1, max_length=200)
    amount: Money | None = None
    until: dt.date | None = None
    note: Text = Field("", max_length=300)


class EncumbranceOut(Schema):
    id: int
    asset_id: int
    kind: Encumbrance.Kind
    holder: str
    amount: MoneyOut | None
    until: dt.date | None
    note: str


# --- Classification codes ----------------------------------------------------------------------


class ClassificationFilters(Schema):
    q: Text = Field("", max_length=200, description="Search in code and name.")
    parent: Text = Field("", max_length=32, description="Only the codes directly under this code.")
    level: int | None = Field(None, ge=1, le=20, description="Only codes at this depth (1 = top).")
    edition: Text = Field(
        "", max_length=100, description='Only the codes of this edition ("GB/T 14885-2022").'
    )


class ClassificationOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(description="The parent's code; null at the top.")
    level: int
    has_children: bool
    description: str = Field(description="The list's note on the code (说明).")
    edition: str | None = Field(
        description='The edition the code comes from, e.g. "GB/T 14885-2022"; null if unstated.'
    )

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_edition(obj) -> str | None:
        return obj.edition.name if obj.edition_id else None


# --- Saved filters -----------------------------------------------------------------------------

SavedFilterTarget = Literal[TARGETS]  # type: ignore[valid-type]


class SavedFilterFilters(Schema):
    target: SavedFilterTarget | None = None


class SavedFilterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target: SavedFilterTarget = Field(description="The list the filter is for.")
    name: Text = Field(min_length=1, max_length=100)
    query: Text = Field(
        "", max_length=2000, description="The list's query string, e.g. kind=land&status=idle."
    )


class SavedFilterOut(Schema):
    id: int
    target: str
    name: str
    query: str
    created_at: dt.datetime
