"""Filtering, ordering and search for every API list, strict about their input.

The filtersets themselves are the apps' own (`targets.filtersets.TargetFilterSet`, …), shared
with the browser lists and the exports, so a filter means the same everywhere. What this module
adds is API strictness: a value the filter cannot honour is a 400 naming the parameter, never a
silently ignored filter (django-filter drops a boolean it cannot read and would return the
unfiltered list) and never a server error (a year of 10**9 used to reach the database).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request

from zjai.collation import PINYIN_FIELDS, ordering_terms

INTEGER = re.compile(r"-?[0-9]{1,18}")
# The range Python's date handles; a year lookup outside it cannot be turned into SQL.
YEAR_RANGE = (1, 9999)
INTEGER_RANGES: dict[type[models.Field], tuple[int, int]] = {
    models.PositiveSmallIntegerField: (0, 32767),
    models.SmallIntegerField: (-32768, 32767),
    models.PositiveIntegerField: (0, 2147483647),
    models.IntegerField: (-2147483648, 2147483647),
    models.PositiveBigIntegerField: (0, 9223372036854775807),
    models.BigIntegerField: (-9223372036854775808, 9223372036854775807),
    models.AutoField: (-2147483648, 2147483647),
    models.BigAutoField: (-9223372036854775808, 9223372036854775807),
}


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_text_filter(filter_: django_filters.Filter) -> bool:
    """Filters documented as free text, for which an empty value is a value like any other."""
    return isinstance(filter_, django_filters.CharFilter | django_filters.ModelChoiceFilter)


def has_nul(value: str) -> bool:
    """PostgreSQL text cannot hold NUL; such a value can match nothing, and psycopg2 raises."""
    return "\x00" in value


def integer_range(
    filter_: django_filters.Filter, model: type[models.Model]
) -> tuple[int, int] | None:
    """The bounds of a NumberFilter that is really an integer filter, else None."""
    if not isinstance(filter_, django_filters.NumberFilter):
        return None
    if filter_.lookup_expr in ("year", "iso_year"):
        return YEAR_RANGE
    try:
        field = model._meta.get_field(filter_.field_name)
    except Exception:  # a filter over a relation or a method: no integer bounds to apply
        return None
    for cls in type(field).__mro__:
        if cls in INTEGER_RANGES:
            return INTEGER_RANGES[cls]
    return None


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with booleans, integers and years checked before the filterset runs."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            self.check_params(request, filterset_class)
        return super().filter_queryset(request, queryset, view)

    @staticmethod
    def check_params(request: Request, filterset_class: type[django_filters.FilterSet]) -> None:
        errors: dict[str, list[str]] = {}
        model = filterset_class._meta.model
        for name, filter_ in filterset_class.base_filters.items():
            for value in request.query_params.getlist(name):
                if has_nul(value):
                    errors[name] = [_("Null characters are not allowed.")]
                elif value == "" and not is_text_filter(filter_):
                    # django-filter reads an empty value as "no filter"; for a date, a number
                    # or a choice it is a client bug (a template that left the value out).
                    errors[name] = [_("Enter a value, or leave the parameter out.")]
                elif isinstance(filter_, django_filters.DateFilter):
                    if not ISO_DATE.fullmatch(value) or not is_date(value):
                        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
                elif isinstance(filter_, django_filters.BooleanFilter):
                    if value not in ("true", "false"):
                        errors[name] = [_("Enter true or false.")]
                elif (bounds := integer_range(filter_, model)) is not None:
                    if not INTEGER.fullmatch(value.strip()) or not (
                        bounds[0] <= int(value) <= bounds[1]
                    ):
                        errors[name] = [
                            _("Enter a whole number from %(low)d to %(high)d.")
                            % {"low": bounds[0], "high": bounds[1]}
                        ]
                elif isinstance(filter_, django_filters.NumberFilter):
                    try:
                        number = Decimal(value)
                    except InvalidOperation:
                        number = None
                    if number is None or not number.is_finite() or abs(number) >= Decimal("1e16"):
                        errors[name] = [_("Enter a number.")]
        if errors:
            raise ValidationError(errors)


class StrictFilterExtension(DjangoFilterExtension):
    """Documents what StrictFilterBackend enforces: integer filters as integers with bounds."""

    target_class = "zjai.api.filters.StrictFilterBackend"
    match_subclasses = True
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        bounds = integer_range(filter_field, model)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if bounds is not None:
                schema.update({"type": "integer", "minimum": bounds[0], "maximum": bounds[1]})
                schema.pop("format", None)
            elif isinstance(filter_field, django_filters.NumberFilter):
                schema.update({"minimum": -9999999999999999, "maximum": 9999999999999999})
        return parameters


def requested_terms(raw: str) -> list[str]:
    """The terms of `?ordering=`, with the spaces around each and the empty ones left out: an
    empty value (or only commas and spaces) is what many clients send for "no choice", and
    means the default order."""
    return [term for term in (part.strip(" ") for part in raw.split(",")) if term]


def ordering_item_schema(fields: list[str]) -> dict[str, Any]:
    """The schema of one term of `?ordering=`, exactly what `requested_terms` and the check of
    the terms accept: one of the enum (a field, or a minus and a field), or the same with
    spaces around it, or blank (left out)."""
    terms = [term for field in fields for term in (field, f"-{field}")]
    names = "|".join(re.escape(field) for field in fields)
    return {
        "type": "string",
        "anyOf": [{"enum": terms}, {"pattern": f"^ *(?:-?(?:{names}))? *$"}],
    }


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=field,-other`: unknown fields are a 400 (DRF drops them silently), and the
    primary key is appended as a tie-breaker so offset pages never repeat or skip rows."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        terms = requested_terms(request.query_params.get(self.ordering_param, ""))
        if not terms:
            ordering = list(self.get_default_ordering(view) or [])
        else:
            allowed = self.allowed_terms(view, request)
            bad = [term for term in terms if term.removeprefix("-") not in allowed]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Cannot order by %(bad)s. Choose from: %(allowed)s.")
                            % {"bad": ", ".join(bad), "allowed": ", ".join(sorted(allowed))}
                        ]
                    }
                )
            ordering = terms
        if not any(term.removeprefix("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        """The requested order, Chinese names and titles in pinyin order (zjai/collation.py)."""
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*ordering_terms(ordering, PINYIN_FIELDS))

    def allowed_terms(self, view: Any, request: Request | None = None) -> set[str]:
        return {name for name, _label in self.get_valid_fields(view.get_queryset(), view, {})}

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = sorted(getattr(view, "ordering_fields", None) or [])
        if not fields:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": _(
                    "Order by these fields, comma-separated (each one of the enum: a field, or "
                    "a minus and a field to reverse it). Spaces around a field and empty terms "
                    "are ignored; an empty value is the default order."
                ),
                "schema": {"type": "array", "items": ordering_item_schema(fields)},
                "style": "form",
                "explode": False,
            }
        ]


class StrictSearchFilter(SearchFilter):
    """`?search=words`: every word must appear in one of the view's `search_fields`."""

    def get_search_terms(self, request: Request) -> list[str]:
        value = request.query_params.get(self.search_param, "")
        if has_nul(value):
            raise ValidationError({self.search_param: [_("Null characters are not allowed.")]})
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if not getattr(view, "search_fields", None):
            return []
        return [
            {
                "name": self.search_param,
                "required": False,
                "in": "query",
                "description": _("Words to look for in: %(fields)s.")
                % {"fields": ", ".join(f.lstrip("^=@$") for f in view.search_fields)},
                "schema": {"type": "string"},
            }
        ]
