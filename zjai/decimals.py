"""Decimal columns that read back exactly on both databases, and the one range each accepts.

SQLite (the embedded default) keeps a DecimalField as a floating-point number, which holds 15
significant decimal digits exactly, and Django reads it back through a 15-digit context rounded
to the column's places. PostgreSQL's numeric keeps every digit. A column of at most 15 digits in
all therefore reads back what was written on both; a longer one reads back rounded on SQLite,
and a number of 16 digits or more does not read back at all: rounded to 15 significant digits
it no longer fits its own column, and Django raises InvalidOperation (issue 18's 500).

`ExactDecimalField` is such a column with its range stated once. The model's validation, its
form field (the pages, the register imports, the admin) and the API's StrictDecimalField (which
reads the range as min_value and max_value; the schema publishes them) all refuse a number
outside it with the same message, naming the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext

# What a double holds exactly (C's DBL_DIG): the most digits a column may have.
EXACT_DIGITS = 15


@dataclass(frozen=True)
class DecimalRange:
    """The numbers a field accepts, both ends included."""

    low: Decimal
    high: Decimal

    @classmethod
    def of(
        cls, max_digits: int, decimal_places: int, minimum: Decimal | int | None = None
    ) -> DecimalRange:
        """What a column holds (±99999999999.9999 for 15 digits, 4 after the point), from
        `minimum` up when it is given."""
        high = Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)
        return cls(-high if minimum is None else Decimal(minimum), high)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Decimal) and value.is_finite() and self.low <= value <= self.high

    @property
    def message(self) -> str:
        """The error for a number outside the range, in the active language."""
        return gettext("Enter a number from %(low)s to %(high)s.") % {
            "low": format(self.low, "f"),
            "high": format(self.high, "f"),
        }


class ExactDecimalFormField(forms.DecimalField):
    """A decimal within its column's range. A number outside it gets one message, naming the
    range, rather than a count of digits as well."""

    def __init__(
        self,
        *,
        max_digits: int,
        decimal_places: int,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
        **kwargs: Any,
    ) -> None:
        column = DecimalRange.of(max_digits, decimal_places, min_value)
        high = column.high if max_value is None else min(Decimal(max_value), column.high)
        self.allowed = DecimalRange(column.low, high)
        super().__init__(
            max_digits=max_digits,
            decimal_places=decimal_places,
            min_value=self.allowed.low,
            max_value=self.allowed.high,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        # A stored 205.5000 is shown as 205.5 (and 142000.0000 as 142000): the column's places
        # are how it is kept, not how the number was written.
        if isinstance(value, Decimal) and value.is_finite():
            return without_trailing_zeros(value)
        return super().prepare_value(value)

    def validate(self, value: Any) -> None:
        super().validate(value)  # required, finite
        if value not in self.empty_values and value not in self.allowed:
            raise ValidationError(self.allowed.message, code="out_of_range")


class ExactDecimalField(models.DecimalField):
    """A DecimalField of at most 15 digits in all, accepting what its column holds, from
    `minimum` up when given (inclusive)."""

    def __init__(self, *args: Any, minimum: Decimal | int | None = None, **kwargs: Any) -> None:
        self.minimum = minimum
        super().__init__(*args, **kwargs)

    @property
    def range(self) -> DecimalRange:
        return DecimalRange.of(self.max_digits, self.decimal_places, self.minimum)

    @cached_property
    def validators(self) -> list[Any]:
        # As validators, so that DRF's ModelSerializer passes them on as min_value/max_value.
        low, high = self.range.low, self.range.high
        return [*super().validators, MinValueValidator(low), MaxValueValidator(high)]

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.max_digits is not None and self.max_digits > EXACT_DIGITS:
            errors.append(
                checks.Error(
                    f"max_digits is {self.max_digits}: SQLite keeps at most {EXACT_DIGITS} "
                    "digits exactly.",
                    obj=self,
                    id="zjai.E001",
                )
            )
        return errors

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.minimum is not None:
            kwargs["minimum"] = self.minimum
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{"form_class": ExactDecimalFormField, "min_value": self.range.low, **kwargs}
        )


def exact_field(model: type[models.Model], name: str) -> ExactDecimalField:
    """A model's decimal field, for what it allows."""
    field = model._meta.get_field(name)
    if not isinstance(field, ExactDecimalField):
        raise TypeError(f"{model.__name__}.{name} is not an ExactDecimalField")
    return field


def without_trailing_zeros(value: Decimal) -> Decimal:
    """205.5000 → 205.5, 142000.0000 → 142000 (never 1.42E+5)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def plain_number(value: Decimal) -> str:
    """A decimal as people write it in a message: 142000, 1.5, never 142000.0000 or 1.5E+5."""
    return format(value.normalize(), "f")
