"""Small helpers shared by the server-rendered pages of every app.

Views stay thin: they fetch through the selectors' ``get_*_for`` helpers (a missing or hidden
object is a 404), delegate every write to a service, and turn what services raise into what a
person reads: a form error naming the field, a message, or the 403 page.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from panhuo.organisation import policy


def section_required(resource: str, action: str = "view") -> Callable:
    """Sign-in required, and some role for ``resource``/``action`` somewhere, else 403.

    Scope (which objects) is left to the selectors; this only keeps people out of sections
    their roles have nothing to do with.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not policy.can_any(request.user, resource, action):
                raise PermissionDenied(_("Your roles do not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def fetch_or_404(getter: Callable, user, pk):
    """Call a selector's ``get_*_for(user, pk)``; what it cannot find (or hides) is a 404."""
    try:
        return getter(user, pk)
    except ObjectDoesNotExist:
        raise Http404(_("No such record, or it is not visible to you.")) from None


def fetch_allowed(getter, user, pk, resource: str, action: str, refusal: str, *, place=None):
    """:func:`fetch_or_404`, then a 403 saying ``refusal`` unless ``user``'s roles allow
    ``action`` on ``resource`` in the record's jurisdiction (``place(record)`` when given)."""
    found = fetch_or_404(getter, user, pk)
    jurisdiction = place(found) if place else found.jurisdiction
    if not policy.allowed(user, resource, action, jurisdiction=jurisdiction):
        raise PermissionDenied(refusal)
    return found


def paginate(request, queryset, per_page: int | None = None) -> Page:
    """One page of ``queryset`` (50 rows by default); a bad page number shows the nearest."""
    size = per_page or settings.PANHUO["PAGE_SIZE"]
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def ordering_from(request, orderings: dict[str, str], default: str) -> str:
    """The ``sort`` query parameter if it names a known column (optionally with "-")."""
    raw = (request.GET.get("sort") or "").strip()
    return raw if raw.lstrip("-") in orderings else default


def add_service_errors(form, exc: DjangoValidationError) -> None:
    """Attach a service's ValidationError to the form: under its field, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            elif field == NON_FIELD_ERRORS:
                form.add_error(None, errors)
            else:
                # "attributes.floors" belongs under "attributes"; a field the form does not
                # show (e.g. "package") goes above the form. Either way its name stays in it.
                parent, _dot, sub = field.partition(".")
                target = parent if sub and parent in form.fields else None
                label = sub if target else field
                form.add_error(
                    target, [DjangoValidationError(f"{label}: {m}") for e in errors for m in e]
                )
    else:
        form.add_error(None, exc.messages)


def form_write[T](
    request,
    form,
    write: Callable[[], T],
    message: str | Callable[[T], str] = "",
    *,
    denied: tuple[str, str] | None = None,
) -> T | None:
    """Run a page's service write for a valid form. A refusal (ValidationError) goes onto the
    form under the field it names and None comes back, so the page shows the form again with
    nothing written; on success the message (or ``message(result)``) is flashed and the
    result returned for the redirect. ``denied`` = (field, text): a PermissionDenied for the
    record the form chose (a jurisdiction the roles do not reach) is put on that field instead
    of answering 403, as the form offered it."""
    try:
        result = write()
    except DjangoValidationError as exc:
        add_service_errors(form, exc)
        return None
    except PermissionDenied:
        if denied is None:
            raise
        form.add_error(denied[0], denied[1])
        return None
    _flash(request, message, result)
    return result


def form_post[T](
    request,
    form,
    write: Callable[[dict], T],
    message: str | Callable[[T], str] = "",
    *,
    to,
    page: Callable,
    denied: tuple[str, str] | None = None,
):
    """A page's form as posted: when it is valid, ``write(cleaned_data)`` runs through
    :func:`form_write` and the browser goes on to ``to`` (a URL or its name, a record, or
    ``to(result)``); an invalid or refused form is shown again by ``page(form)``."""
    if form.is_valid():
        # Boxed, so that a write returning None still counts as done.
        say = (lambda box: message(box[0])) if callable(message) else message
        done = form_write(request, form, lambda: (write(form.cleaned_data),), say, denied=denied)
        if done is not None:
            return redirect(to(done[0]) if callable(to) else to)
    return page(form)


def place_setting_post(request, form_class, write, message, *, denied: str, back: str, page):
    """A form setting something for one place (its ``jurisdiction`` field), posted from the page
    named ``back``: ``write(data)`` runs (a place the roles do not reach puts ``denied`` on the
    field), then that page opens again on the place; ``message(data)`` is flashed."""
    form = form_class(request.POST, user=request.user)
    return form_post(
        request, form, write, lambda _done: message(form.cleaned_data),
        to=lambda _done: f"{reverse(back)}?jurisdiction={form.cleaned_data['jurisdiction'].pk}",
        page=page, denied=("jurisdiction", denied),
    )  # fmt: skip


def button_write[T](
    request, write: Callable[[], T], message: str | Callable[[T], str] = ""
) -> T | None:
    """Run a page's service write that has no form to show again (a button): a refusal
    (ValidationError) is flashed as an error and None comes back; on success the message (or
    ``message(result)``) is flashed and the result returned for the redirect."""
    try:
        result = write()
    except DjangoValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    _flash(request, message, result)
    return result


def _flash(request, message, result) -> None:
    text = message(result) if callable(message) else message
    if text:
        messages.success(request, text)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number as a spreadsheet reads one: sign, digits (thousands separated or not), fraction.
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a plain decimal number ("-7856500.00", "+3", "-1,200.5")."""
    return bool(_PLAIN_NUMBER.match(text))


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will never run as a formula: text starting with = + - @
    (or a tab or carriage return) gets a leading apostrophe, unless it is a plain number —
    a reversal of -7,856,500.00 stays a number the spreadsheet sums, not text."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_STARTS) and not is_plain_number(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """Stream rows as UTF-8 CSV with a byte-order mark, so Excel reads Chinese text right."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


#: Bookkeeping columns that every change touches; the history does not repeat them.
