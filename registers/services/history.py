"""The valid-time history of a register entry's counted values: what a confirmed change or
correction writes besides the entry's own columns (docs/domain.md, "Registers with valid time").

The current knowledge of an entry is a run of periods covering all time: its history rows with
no `replaced_at` (closed periods, oldest first) and the entry's own row (the open-ended last
period, from its `valid_from`). An edit computes the new run from the old one, then writes only
the difference: the periods it no longer holds end their knowledge (`replaced_at` = now, never
deleted, so a report as known before the edit reads them still), the periods it adds are
recorded now. The entry's own row becomes the new run's last period; if its old period was
replaced, the old account of it is kept as a replaced history row.

- A **change** from a date E: the periods before E keep their values; from E on, the changed
  fields take the new values (a period that spans E is split at E). A later period's value of a
  changed field is overwritten too: the entry's columns, which the form shows, are what holds
  today.
- A **correction**: for each changed field, the new value replaces the old one in the periods
  back from today where that field held the corrected value (the old value was always wrong,
  wherever it held); earlier values of the field stay.

Adjacent periods left with the same values are merged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from zjai.dates import today

from ..choices import EditKind


@dataclass(frozen=True)
class Dating:
    """How an edit of counted fields is dated: a change from a date (by default the day it is
    proposed) or a correction (no date). Going back in time needs a reason: a change dated
    before today, and every correction."""

    edit_kind: str = EditKind.CHANGE
    effective_from: dt.date | None = None

    def checked(self, reason: str) -> Dating:
        """The dating as stored, or a ValidationError naming the field that is wrong."""
        if self.edit_kind not in EditKind.values:
            raise ValidationError({"edit_kind": _("Choose a change or a correction.")})
        explained = bool((reason or "").strip())
        if self.edit_kind == EditKind.CORRECTION:
            if self.effective_from is not None:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "A correction replaces the old value wherever it held: leave the "
                            "date empty, or record a change from that date."
                        )
                    }
                )
            if not explained:
                raise ValidationError({"reason": _("A correction needs a reason.")})
            return self
        day = today()
        effective = self.effective_from or day
        if effective > day:
            raise ValidationError({"effective_from": _("A change cannot take effect after today.")})
        if effective < day and not explained:
            raise ValidationError({"reason": _("A change dated back needs a reason.")})
        return Dating(EditKind.CHANGE, effective)


@dataclass(frozen=True)
class Period:
    """Counted values over [valid_from, valid_to); None: unbounded on that side."""

    valid_from: dt.date | None
    valid_to: dt.date | None
    values: tuple[tuple[str, Any], ...]

    def value(self, name: str) -> Any:
        return dict(self.values)[name]

    def with_values(self, new: dict[str, Any]) -> Period:
        merged = dict(self.values)
        merged.update(new)
        return replace(self, values=tuple(sorted(merged.items())))


def _values(obj: models.Model, counted: list[str]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((name, getattr(obj, name)) for name in counted))


def _counted_names(entry: models.Model) -> list[str]:
    """The counted fields: those the entry's history rows keep, by the same names."""
    history = _history_model(entry)
    own = {"id", "entry", "valid_from", "valid_to", "recorded_at", "replaced_at", "edit_kind"}
    return [f.name for f in history._meta.concrete_fields if f.name not in own]


def _history_model(entry: models.Model) -> type[models.Model]:
    return entry.history.model  # type: ignore[attr-defined]


def _changed(periods: list[Period], new: dict[str, Any], kind: str, effective: dt.date | None):
    if kind == EditKind.CORRECTION:
        result = list(periods)
        for name, value in new.items():
            wrong = result[-1].value(name)
            for i in range(len(result) - 1, -1, -1):
                if result[i].value(name) != wrong:
                    break
                result[i] = result[i].with_values({name: value})
        return result
    assert effective is not None
    result = []
    for period in periods:
        if period.valid_to is not None and period.valid_to <= effective:
            result.append(period)
        elif period.valid_from is None or period.valid_from < effective:
            result.append(replace(period, valid_to=effective))
            result.append(replace(period, valid_from=effective).with_values(new))
        else:
            result.append(period.with_values(new))
    return result


def _merged(periods: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for period in periods:
        if merged and merged[-1].values == period.values:
            merged[-1] = replace(merged[-1], valid_to=period.valid_to)
        else:
            merged.append(period)
    return merged


def record_edit(
    locked: models.Model,
    new: dict[str, Any],
    *,
    kind: str,
    effective_from: dt.date | None,
    now: dt.datetime,
) -> None:
    """Record a confirmed edit of `locked`'s counted fields (`new`: the changed ones) in its
    history and set the entry's `valid_from` and `recorded_at`. The caller then writes the new
    values to the entry's columns and saves it; it holds the entry's row lock."""
    history = _history_model(locked)
    counted = _counted_names(locked)
    rows = list(
        history._default_manager.filter(entry=locked, replaced_at__isnull=True).order_by(
            models.F("valid_from").asc(nulls_first=True), "pk"
        )
    )
    old = [Period(r.valid_from, r.valid_to, _values(r, counted)) for r in rows]  # type: ignore[attr-defined]
    current = Period(locked.valid_from, None, _values(locked, counted))  # type: ignore[attr-defined]
    periods = _merged(_changed([*old, current], new, kind, effective_from))

    kept = set(periods)
    gone = [row for row, period in zip(rows, old, strict=True) if period not in kept]
    history._default_manager.filter(pk__in=[r.pk for r in gone]).update(replaced_at=now)
    known = set(old)
    last = periods[-1]
    added = [p for p in periods[:-1] if p not in known]
    if last != current:
        # The entry's period as it was known until now, kept for reports as known before.
        added_rows = [_row(history, locked, current, locked.recorded_at, "", replaced_at=now)]  # type: ignore[attr-defined]
        locked.valid_from = last.valid_from  # type: ignore[attr-defined]
        locked.recorded_at = now  # type: ignore[attr-defined]
    else:
        added_rows = []
    added_rows += [_row(history, locked, p, now, kind) for p in added]
    history._default_manager.bulk_create(added_rows)


def _row(
    history: type[models.Model],
    entry: models.Model,
    period: Period,
    recorded_at: dt.datetime,
    kind: str,
    *,
    replaced_at: dt.datetime | None = None,
) -> models.Model:
    return history(
        entry=entry,
        valid_from=period.valid_from,
        valid_to=period.valid_to,
        recorded_at=recorded_at,
        replaced_at=replaced_at,
        edit_kind=kind,
        **dict(period.values),
    )
