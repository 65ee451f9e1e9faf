"""The JSON API at /api/v1/ (django-ninja). Routers live in each app's api.py.

This module holds what is the same for every endpoint: how callers authenticate, and how the
errors that services raise become HTTP answers — in one place, so that every endpoint answers
bad input with a 4xx naming the field and never with a 500.

Authentication (an API token, or the browser session with CSRF) is in organisation/auth.py.
"""

from __future__ import annotations

import functools
import logging
import pickle
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from panhuo.core.api import ReferenceMissing
from panhuo.core.api_query import forbid_unknown_query, unknown_query_errors
from panhuo.core.errors import Conflict
from panhuo.core.gates import GateRefused
from panhuo.core.validation_texts import translate_error
from panhuo.integrity.document_files import human_size
from panhuo.organisation.auth import TokenAuth, session_auth, token_auth
from panhuo.organisation.throttle import Throttled

logger = logging.getLogger(__name__)


def docs_access(view):
    """The API's documentation page and its OpenAPI schema: public when
    ``PANHUO["API_DOCS_PUBLIC"]`` (the default everywhere but production), otherwise for a
    signed-in user or a caller with an API token; anyone else is sent to sign in (the page)
    or told 401 (the schema)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if settings.PANHUO.get("API_DOCS_PUBLIC") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.headers.get("Authorization", "").startswith("Bearer "):
            try:
                user = token_auth(request)
            except (AuthenticationError, Throttled):
                user = None
            if user is not None:
                return view(request, *args, **kwargs)
        if request.path.rstrip("/").endswith("/docs"):
            return redirect_to_login(request.get_full_path())
        response = JsonResponse(
            {"detail": gettext("Sign in, or send an API token, to read the API's schema.")},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="panhuo"'
        return response

    return wrapper


class PanhuoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # View names are unique across the API; the module prefix only adds noise.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema, made once per path prefix and language: the routes do not change while
        the process runs, and making it costs most of a second of CPU, which anyone (it is
        public at /api/v1/openapi.json) could otherwise ask for again and again."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language())
        schemas = self.__dict__.setdefault("_panhuo_schemas", {})
        if key not in schemas:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            schemas[key] = pickle.dumps(dict(schema))
        # A fresh copy for each caller, as made (response codes stay numbers): unpickling our
        # own bytes is fifty times cheaper than a deep copy.
        return pickle.loads(schemas[key])  # noqa: S301 (bytes this process made)


api = PanhuoAPI(
    title="Panhuo API",
    version="1",
    description=(
        "Assets, packages, disposal projects, receipts, debts and allocations, with the same "
        "permissions as the web interface. Authenticate with the browser session (unsafe "
        "methods need the CSRF token) or with `Authorization: Bearer <key>` (create keys at "
        "`POST /api/v1/tokens` while signed in). Money is exchanged as decimal strings in "
        "yuan (元), whatever unit a user's pages show amounts in. "
        "Errors: 400 invalid values `{detail, errors: {field: [..]}}` (a refusing gate adds "
        "`gate: {rule, source, field, unblock}`), 401 not signed in, "
        "403 not permitted, 404 not found (also what you may not see), 409 conflict, "
        "422 malformed request (also a query parameter the endpoint does not know, named)."
    ),
    urls_namespace="api",
    auth=[token_auth, session_auth],
    # Swagger UI from the files ninja ships (ninja is an installed app): no CDN. No online
    # validator either: government intranets are offline.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    # Public only where settings say so (PANHUO_API_DOCS_PUBLIC; off in production).
    docs_decorator=docs_access,
)
# A query parameter a GET does not declare is a 422 naming it, never silently dropped.
forbid_unknown_query(api)


# --- Errors, in one place -----------------------------------------------------------------


def _json(
    request: HttpRequest,
    status: int,
    detail: Any,
    errors: dict | None = None,
    gate: dict | None = None,
):
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    if gate is not None:
        body["gate"] = gate
    return api.create_response(request, body, status=status)


def _messages_by_field(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = _messages_by_field(exc)
    field, messages = next(iter(errors.items()))
    detail = messages[0] if field == "__all__" else f"{field}: {messages[0]}"
    gate = exc.as_json() if isinstance(exc, GateRefused) else None
    return _json(request, 400, detail, errors, gate)


def _field_of(loc: list | tuple) -> str:
    """``("body", "payload", "amount")`` → ``amount``; ``("query", "page")`` → ``page``.

    A body that is missing or not an object as a whole (``("body", "payload")``) is ``body``.
    Form and file fields are flat, like the query: ``("form", "commit")`` → ``commit``.
    """
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] or parts[:1]  # drop the source and the name of the body parameter
    elif parts and parts[0] in {"form", "file", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(str(p) for p in parts)


@api.exception_handler(NinjaValidationError)
def on_malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # ninja's own list of errors (with "loc") stays under "detail"; "errors" adds the same
    # messages keyed by field, like a 400.
    # A GET that failed validation before its query was checked names its unknown
    # parameters too (the check itself raises with exactly those, so none is named twice).
    listed = {tuple(e.get("loc", ())) for e in exc.errors}
    extra = [e for e in unknown_query_errors(request) if e["loc"] not in listed]
    exc.errors = [*exc.errors, *extra]
    # Each message in the caller's language (pydantic's own are English; ours were
    # translated when raised), under "detail" as under "errors".
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        error["msg"] = message = translate_error(error)
        errors.setdefault(_field_of(error.get("loc", ())), []).append(message)
    return api.create_response(request, {"detail": exc.errors, "errors": errors}, status=422)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when the parser reads it; left
    # to Django, the API would answer an HTML "Bad Request". Files go as multipart uploads,
    # which this limit does not count.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = gettext(
        "The request body is larger than the API accepts: at most %(limit)s (%(bytes)s bytes, "
        "DATA_UPLOAD_MAX_MEMORY_SIZE). Send fewer or shorter values, or a file as an upload."
    ) % {"limit": human_size(limit), "bytes": f"{limit:,}"}
    return _json(request, 413, detail, {"body": [detail]})


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_many(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = gettext(
        "The request has more form fields or files than the API accepts (at most %(fields)s "
        "fields, %(files)s files)."
    ) % {
        "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
    }
    return _json(request, 413, detail, {"body": [detail]})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusal of a body it cannot parse is English; ours are translated when
    # raised.
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        detail = gettext("The request body cannot be read: send JSON (Content-Type: %(type)s).")
        detail %= {"type": "application/json"}
        return _json(request, 400, detail, {"body": [detail]})
    return _json(request, exc.status_code, detail)


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _json(request, 403, str(exc) or gettext("You may not do this."))


@api.exception_handler(ReferenceMissing)
def on_reference_missing(request: HttpRequest, exc: ReferenceMissing) -> HttpResponse:
    return _json(request, 404, exc.message, {exc.field: [exc.message]})


@api.exception_handler(ObjectDoesNotExist)
def on_missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _json(request, 404, gettext("Not found."))


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _json(request, 404, gettext("Not found."))


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _json(request, 409, str(exc))


@api.exception_handler(IntegrityError)
def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # The services check every rule first; the database's constraints are the last line of
    # defence, met only when another writer got there first. Nothing was written.
    logger.warning("API write refused by a database constraint: %s", exc)
    return _json(
        request,
        409,
        gettext("The change conflicts with another one made at the same time; try again."),
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = str(exc)
    if message == "Unauthorized":
        message = gettext("Sign in, or send an API token as 'Authorization: Bearer <key>'.")
    elif message == TokenAuth.REFUSED:
        message = gettext(TokenAuth.REFUSED)
    response = _json(request, 401, message)
    response["WWW-Authenticate"] = 'Bearer realm="panhuo"'
    return response


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = _json(request, 429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


# --- Routers ---------------------------------------------------------------------------------

api.add_router("", "panhuo.organisation.api.router")
api.add_router("", "panhuo.organisation.calendar_api.router")
api.add_router("", "panhuo.organisation.admin_api.router")
api.add_router("", "panhuo.organisation.taskforce_api.router")
api.add_router("", "panhuo.register.api.assets.router")
api.add_router("", "panhuo.register.api.codes.router")
api.add_router("", "panhuo.register.api.imports.router")
api.add_router("", "panhuo.register.api.org_imports.router")
api.add_router("", "panhuo.register.api.scope.router")
api.add_router("", "panhuo.register.api.saved_filters.router")
api.add_router("", "panhuo.disposal.api.router")
api.add_router("", "panhuo.finance.api.router")
api.add_router("", "panhuo.pricing.api.router")
api.add_router("", "panhuo.approvals.api.router")
api.add_router("", "panhuo.integrity.api.router")
api.add_router("", "panhuo.integrity.document_api.router")
api.add_router("", "panhuo.finance.securities.api.router")
api.add_router("", "panhuo.monitor.api.router")
api.add_router("", "panhuo.bidders.api.router")
api.add_router("", "panhuo.auctions.api.router")
api.add_router("", "panhuo.auctions.award_api.router")
api.add_router("", "panhuo.auctions.exchange_api.router")
api.add_router("", "panhuo.decisions.api.router")
api.add_router("", "panhuo.decisions.api_plan.router")
api.add_router("", "panhuo.decisions.api_runs.router")
api.add_router("", "panhuo.portal.api.router")
api.add_router("", "panhuo.flags.api.router")
api.add_router("", "panhuo.findings.api.router")
api.add_router("", "panhuo.opendata.api.router")
api.add_router("", "panhuo.planning.api.router")
api.add_router("", "panhuo.scorecards.api.router")
api.add_router("", "panhuo.reports.api.router")
