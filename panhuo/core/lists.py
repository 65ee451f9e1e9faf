"""One list component for every list page: search, filters, sortable columns, pages, saved
filters and export of exactly what is shown.

A list page is a few lines of declaration (in the spirit of NetBox's generic list views)::

    class AssetList(ObjectList):
        # saved filters' name, and the resource whose "view" opens the page; the page's URL
        # name and template are ``asset-list`` and ``register/asset_list.html`` (the resource's
        # ``-list`` in the declaring app) unless ``url_name`` and ``template`` say otherwise
        target, resource = "assets", "asset"
        # its GET filter form (with ``filters()``)
        filter_form = AssetFilterForm
        # the app's selector, rows(user, **filters), and the sortable columns; the default
        # sort is the selector's own (its ``ordering`` default) unless ``default_sort`` says
        rows, orderings = asset_list, ASSET_ORDERINGS
        columns = [Column("code", _("Code")), ...]

    asset_list_view = AssetList.as_view()

The rows always come from the app's selector called with the reader, so a list never shows or
exports what the reader may not see. ``?export=csv`` or ``?export=xlsx`` on the list's own URL
(``?format=`` is read too) exports every page with the same filters and sort; text cells that a
spreadsheet would run as formulas are neutralised. ``q`` searches the declared ``search``
fields; ``sort`` names a column (``-`` for descending) and the primary key breaks ties.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from inspect import signature
from typing import Any, ClassVar

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_resolver, reverse
from django.utils import timezone

from panhuo.core.querying import ordered, search_filter
from panhuo.core.ui import _FORMULA_STARTS as FORMULA_STARTS
from panhuo.core.ui import csv_response, ordering_from, paginate, section_required

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
#: A search longer than this is cut (it is a filter, not a document).
MAX_SEARCH = 200

#: The lists' names (saved filters' ``target``), fixed here so the API's schema can list them;
#: a test checks that every one is declared and nothing else is.
TARGETS = (
    "assets", "packages", "projects", "approvals", "chains", "delegations", "valuations",
    "receipts", "overdue-receipts", "allocations", "debts", "deposits", "documents",
    "scope-decisions", "imports", "audit", "revenue", "bidders", "lots", "flags", "findings",
    "plans", "plan-tasks", "scorecards", "score-decisions", "reports",
    "scenario-runs", "optimiser-runs", "asset-decisions",
)  # fmt: skip

#: Every declared list, by its saved-filter target ("assets", "debts", ...).
REGISTRY: dict[str, type[ObjectList]] = {}


def registry() -> dict[str, type[ObjectList]]:
    """The declared lists; loading the URLconf imports every app's list declarations."""
    get_resolver().url_patterns  # noqa: B018 (imports the views that declare the lists)
    return REGISTRY


@dataclass(frozen=True)
class Column:
    """A column of the table and of the export.

    ``key`` is its ``sort`` name when the list's orderings know it; ``value`` takes a row and
    gives the exported cell (a dotted attribute path or a callable; the key by default).
    ``show=False`` exports a column the page does not show, ``export=False`` the reverse.
    ``money=True``: an amount the page shows in the reader's unit (the ``money`` filter) and
    the export in exact yuan; each header says which ("Book value (in 10k yuan)" on the page,
    "Book value (in yuan)" in the file).
    """

    key: str
    label: Any
    value: str | Callable[[Any], Any] | None = None
    numeric: bool = False
    show: bool = True
    export: bool = True
    money: bool = False

    @property
    def head_label(self) -> str:
        """The page's header: an amount's says the reader's unit."""
        from panhuo.core.money import with_unit

        return with_unit(self.label) if self.money else str(self.label)

    @property
    def export_label(self) -> str:
        """The export's header: an amount's says yuan (exports are in yuan, exactly)."""
        from panhuo.core.money import with_unit

        return with_unit(self.label, "yuan") if self.money else str(self.label)

    def cell(self, row) -> Any:
        value = self._value(row)
        if self.money and value is not None:
            # Exact yuan with its cents (a sum SQLite computed comes back as 1.9000000).
            from panhuo.core.money import CENT

            return Decimal(value).quantize(CENT)
        return value

    def _value(self, row) -> Any:
        getter = self.value or self.key
        if callable(getter):
            return getter(row)
        value = row
        for part in getter.split("."):
            if value is None:
                return None
            value = getattr(value, part)
            if callable(value) and part.startswith("get_"):
                value = value()
        return value


def _takes_user(form_class) -> bool:
    return "user" in signature(form_class.__init__).parameters


def export_stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def xlsx_response(filename: str, sheet: str, header: list, rows: Iterable[Iterable]):
    """Rows as a one-sheet XLSX workbook (openpyxl's streaming mode). Text that a spreadsheet
    would run as a formula is stored as text, so it is shown, never run; numbers (Decimals
    exactly) and dates stay numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append([str(h) for h in header])

    def cell(value):
        if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
            if isinstance(value, dt.datetime) and value.tzinfo:
                return timezone.localtime(value).replace(tzinfo=None)
            return value
        text = str(value)
        if text.startswith(FORMULA_STARTS):
            out = WriteOnlyCell(ws, text)
            out.data_type = "s"
            return out
        return text

    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


#: At most this many ticked rows travel between pages.
MAX_TICKED = 1000


def ticked(request, name: str = "pick") -> list[int]:
    """The rows ticked on a list's pages so far: ``pick=<id>`` in the query (page links carry
    them), or in the form sent (its ticked boxes and the hidden fields of rows ticked on other
    pages). A list with row checkboxes shows them ticked, or carries them as hidden fields."""
    data = request.POST if request.method == "POST" else request.GET
    values = data.getlist(name)
    seen: dict[int, None] = {}
    for value in values:
        if value.isdigit() and 0 < int(value) < 2**63:
            seen[int(value)] = None
    return list(seen)[:MAX_TICKED]


class ListFilterForm(forms.Form):
    """A list's filter form (GET): ``filters()`` gives the selector's keyword arguments from
    the fields that are valid and filled in (a record chosen is passed as its id); a value
    the form refuses is left out, never a 500."""

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value.pk if isinstance(value, Model) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "", [], ())
        }


class ObjectList:
    """A list page declared in a few lines; see the module's docstring."""

    target: ClassVar[str] = ""
    resource: ClassVar[str] = ""
    action: ClassVar[str] = "view"
    url_name: ClassVar[str] = ""
    template: ClassVar[str] = ""
    filter_form: ClassVar[type | None] = None
    #: The selector: ``rows(user, **filters)``; its scope is the reader's.
    rows: ClassVar[Callable[..., Any]]
    #: Fields ``q`` searches here; empty when the selector searches ``q`` itself.
    search: ClassVar[tuple[str, ...]] = ()
    search_placeholder: ClassVar[Any] = ""
    orderings: ClassVar[dict[str, str]] = {}
    #: The sort when none is asked for: by default the selector's (its ``ordering`` default).
    default_sort: ClassVar[str] = ""
    tiebreak: ClassVar[str] = "pk"
    columns: ClassVar[list[Column]] = []
    #: Base of the export's file name and the XLSX sheet's name.
    export_name: ClassVar[str] = ""
    per_page: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.default_sort and hasattr(cls, "rows"):
            ordering = signature(cls.rows).parameters.get("ordering")
            if ordering is not None and isinstance(ordering.default, str):
                cls.default_sort = ordering.default
        if cls.resource and not cls.url_name:
            cls.url_name = f"{cls.resource}-list"
        if cls.resource and not cls.template:
            cls.template = f"{cls.__module__.split('.')[1]}/{cls.resource}_list.html"
        if cls.target:
            REGISTRY[cls.target] = cls

    def __init__(self, request):
        self.request = request
        self.user = request.user

    # --- the query -----------------------------------------------------------------------

    def form(self):
        if self.filter_form is None:
            return None
        data = self.request.GET or None
        if _takes_user(self.filter_form):
            return self.filter_form(data, user=self.user)
        return self.filter_form(data)

    def filters(self, form) -> dict:
        return form.filters() if form is not None and form.is_bound else {}

    def search_text(self) -> str:
        return (self.request.GET.get("q") or "").strip()[:MAX_SEARCH]

    def sort(self) -> str:
        if not self.orderings:
            return ""
        return ordering_from(self.request, self.orderings, self.default_sort)

    def get_queryset(self, filters: dict):
        """The selector's rows for the reader (override to pass more, e.g. ``ordering``)."""
        return type(self).rows(self.user, **filters)

    def query(self) -> tuple[Any, str, Any]:
        """The filter form, the sort in effect and the rows, as the page and export share."""
        form = self.form()
        filters = self.filters(form)
        text = self.search_text()
        if self.search:
            filters.pop("q", None)
        sort = self.sort()
        # A selector that sorts (``ordering``) keeps its own tiebreak; others are sorted here.
        sorts_itself = bool(sort) and "ordering" in signature(type(self).rows).parameters
        if sorts_itself:
            filters["ordering"] = sort
        qs = self.get_queryset(filters)
        if self.search and text:
            qs = qs.filter(search_filter(self.search, text))
        if sort and not sorts_itself and isinstance(qs, QuerySet):
            qs = ordered(qs, sort, self.orderings, self.default_sort, self.tiebreak)
        return form, sort, qs

    # --- the page --------------------------------------------------------------------------

    def decorate(self, rows):
        """Annotate the rows of the page shown (links, labels) before it renders; what it
        returns, if anything, replaces them."""

    def extra_context(self, qs) -> dict:
        return {}

    def head(self) -> list[Column]:
        return [c for c in self.columns if c.show]

    def render(self, status: int = 200, **context):
        form, sort, qs = self.query()
        page = paginate(self.request, qs, self.per_page)
        decorated = self.decorate(page.object_list)
        if decorated is not None:
            page.object_list = decorated
        return render(
            self.request,
            self.template,
            {
                "filter_form": form,
                "sort": sort,
                "page": page,
                "list": self,
                "list_target": self.target,
                "list_url": reverse(self.url_name) if self.url_name else self.request.path,
                "search_box": bool(self.search) and not (form is not None and "q" in form.fields),
                "search_text": self.search_text(),
                "search_placeholder": self.search_placeholder,
                "head_columns": self.head(),
                "sortable": set(self.orderings),
                **self.extra_context(qs),
                **context,
            },
            status=status,
        )

    # --- export ------------------------------------------------------------------------------

    def export_format(self) -> str:
        fmt = self.request.GET.get("export") or self.request.GET.get("format") or ""
        return fmt if fmt in EXPORT_FORMATS else ""

    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def export_header(self) -> list[str]:
        return [c.export_label for c in self.export_columns()]

    def export_rows(self, qs) -> Iterator[list]:
        columns = self.export_columns()
        items = qs.iterator(chunk_size=2000) if isinstance(qs, QuerySet) else qs
        for row in items:
            yield [c.cell(row) for c in columns]

    def export(self, fmt: str):
        _form, _sort, qs = self.query()
        name = f"{self.export_name or self.target}-{export_stamp()}.{fmt}"
        header = self.export_header()
        if fmt == "csv":
            return csv_response(name, header, self.export_rows(qs))
        return xlsx_response(name, self.export_name or self.target, header, self.export_rows(qs))

    # --- the view ----------------------------------------------------------------------------

    def dispatch(self, status: int = 200, **context) -> HttpResponse:
        fmt = self.export_format()
        if fmt:
            return self.export(fmt)
        return self.render(status, **context)

    @classmethod
    def as_view(cls, export: str = ""):
        """The page's view (``export`` fixes a format: the view then only exports)."""

        def view(request, *args, **kwargs):
            page = cls(request)
            if export:
                return page.export(export)
            return page.dispatch()

        view.__name__ = f"{cls.__name__}_{export or 'view'}"
        view.__doc__ = cls.__doc__
        return section_required(cls.resource, cls.action)(view)
