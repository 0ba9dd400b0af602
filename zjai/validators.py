"""Validators shared by the registers, the forms, the API and the plan loader."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates a register entry or a figure may carry: nothing before the reform era that created
# these registers, nothing absurdly far in the future (a typo such as 2202 for 2022).
EARLIEST_DATE = dt.date(1978, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def validate_sensible_date(value: dt.date) -> None:
    if value is None:
        return
    if not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            _("Enter a date between %(start)s and %(end)s."),
            code="date_out_of_range",
            params={"start": EARLIEST_DATE.isoformat(), "end": LATEST_DATE.isoformat()},
        )
