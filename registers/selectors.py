"""Reads of pending register changes that the pages, the API and the dashboard share: which
entries await confirmation, the change of each, what a user has to confirm. Who may confirm is
registers.rules; this module only reads."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import formats

from zjai.roles import Role

from .choices import EditKind
from .models import ChangeKind, ChangeState, ImportBatch, PendingChange, entry_field

M = TypeVar("M", bound=models.Model)

# The queue's counts stop here ("99+"), as the dashboard's do.
COUNT_CAP = 99


def pending_exists(model: type[models.Model]) -> Exists:
    """True for an entry with a change awaiting confirmation (an annotation or a filter)."""
    return Exists(
        PendingChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            state=ChangeState.PENDING,
        )
    )


def awaiting_confirmation(model: type[models.Model]) -> Q:
    """The entries with something awaiting confirmation: new ones not yet confirmed, and
    confirmed ones with a proposed change."""
    return Q(confirmed=False) | Q(pending_exists(model))


def attach_pending(entries: Sequence[M]) -> Sequence[M]:
    """Set `pending_change` (a PendingChange or None) on each entry, in one query whatever
    their number; the entries are of one register."""
    if not entries:
        return entries
    model = type(entries[0])
    changes = {
        change.object_id: change
        for change in PendingChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[entry.pk for entry in entries],
            state=ChangeState.PENDING,
        ).select_related("proposed_by", "batch")
    }
    for entry in entries:
        entry.pending_change = changes.get(entry.pk)  # type: ignore[attr-defined]
    return entries


def pending_change(entry: models.Model) -> PendingChange | None:
    """The entry's change awaiting confirmation (read once, then kept on the entry)."""
    if not hasattr(entry, "pending_change"):
        attach_pending([entry])
    return entry.pending_change  # type: ignore[attr-defined]


def with_proposal(entry: M) -> M:
    """A copy of the entry showing the values its pending change proposes: what its proposer
    edits, and what a form or a PUT compares a change with. Never saved."""
    change = pending_change(entry)
    if change is None or change.kind != ChangeKind.UPDATE:
        return entry
    shown = copy.copy(entry)
    for name, value in change.proposed_values(type(entry)).items():
        setattr(shown, name, value)
    return shown


@dataclass(frozen=True)
class ProposedField:
    """One counted field of a pending change, as a person reads it."""

    label: str
    current: str
    proposed: str


def _display(model: type[models.Model], name: str, value: Any) -> str:
    field = entry_field(model, name)
    if value in (None, ""):
        return "—"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(field.to_python(value))


def readable_values(
    model: type[models.Model], proposed: dict[str, Any], previous: dict[str, Any]
) -> list[ProposedField]:
    """Proposed values (as a change's JSON keeps them) beside the values they replace, by the
    fields' labels and with choices by their labels. Without `previous` (a new entry) the
    fields it leaves empty are left out."""
    return [
        ProposedField(
            str(entry_field(model, name).verbose_name),
            _display(model, name, previous.get(name)),
            _display(model, name, value),
        )
        for name, value in proposed.items()
        if previous or value not in (None, "")
    ]


def proposed_fields(model: type[models.Model], change: PendingChange) -> list[ProposedField]:
    """The fields a change proposes, each with its confirmed and its proposed value."""
    return readable_values(model, change.proposed, change.previous)


# --- the queue ---------------------------------------------------------------------------------


def _for_confirmer(queryset: QuerySet, user) -> QuerySet:
    if user.has_role(Role.ADMIN):
        return queryset
    if user.has_role(Role.REVIEWER) and user.unit_id is not None:
        return queryset.filter(owner_unit_id=user.unit_id)
    return queryset.none()


def changes_to_confirm(user) -> QuerySet[PendingChange]:
    """The single changes (not of an import's batch) that the user may confirm, oldest first:
    registers.rules.may_confirm as a query (the unit's, or every unit's for an administrator,
    never the user's own proposals)."""
    pending = PendingChange.objects.filter(state=ChangeState.PENDING, batch__isnull=True)
    return (
        _for_confirmer(pending, user)
        .exclude(proposed_by=user)
        .select_related("content_type", "proposed_by", "owner_unit")
        .order_by("pk")
    )


def batches_to_confirm(user) -> QuerySet[ImportBatch]:
    pending = ImportBatch.objects.filter(state=ChangeState.PENDING)
    return (
        _for_confirmer(pending, user)
        .exclude(created_by=user)
        .select_related("register", "created_by", "owner_unit")
        .order_by("pk")
    )


def my_pending_changes(user) -> QuerySet[PendingChange]:
    """What the user proposed and nobody has decided yet (single changes)."""
    return (
        PendingChange.objects.filter(
            state=ChangeState.PENDING, batch__isnull=True, proposed_by=user
        )
        .select_related("content_type", "proposed_by", "owner_unit")
        .order_by("pk")
    )


def my_pending_batches(user) -> QuerySet[ImportBatch]:
    return (
        ImportBatch.objects.filter(state=ChangeState.PENDING, created_by=user)
        .select_related("register", "created_by", "owner_unit")
        .order_by("pk")
    )


def to_confirm_count(user) -> int:
    """How many single changes and batches await the user's confirmation (up to COUNT_CAP + 1:
    a badge needs no exact count of a long queue)."""
    if not user.is_authenticated or not user.has_role(Role.ADMIN, Role.REVIEWER):
        return 0
    singles = changes_to_confirm(user).order_by()[: COUNT_CAP + 1].count()
    batches = batches_to_confirm(user).order_by()[: COUNT_CAP + 1].count()
    return singles + batches


def register_name(content_type: ContentType) -> str:
    """The register of a change, in the reader's language ("enterprises")."""
    model = content_type.model_class()
    return str(model._meta.verbose_name_plural) if model else content_type.model


def batch_entries(batch: ImportBatch) -> QuerySet[PendingChange]:
    return batch.changes.select_related("content_type").order_by("pk")


def entry_url_name(content_type: ContentType) -> str:
    """The route of an entry's page: each register's app names it "detail"."""
    return f"{content_type.app_label}:detail"


# --- an entry's counted values over time --------------------------------------------------------

# The fields of a history row that say when it holds and how it was known, not the entry's.
PERIOD_FIELDS = {"id", "entry", "valid_from", "valid_to", "recorded_at", "replaced_at", "edit_kind"}


@dataclass(frozen=True)
class Period:
    """One period of an entry's counted values as its page shows it: from `valid_from` (None:
    the entry's beginning) to `last_day` (None: on), known from `recorded_at` until
    `replaced_at` (None: still the current knowledge)."""

    valid_from: dt.date | None
    last_day: dt.date | None
    values: list[str]
    recorded_at: dt.datetime
    edit_kind: str
    replaced_at: dt.datetime | None = None


@dataclass(frozen=True)
class ValidTimeHistory:
    labels: list[str]
    current: list[Period]
    earlier: list[Period]


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    """A counted value as the page shows it: dates in the reader's format, as the periods'."""
    if isinstance(value, dt.date):
        return formats.date_format(value)
    return _display(model, name, value)


def _period(model: type[models.Model], names: list[str], row: Any, own: bool = False) -> Period:
    valid_to = None if own else row.valid_to
    kind = "" if own else row.edit_kind
    return Period(
        valid_from=row.valid_from,
        last_day=valid_to - dt.timedelta(days=1) if valid_to is not None else None,
        values=[_shown(model, name, getattr(row, name)) for name in names],
        recorded_at=row.recorded_at,
        edit_kind=str(EditKind(kind).label) if kind else "",
        replaced_at=None if own else row.replaced_at,
    )


def valid_time_history(entry: models.Model) -> ValidTimeHistory:
    """The entry's counted values by period as known now (its history rows not replaced, then
    its own row: the period that holds today), and the earlier accounts later edits replaced,
    newest replacement first (registers.models.EntryHistory)."""
    model = type(entry)
    rows = list(
        entry.history.order_by(  # type: ignore[attr-defined]
            F("valid_from").asc(nulls_first=True), "recorded_at", "pk"
        )
    )
    history = entry.history.model  # type: ignore[attr-defined]
    names = [f.name for f in history._meta.concrete_fields if f.name not in PERIOD_FIELDS]
    current = [_period(model, names, r) for r in rows if r.replaced_at is None]
    current.append(_period(model, names, entry, own=True))
    replaced = sorted(
        (r for r in rows if r.replaced_at is not None), key=lambda r: (r.replaced_at, r.pk)
    )
    return ValidTimeHistory(
        labels=[str(entry_field(model, name).verbose_name) for name in names],
        current=current,
        earlier=[_period(model, names, r) for r in reversed(replaced)],
    )
