"""The asset register as points on a map: a GeoJSON FeatureCollection of the assets of a list
(already filtered and scoped to the reader by ``selectors.asset_list``) that have coordinates.

The API (``GET /api/v1/assets/geo``) answers it and the map page embeds the same collection, so
the two cannot disagree. A map carries at most ``PANHUO["MAP_MAX_POINTS"]`` points (5,000): the
answer gives how many assets have coordinates and says when it was cut. Coordinates are WGS 84
(imports convert other systems), GeoJSON's order: longitude, latitude.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse


def max_points() -> int:
    return int(settings.PANHUO.get("MAP_MAX_POINTS", 5000))


def located(queryset: QuerySet) -> QuerySet:
    """The assets of the list that have both coordinates."""
    return queryset.filter(latitude__isnull=False, longitude__isnull=False)


def asset_points(queryset: QuerySet, *, limit: int | None = None) -> dict:
    """The located assets of ``queryset`` as a FeatureCollection, in the list's order, at most
    ``limit`` (default: the setting); ``count`` is how many have coordinates in all,
    ``truncated`` whether some were left out."""
    limit = max_points() if limit is None else limit
    points = located(queryset)
    rows = list(
        points.values_list("id", "code", "name", "status", "latitude", "longitude")[: limit + 1]
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    count = points.count() if truncated else len(rows)
    # One reverse for all: the asset page's URL with the id put in.
    page = reverse("asset-detail", args=[0]).removesuffix("0/")
    features = [
        {
            "type": "Feature",
            "id": pk,
            "geometry": {"type": "Point", "coordinates": [float(lng), float(lat)]},
            "properties": {
                "id": pk,
                "code": code,
                "name": name,
                "status": status,
                "url": f"{page}{pk}/",
            },
        }
        for pk, code, name, status, lat, lng in rows
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "count": count,
        "limit": limit,
        "truncated": truncated,
    }
