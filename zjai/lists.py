"""What the browser's list pages share: filter, sort, paginate, export.

A list page starts from `Model.objects.for_user(user)`, applies the model's one filterset (the
same as the API's), sorts by a column of its table (each sort ends with the primary key, so the
order is total and served by an index), and shows one page. The number of rows is counted only
up to a cap (`SELECT COUNT(*) FROM (… LIMIT cap+1)`), so a page of a 100,000-row register does
not scan the whole table to print its total; past the cap the page says "more than N".
`?export=csv` streams the same filtered, sorted rows as CSV, in chunks.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.views.generic import TemplateView

from zjai.access import RoleRequiredMixin
from zjai.collation import PINYIN_FIELDS, ordering_terms
from zjai.csvsafe import defuse
from zjai.filters import AnyYesNoSelect
from zjai.forms import DateInput

if TYPE_CHECKING:
    import django_filters
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models.options import Options

PER_PAGE = 50
COUNT_CAP = 10_000
EXPORT_CHUNK = 2000


class UserScopedManager(Protocol):
    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Any]: ...


class UserScopedModel(Protocol):
    """A model class whose rows are scoped to a user: `Model.objects.for_user(user)`."""

    @property
    def objects(self) -> UserScopedManager: ...

    @property
    def _meta(self) -> Options[Any]: ...


@dataclass(frozen=True)
class Column:
    """A column of a list: its label and, if it can sort the list, the fields it sorts by."""

    name: str
    label: Any
    order_by: tuple[str, ...] = ()
    numeric: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


@dataclass(frozen=True)
class ExportField:
    header: Any
    value: Callable[[Any], Any]


class Table:
    """The columns of a list page, the sort it accepts and the fields of its export."""

    columns: tuple[Column, ...] = ()
    default_sort: str = ""
    export_fields: tuple[ExportField, ...] = ()
    # Fields of Chinese text sorted in pinyin order, not by code point (zjai/collation.py).
    pinyin_fields: tuple[str, ...] = PINYIN_FIELDS

    def __init__(self, sort: str | None):
        names = {c.name: c for c in self.columns if c.sortable}
        chosen = sort or ""
        key = chosen.lstrip("-")
        if key not in names:
            chosen = self.default_sort
            key = chosen.lstrip("-")
        self.sort = chosen
        self.sort_key = key
        self.descending = chosen.startswith("-")
        self.column = names[key]

    def order(self, queryset):
        fields = [f"-{f}" if self.descending else f for f in self.column.order_by]
        terms = ordering_terms(fields, self.pinyin_fields)
        return queryset.order_by(*terms, "-pk" if self.descending else "pk")

    def headers(self) -> list[dict[str, Any]]:
        out = []
        for column in self.columns:
            current = column.name == self.sort_key
            next_sort = column.name
            if current and not self.descending:
                next_sort = f"-{column.name}"
            out.append(
                {
                    "column": column,
                    "current": current,
                    "descending": current and self.descending,
                    "next_sort": next_sort if column.sortable else None,
                    "aria_sort": (
                        ("descending" if self.descending else "ascending") if current else None
                    ),
                }
            )
        return out


@dataclass
class Page:
    """One page of a list, with a count that stops at the cap."""

    object_list: list
    number: int
    per_page: int
    has_next: bool
    count: int
    capped: bool
    pages: list[int | None] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def last_known(self) -> int:
        return max(1, -(-self.count // self.per_page))


def _page_numbers(number: int, last: int, capped: bool) -> list[int | None]:
    """Page links around the current one; None marks a gap."""
    wanted = {1, number - 2, number - 1, number, number + 1, number + 2}
    if not capped:
        wanted.add(last)
    shown = sorted(n for n in wanted if 1 <= n <= (last if not capped else max(last, number + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


# Beyond any register's last page, and small enough for the offset to fit a bigint.
MAX_PAGE = 10**9


def paginate(queryset, page_param: str | None, per_page: int = PER_PAGE) -> Page:
    try:
        number = min(max(1, int(page_param or 1)), MAX_PAGE)
    except ValueError:
        number = 1
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    capped = count > COUNT_CAP
    count = min(count, COUNT_CAP)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    page = Page(rows[:per_page], number, per_page, has_next, count, capped)
    page.pages = _page_numbers(number, page.last_known, capped)
    return page


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    # A number is data, never a formula: -5 stays -5. Anything else is written as its text,
    # defused if a spreadsheet would run it.
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return force_str(value)
    return defuse(force_str(value))


def stream_csv(filename: str, fields: Iterable[ExportField], rows: Iterable[Any]):
    fields = list(fields)
    writer = csv.writer(_Echo())

    def generate() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow([force_str(f.header) for f in fields])
        for row in rows:
            yield writer.writerow([_cell(f.value(row)) for f in fields])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


class FilteredListView(RoleRequiredMixin, TemplateView):
    """A list of a model for a user: scoped, filtered, sorted, paginated, exportable."""

    model: UserScopedModel
    filterset_class: type[django_filters.FilterSet]
    table_class: type[Table] = Table
    export_name = "export"
    per_page = PER_PAGE

    def base_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def decorate(self, queryset):
        """select_related / only() for the rows shown: a fixed number of queries per page."""
        return queryset

    def export_queryset(self, queryset):
        return self.decorate(queryset)

    def can_export(self) -> bool:
        return True

    def export_query(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "csv"
        return query.urlencode()

    def get(self, request, *args, **kwargs):
        self.filterset = self.filterset_class(
            request.GET or None, queryset=self.base_queryset(), request=request
        )
        self.friendly_widgets(self.filterset.form)
        self.table = self.table_class(request.GET.get("sort"))
        queryset = self.table.order(self.filterset.qs)
        if request.GET.get("export") == "csv":
            if not self.can_export():
                raise PermissionDenied
            rows = self.export_queryset(queryset).iterator(chunk_size=EXPORT_CHUNK)
            return stream_csv(self.export_name, self.table.export_fields, rows)
        self.page = paginate(self.decorate(queryset), request.GET.get("page"), self.per_page)
        return super().get(request, *args, **kwargs)

    @staticmethod
    def friendly_widgets(form) -> None:
        """Checkboxes for multiple choices, All/Yes/No for yes-or-no, date boxes in the page's
        language for dates (the API ignores widgets)."""
        for form_field in form.fields.values():
            if isinstance(form_field, forms.NullBooleanField):
                form_field.widget = AnyYesNoSelect()
            elif isinstance(form_field, forms.MultipleChoiceField):
                # django-stubs type a widget's choices as already normalised; since Django 5.0
                # the widget normalises what it is given, as the field does.
                form_field.widget = forms.CheckboxSelectMultiple(
                    choices=form_field.choices  # type: ignore[arg-type]
                )
            elif isinstance(form_field, forms.DateField):
                form_field.widget = DateInput()
            elif isinstance(form_field, forms.CharField):
                form_field.widget.attrs.setdefault("type", "search")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filterset=self.filterset,
            filter_form=self.filterset.form,
            table=self.table,
            headers=self.table.headers(),
            page=self.page,
            rows=self.page.object_list,
            filtered=any(
                any(values)
                for key, values in self.request.GET.lists()
                if key not in ("sort", "page", "q")
            ),
            export_query=self.export_query(),
        )
        return context
