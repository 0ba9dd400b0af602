"""A plan's reporting periods: computed from its period and frequency, never stored.

A period runs from its first to its last day (both included); its report is due
`plan.report_due_days` days after its last day; it is *closed* once that day has passed
without the report being submitted. Periods are calendar months, quarters, halves or years,
cut to the plan's own period at both ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plans.choices import ReportingFrequency

MONTHS_PER_PERIOD = {
    ReportingFrequency.MONTHLY: 1,
    ReportingFrequency.QUARTERLY: 3,
    ReportingFrequency.HALF_YEARLY: 6,
    ReportingFrequency.YEARLY: 12,
}


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    due: dt.date
    frequency: str

    @property
    def label(self) -> str:
        """2024Q1, 2024H2, 2024-03 or 2024: the same in both languages, and sortable."""
        year = self.end.year
        if self.frequency == ReportingFrequency.QUARTERLY:
            return f"{year}Q{(self.end.month - 1) // 3 + 1}"
        if self.frequency == ReportingFrequency.HALF_YEARLY:
            return f"{year}H{1 if self.end.month <= 6 else 2}"
        if self.frequency == ReportingFrequency.MONTHLY:
            return f"{year}-{self.end.month:02d}"
        return str(year)

    def is_closed(self, day: dt.date) -> bool:
        """The day the report was due has passed."""
        return day > self.due

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def periods_of(plan) -> list[Period]:
    """Every reporting period of the plan, in order."""
    months = MONTHS_PER_PERIOD[ReportingFrequency(plan.reporting_frequency)]
    due_after = dt.timedelta(days=plan.report_due_days)
    out: list[Period] = []
    # The calendar period that holds the plan's first day.
    year, month = plan.period_start.year, plan.period_start.month
    month = ((month - 1) // months) * months + 1
    while True:
        start = dt.date(year, month, 1)
        if start > plan.period_end:
            break
        end_month = month + months - 1
        end = _month_end(year, end_month)
        cut_start, cut_end = max(start, plan.period_start), min(end, plan.period_end)
        out.append(Period(cut_start, cut_end, cut_end + due_after, plan.reporting_frequency))
        month += months
        if month > 12:
            year, month = year + 1, month - 12
    return out


def period_of(plan, day: dt.date) -> Period | None:
    """The period that holds `day`, if the plan runs then."""
    return next((p for p in periods_of(plan) if p.contains(day)), None)


def period_starting(plan, start: dt.date) -> Period | None:
    """The period that starts on `start` (how reports name their period)."""
    return next((p for p in periods_of(plan) if p.start == start), None)


def closed_periods(plan, day: dt.date) -> list[Period]:
    """The periods whose reports were due before `day`."""
    return [p for p in periods_of(plan) if p.is_closed(day)]


def current_period(plan, day: dt.date) -> Period | None:
    """The period a unit reports on now: the newest that has ended and is not yet closed,
    else the one under way."""
    open_ = [p for p in periods_of(plan) if p.end < day and not p.is_closed(day)]
    return open_[-1] if open_ else period_of(plan, day)
