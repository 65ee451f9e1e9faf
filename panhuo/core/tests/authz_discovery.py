"""The authorization matrix's endpoints (authz_support.py): every page (by walking the URL
resolver, each with a GET and a POST row) and every API operation (from the OpenAPI schema),
and the groups of similar size the matrix's test items call."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

#: Pages take GET and POST; each is a row (a page that only shows must still refuse a POST
#: from whoever may not see it, and answer it harmlessly to whoever may).
PAGE_METHODS = ("GET", "POST")

#: URL patterns that are not endpoints of the project. Only these are skipped:
EXCLUDED_ROUTES = {
    # Static files are served by WhiteNoise outside the URL map; django.conf.urls.static
    # adds this pattern only with DEBUG (development), never in the tests or production.
    "^static/(?P<path>.*)$",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # "/assets/<int:pk>/" for pages, "/api/v1/assets/{asset_id}" for the API
    params: tuple[str, ...]
    api: dict[str, Any] | None = None  # the OpenAPI operation

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.route)


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _ninja_route(route: str) -> str:
    """ninja's ``api/v1/assets/<asset_id>`` → the schema's ``/api/v1/assets/{asset_id}``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@functools.cache
def openapi() -> dict:
    from panhuo.api import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


def discover() -> tuple[list[Endpoint], list[str]]:
    """Every endpoint of the project, and the problems found while discovering them."""
    schema = openapi()
    endpoints: list[Endpoint] = []
    problems: list[str] = []
    seen_api: set[str] = set()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            endpoints.append(Endpoint(method.upper(), path, params, op))
    schema_paths = set(schema["paths"])
    for route, pattern in _walk(get_resolver().url_patterns):
        if route in EXCLUDED_ROUTES:
            continue
        if getattr(pattern.callback, "__module__", "") == "ninja.operation":
            # An API operation: its methods come from the schema, read above.
            seen_api.add(_ninja_route(route))
            continue
        params = tuple(pattern.pattern.converters)
        for method in PAGE_METHODS:
            endpoints.append(Endpoint(method, "/" + route, params))
    for missing in sorted(schema_paths - seen_api):
        problems.append(f"schema path {missing} has no URL pattern")
    for extra in sorted(seen_api - schema_paths):
        problems.append(f"API URL pattern {extra} is not in the schema")
    return endpoints, problems


#: Endpoints per test item, about: the matrix is split into items of similar cost so that
#: pytest-xdist spreads them over its workers (one item was the suite's long pole).
GROUP_SIZE = 14


def group_key(endpoint: Endpoint) -> str:
    """The part of the project an endpoint belongs to: ``api/assets`` for the API operations
    under ``/api/v1/assets``, ``assets`` for the pages under ``/assets/`` (``home`` for ``/``)."""
    parts = endpoint.route.strip("/").split("/")
    if endpoint.api is not None:
        return "api/" + (parts[2] if len(parts) > 2 else "")
    return parts[0] or "home"


@functools.cache
def endpoint_groups(size: int = GROUP_SIZE) -> dict[str, tuple[Endpoint, ...]]:
    """Every discovered endpoint in exactly one group of about ``size``, by name.

    Endpoints are grouped by :func:`group_key`, in the order discovery finds them. A part with
    more than ``size`` endpoints is cut into near-equal pieces (``assets#1``, ``assets#2``...);
    consecutive small parts share a group while they fit (``api/tokens..api/jurisdictions``).
    Computed from :func:`discover` alone, so a new endpoint joins a group by itself.
    """
    parts: dict[str, list[Endpoint]] = {}
    for endpoint in discover()[0]:
        parts.setdefault(group_key(endpoint), []).append(endpoint)
    groups: dict[str, tuple[Endpoint, ...]] = {}
    pending: list[tuple[str, list[Endpoint]]] = []

    def close() -> None:
        if pending:
            name = pending[0][0] if len(pending) == 1 else f"{pending[0][0]}..{pending[-1][0]}"
            groups[name] = tuple(e for _, eps in pending for e in eps)
            pending.clear()

    for key, eps in parts.items():
        if len(eps) > size:
            close()
            pieces = math.ceil(len(eps) / size)
            for i in range(pieces):
                groups[f"{key}#{i + 1}"] = tuple(
                    eps[i * len(eps) // pieces : (i + 1) * len(eps) // pieces]
                )
            continue
        if sum(len(e) for _, e in pending) + len(eps) > size:
            close()
        pending.append((key, eps))
    close()
    return groups
