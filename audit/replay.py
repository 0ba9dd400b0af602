"""verify_audit_log --replay: every audited table rebuilt from its events and compared with the
table itself, so a value changed past the application (direct SQL, a restored backup, a forged
event) is named: table, row, field, the value per trail and the value in the table.

The replay compares exactly what the trail records. For each row it folds the `after` of its
create event, then every later event's `after`, in sequence order; a field no event of the row
records is not compared (docs/audit.md lists them). Besides the row's fields it checks:

- each event's `before` against the value the trail had until then: a value changed outside
  the trail and then edited through a service shows there, even after the edit;
- who acted, for the fields that hold it (`Table.actors`: a figure's `submitted_by` is the
  actor of its submit event);
- that every row has a create event (or was written in bulk with one summary event, like the
  demo data, and the count agrees), and that every row the trail has not deleted still exists.

The audit app sits below the apps it audits: tables are named by their label (`targets.
measurement`) and read through `django.apps`, never imported. Adding a table is one line,
`register("app.model")` (here, or in the app's AppConfig.ready); a table whose events are not
registered is itself reported.

It runs one table at a time, as a merge of two streams (chunked iterators): the table's events
ordered by row and, within a row, by sequence number; and the table's rows in primary-key order
(rows written in bulk without an event of their own are counted, not read). A fixed number of
queries whatever the number of rows, and memory for one row's events (bench/replay_bench.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date, parse_datetime

from .history import CREATE_ACTIONS, DELETE_ACTIONS, SUMMARY_ACTIONS, current_keys
from .models import AuditEvent

# --- what is replayed ------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """Rows a bulk writer inserts with one summary event instead of one create event each (the
    demo data: `seed_demo`). They are the rows with `flag` set and no create event of their own;
    their number must be what the newest summary event says it created (`count_key` of its
    `after["created"]`), so a row inserted or deleted past the trail still shows."""

    flag: str
    count_key: str | None = None
    action: str = "seed_demo"


class KeyReader:
    """How to read a key the trail records that is not a plain column (links, a many-to-many
    relation by names), for every row of a table in one query, and how to compare it."""

    empty: Any = ()

    def rows(self, model: type[models.Model], batch_size: int) -> Iterator[tuple[int, Any]]:
        """(pk, value normalised) of the rows that have one, in primary-key order; the others
        have `empty`."""
        raise NotImplementedError

    def normalise(self, value: Any) -> Any:
        raise NotImplementedError


def _grouped(pairs: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, list]]:
    """(owner, item) pairs sorted by owner, as (owner, [items])."""
    for owner, items in groupby(pairs, key=itemgetter(0)):
        yield owner, [item for _owner, item in items]


class RelatedKeys(KeyReader):
    """A many-to-many field, recorded as the list of related keys (the loader's `set_…`
    events, `snapshot()` of a many-to-many field), or of another field of the related rows
    (`by`: an account's roles by name, accounts.services.user_snapshot): compared as a set."""

    def __init__(self, name: str, by: str = ""):
        self.name, self.by = name, by

    def rows(self, model: type[models.Model], batch_size: int) -> Iterator[tuple[int, Any]]:
        relation = model._meta.get_field(self.name)
        assert isinstance(relation, models.ManyToManyField)
        through = cast(type[models.Model], relation.remote_field.through)
        source = cast(models.ForeignKey, through._meta.get_field(relation.m2m_field_name()))
        target = cast(models.ForeignKey, through._meta.get_field(relation.m2m_reverse_field_name()))
        value = f"{target.name}__{self.by}" if self.by else target.attname
        pairs = (
            through._base_manager.values_list(source.attname, value)
            .order_by(source.attname)
            .iterator(chunk_size=batch_size)
        )
        for owner, keys in _grouped(pairs):
            yield owner, self.normalise(keys)

    def normalise(self, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        return tuple(sorted(str(v) for v in value))


class UnitLinks(KeyReader):
    """An item's or a target's responsible units, recorded as `[{"unit": code, "name": …,
    "lead": …}, …]` in order (set_units events). Compared by code, order and lead; the name is
    the unit's at the time and may have changed since."""

    def __init__(self, through_label: str, owner: str):
        self.through_label, self.owner = through_label, owner

    def rows(self, model: type[models.Model], batch_size: int) -> Iterator[tuple[int, Any]]:
        through = apps.get_model(self.through_label)
        owner = through._meta.get_field(self.owner).attname
        triples = (
            through._base_manager.values_list(owner, "unit__code", "is_lead")
            .order_by(owner, "order", "pk")
            .iterator(chunk_size=batch_size)
        )
        pairs = ((pk, (code, bool(lead))) for pk, code, lead in triples)
        for pk, links in _grouped(pairs):
            yield pk, tuple(links)

    def normalise(self, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        return tuple(
            (item.get("unit"), bool(item.get("lead"))) if isinstance(item, dict) else item
            for item in value
        )


@dataclass(frozen=True)
class Table:
    """An audited table. `actors`: action → the field that holds the user who did it
    (a figure's `reviewed_by` is the actor of its approve or reject event). `readers`: keys
    read another way than a column (see KeyReader). `seeded`: rows written in bulk."""

    label: str
    seeded: Seeded | None = None
    actors: Mapping[str, str] = field(default_factory=dict)
    readers: Mapping[str, KeyReader] = field(default_factory=dict)
    # Actions recorded on a row that do not change it (a change proposed and waiting for a
    # second person): their `after` is not the row's state, so the replay skips them.
    not_applied: frozenset[str] = frozenset()


TABLES: dict[str, Table] = {}


def register(label: str, **options: Any) -> Table:
    """Replay `label` ("app.model", lower case as events name it). One line per table."""
    table = Table(label.lower(), **options)
    TABLES[table.label] = table
    return table


DEMO = "is_demo"

# Every table whose writes record per-row events (the callers of audit.services.record_event).
# Not here, and why (docs/audit.md): progress and roll-ups (computed, one `recompute` summary
# event per run), reminders, exports, the dirty marks and a token's last use (bookkeeping), and
# the link tables, compared through their owner's `units` key.
register("plans.plan")
register("plans.responsibleunit")
register("plans.planitem", readers={"units": UnitLinks("plans.itemunit", "item")})
register("targets.target", readers={"units": UnitLinks("targets.targetunit", "target")})
register(
    "targets.measurement",
    seeded=Seeded(DEMO, "measurements"),
    actors={
        "create": "created_by",
        "submit": "submitted_by",
        "approve": "reviewed_by",
        "reject": "reviewed_by",
        "withdraw": "withdrawn_by",
    },
)
# A closed target's frozen verdict: created by the closing run, deleted when reopened.
register("targets.targetverdict")
register("enterprises.enterprise", seeded=Seeded(DEMO, "enterprises"))
register("projects.project", seeded=Seeded(DEMO, "projects"))
register("accounts.user", seeded=Seeded(DEMO), readers={"groups": RelatedKeys("groups", by="name")})
register("accounts.apitoken", actors={"create": "created_by"})
# Four eyes on the registers: a proposal and its decision are events of the change (and of its
# import batch); the entry's own events record only what was written to it, so an entry's
# `confirmed` is compared like any field and a proposal's values like any other.
register("registers.pendingchange")
register("registers.importbatch")


# --- comparing values ------------------------------------------------------------------------


# Values the normalisers compare as they come from the database (a Decimal, a date and a time
# are turned into the trail's form by the field's normaliser).
NATIVE = (str, int, float, bool, type(None), Decimal, dt.date)


def _jsonable(value: Any) -> Any:
    """A value from the table as the trail would hold it (audit.chain._jsonable, per value)."""
    if isinstance(value, NATIVE):
        return value
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _as_decimal(value: Any) -> Any:
    try:
        return Decimal(str(value)) if value not in (None, "") else value
    except InvalidOperation:
        return value


def _as_instant(value: Any) -> Any:
    """A time as the trail keeps it: UTC, to the millisecond (DjangoJSONEncoder cuts there)."""
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(parsed, dt.datetime):
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def _as_day(value: Any) -> Any:
    parsed = parse_date(value) if isinstance(value, str) else value
    return parsed.isoformat() if isinstance(parsed, dt.date) else value


def _as_int(value: Any) -> Any:
    try:
        return int(value) if value not in (None, "") and not isinstance(value, bool) else value
    except (TypeError, ValueError):
        return value


def _as_key(value: Any) -> Any:
    return str(value) if value is not None else None


def _normaliser(model_field: models.Field) -> Callable[[Any], Any]:
    if model_field.is_relation:
        return _as_key
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return _as_decimal
    if isinstance(model_field, models.DateTimeField):
        return _as_instant
    if isinstance(model_field, models.DateField):
        return _as_day
    if isinstance(model_field, models.IntegerField):
        return _as_int
    return lambda value: value


def show(value: Any) -> str:
    """A value in a difference line, short: numbers and times plain, text quoted, links as
    `code (lead), code`."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
    elif isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        text = ", ".join(f"{v[0]}{' (lead)' if v[1:] and v[1] else ''}" for v in value)
    else:
        if isinstance(value, tuple):
            value = list(value)
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


class _Keys:
    """How each key the trail records for a table is read from the table and compared: every
    concrete field by its column, the table's readers and its many-to-many fields by a
    KeyReader; anything else (a key that is not a field) is not compared."""

    def __init__(self, table: Table, model: type[models.Model]):
        self.table, self.model = table, model
        pk = model._meta.pk
        if not isinstance(pk, models.AutoField | models.BigAutoField | models.IntegerField):
            raise TypeError(f"{table.label}: the replay needs an integer primary key")
        self.columns: dict[str, str] = {}  # key → attname
        self.normalisers: dict[str, Callable[[Any], Any]] = {}
        for model_field in model._meta.concrete_fields:
            self.columns[model_field.name] = model_field.attname
            self.normalisers[model_field.name] = _normaliser(model_field)
        self.readers: dict[str, KeyReader] = {
            f.name: RelatedKeys(f.name) for f in model._meta.many_to_many
        }
        self.readers.update(table.readers)

    def comparable(self, key: str) -> bool:
        return key in self.normalisers or key in self.readers

    def normalise(self, key: str, value: Any) -> Any:
        if key in self.readers:
            return self.readers[key].normalise(value)
        return self.normalisers[key](value)


# --- the replay ------------------------------------------------------------------------------


@dataclass(slots=True)
class RowTrail:
    """One row as its events leave it: key → (value as recorded, seq of the event that set it)."""

    fields: dict[str, tuple[Any, int]] = field(default_factory=dict)
    created: int | None = None
    deleted: int | None = None
    first: int = 0
    last: int = 0
    last_action: str = ""


@dataclass(frozen=True)
class Difference:
    """One way a table and its trail disagree, as one line."""

    table: str
    pk: str
    field: str
    text: str

    def line(self) -> str:
        where = f"{self.table}:{self.pk}" + (f" {self.field}" if self.field else "")
        return f"{where}: {self.text}"


@dataclass
class TableSummary:
    rows: int = 0  # rows in the table
    compared: int = 0  # rows with events, compared
    seeded: int = 0  # rows written in bulk with a summary event and no event of their own
    differences: int = 0
    fields: set[str] = field(default_factory=set)  # keys compared
    uncompared: set[str] = field(default_factory=set)  # keys recorded but not comparable


@dataclass
class ReplayReport:
    events: int = 0
    tables: dict[str, TableSummary] = field(default_factory=dict)
    unregistered: Counter = field(default_factory=Counter)

    @property
    def differences(self) -> int:
        return sum(t.differences for t in self.tables.values()) + len(self.unregistered)

    @property
    def ok(self) -> bool:
        return self.differences == 0


NUMBER = r"^[0-9]+$"


class _Cursor:
    """A stream of (pk, value) in primary-key order, read up to the pk asked for."""

    def __init__(self, pairs: Iterator[tuple[int, Any]], empty: Any):
        self.pairs, self.empty = pairs, empty
        self.head: tuple[int, Any] | None = next(self.pairs, None)

    def at(self, pk: int) -> Any:
        while self.head is not None and self.head[0] < pk:
            self.head = next(self.pairs, None)
        return self.head[1] if self.head is not None and self.head[0] == pk else self.empty


class _Replay:
    """One table at a time: its events grouped by row (in sequence order within the row)
    merged with its rows in primary-key order, so memory holds one row's events."""

    def __init__(
        self, tables: Mapping[str, Table], report: Callable[[Difference], None], batch_size: int
    ):
        self.tables = tables
        self.emit = report
        self.batch_size = batch_size
        self.result = ReplayReport()
        # The newest summary event of each seeding action: (seq, after["created"]).
        self.seeds: dict[str, tuple[int, dict]] = {}
        self.deleted: dict[str, set[str]] = {}  # by table, the rows an event deleted

    def differ(self, label: str, pk: int | str, name: str, text: str) -> None:
        self.result.tables[label].differences += 1
        self.emit(Difference(label, str(pk), name, text))

    def run(self) -> ReplayReport:
        events = AuditEvent.objects.all()
        self.result.events = events.count()
        for action in {t.seeded.action for t in self.tables.values() if t.seeded}:
            newest = (
                events.filter(action=action).order_by("-seq").values_list("seq", "after").first()
            )
            if (
                newest
                and isinstance(newest[1], dict)
                and isinstance(newest[1].get("created"), dict)
            ):
                self.seeds[action] = (newest[0], newest[1]["created"])
        self.result.unregistered.update(
            dict(
                events.exclude(object_type__in=list(self.tables))
                .exclude(action__in=SUMMARY_ACTIONS)
                .values_list("object_type")
                .annotate(n=models.Count("pk"))
                .values_list("object_type", "n")
            )
        )
        for label, table in self.tables.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                continue  # an app that is not installed here has no table to compare
            self.result.tables[label] = TableSummary()
            self.table(_Keys(table, model))
        return self.result

    # -- one table --

    def events_of(self, label: str) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.filter(object_type=label).exclude(action__in=SUMMARY_ACTIONS)

    def trails(self, keys: _Keys) -> Iterator[tuple[int, RowTrail]]:
        """Each row's events folded, in primary-key order."""
        label = keys.table.label
        events = self.events_of(label)
        for seq, object_id in events.exclude(object_id__regex=NUMBER).values_list(
            "seq", "object_id"
        ):
            self.differ(label, object_id, "", f"event #{seq} names a row this table cannot have")
        stream = (
            events.filter(object_id__regex=NUMBER)
            .annotate(row=Cast("object_id", models.BigIntegerField()))
            .order_by("row", "seq")
            .values_list("row", "seq", "action", "actor_id", "before", "after")
            .iterator(chunk_size=self.batch_size)
        )
        skipped = keys.table.not_applied
        for pk, row_events in groupby(stream, key=itemgetter(0)):
            trail = RowTrail()
            for _pk, seq, action, actor, before, after in row_events:
                if action not in skipped:
                    self.apply(keys, trail, pk, seq, action, actor, before, after)
            yield pk, trail

    def rows(self, keys: _Keys) -> Iterator[tuple]:
        """The table's rows in primary-key order: every column, and whether it was written in
        bulk. Rows written in bulk without an event of their own are counted, not read."""
        label, model = keys.table.label, keys.model
        seeded = keys.table.seeded
        names = ["pk", *dict.fromkeys(keys.columns.values())]
        query = model._base_manager.order_by("pk")
        if seeded is not None:
            evented = (
                self.events_of(label)
                .filter(object_id__regex=NUMBER)
                .annotate(row=Cast("object_id", models.BigIntegerField()))
                .values("row")
            )
            query = query.filter(models.Q(**{seeded.flag: False}) | models.Q(pk__in=evented))
        return query.values_list(*names).iterator(chunk_size=self.batch_size)

    def table(self, keys: _Keys) -> None:
        label, table, model = keys.table.label, keys.table, keys.model
        summary = self.result.tables[label]
        names = ["pk", *dict.fromkeys(keys.columns.values())]
        # Links and many-to-many keys: compared where some event of the table records them.
        recorded = self.events_of(label)
        readers = {
            key: reader
            for key, reader in keys.readers.items()
            if recorded.filter(
                models.Q(after__has_key=key) | models.Q(before__has_key=key)
            ).exists()
        }
        cursors = {
            key: _Cursor(reader.rows(model, self.batch_size), reader.empty)
            for key, reader in readers.items()
        }
        flag = table.seeded.flag if table.seeded else None
        seeded_with_events = 0
        trails = self.trails(keys)
        trail_pk, trail = next(trails, (None, None))
        rows = self.rows(keys)
        values = next(rows, None)
        while trail is not None or values is not None:
            row_pk = values[0] if values is not None else None
            if trail is not None and (row_pk is None or trail_pk < row_pk):
                assert trail_pk is not None
                self.vanished(keys, trail_pk, trail)
                trail_pk, trail = next(trails, (None, None))
                continue
            assert values is not None and row_pk is not None
            summary.rows += 1
            column = dict(zip(names, values, strict=True))
            if trail is None or row_pk < trail_pk:
                self.differ(label, row_pk, "", "no create event: written outside the trail")
            else:
                bulk = bool(flag and column[keys.columns[flag]]) and trail.created is None
                seeded_with_events += bulk
                self.compare(keys, row_pk, trail, column, cursors, bulk)
                summary.compared += 1
                summary.fields.update(trail.fields)
                trail_pk, trail = next(trails, (None, None))
            values = next(rows, None)
        summary.fields &= set(keys.columns) | set(readers)
        if table.seeded is not None:
            self.check_seed_count(keys, seeded_with_events)

    def apply(
        self,
        keys: _Keys,
        row: RowTrail,
        pk: int,
        seq: int,
        action: str,
        actor: int | None,
        before: Any,
        after: Any,
    ) -> None:
        label = keys.table.label
        if not row.first:
            row.first = seq
        before = current_keys(label, before) if isinstance(before, dict) else {}
        after = current_keys(label, after) if isinstance(after, dict) else {}
        uncompared = self.result.tables[label].uncompared
        uncompared.update(k for k in (*before, *after) if not keys.comparable(k))
        if row.deleted is not None and action not in CREATE_ACTIONS:
            self.differ(
                label, pk, "", f"event #{seq} ({action}) comes after its deletion (#{row.deleted})"
            )
        if action in CREATE_ACTIONS:
            row.created, row.deleted, row.fields = seq, None, {}
        else:
            self.check_before(keys, row, pk, seq, action, before)
        if action in DELETE_ACTIONS:
            row.deleted = seq
            self.deleted.setdefault(label, set()).add(str(pk))
        else:
            for key, value in after.items():
                if keys.comparable(key):
                    row.fields[key] = (value, seq)
            actor_field = keys.table.actors.get(action)
            if actor_field and actor_field not in after and keys.comparable(actor_field):
                row.fields[actor_field] = (actor, seq)
        row.last, row.last_action = seq, action

    def check_before(
        self, keys: _Keys, row: RowTrail, pk: int, seq: int, action: str, before: dict
    ) -> None:
        """The `before` of an event is what the trail says the row held until then; a value that
        differs was changed outside the trail in between."""
        for key, value in before.items():
            if not keys.comparable(key):
                continue
            known = row.fields.get(key)
            if known is None:
                if row.created is not None and key in keys.readers:
                    known = (keys.readers[key].empty, row.created)  # no links when created
                else:
                    row.fields[key] = (value, seq)  # first known from this event
                    continue
            was, had = keys.normalise(key, value), keys.normalise(key, known[0])
            if was != had:
                self.differ(
                    keys.table.label,
                    pk,
                    key,
                    f"event #{seq} ({action}) says it was {show(was)} before, the trail had "
                    f"{show(had)} (#{known[1]}): changed outside the trail in between",
                )

    def compare(
        self,
        keys: _Keys,
        pk: int,
        trail: RowTrail,
        column: dict[str, Any],
        cursors: dict[str, _Cursor],
        bulk: bool,
    ) -> None:
        label = keys.table.label
        if trail.deleted is not None:
            self.differ(label, pk, "", f"the trail deleted it (#{trail.deleted}), the table has it")
            return
        if trail.created is None and not bulk:
            self.differ(
                label,
                pk,
                "",
                f"no create event: written outside the trail (its first event is #{trail.first})",
            )
        for key, (value, seq) in sorted(trail.fields.items()):
            if key in cursors:
                have = cursors[key].at(pk)
            elif key in keys.readers:
                continue  # recorded by this row only as a `before`: nothing to read
            else:
                have = keys.normalisers[key](_jsonable(column[keys.columns[key]]))
            wanted = keys.normalise(key, value)
            if wanted != have:
                self.differ(label, pk, key, f"trail {show(wanted)} (#{seq}), table {show(have)}")
        if trail.created is not None:
            # Links the row's trail never mentions are still known: a new row has none.
            for key, cursor in cursors.items():
                if key not in trail.fields and (have := cursor.at(pk)) != cursor.empty:
                    self.differ(
                        label,
                        pk,
                        key,
                        f"trail {show(cursor.empty)} (#{trail.created}), table {show(have)}",
                    )

    def vanished(self, keys: _Keys, pk: int, trail: RowTrail) -> None:
        """A row with events that is not in the table."""
        label, table = keys.table.label, keys.table
        if trail.deleted is not None:
            return
        seed = self.seeds.get(table.seeded.action) if table.seeded else None
        if trail.created is None and seed is not None and seed[0] > trail.last:
            return  # a row written in bulk, deleted by a later run of the same bulk writer
        if self.deleted_with_owner(keys, trail):
            return
        self.differ(
            label,
            pk,
            "",
            f"in the trail (last event #{trail.last} {trail.last_action}) but not in the "
            "table, and no event deleted it",
        )

    def deleted_with_owner(self, keys: _Keys, trail: RowTrail) -> bool:
        """A row removed by the database with the row it belongs to (on_delete=CASCADE), whose
        deletion the trail records."""
        for key, (value, _seq) in trail.fields.items():
            try:
                model_field = keys.model._meta.get_field(key)
            except FieldDoesNotExist:
                continue
            if not isinstance(model_field, models.ForeignKey):
                continue
            if model_field.remote_field.on_delete is not models.CASCADE:
                continue
            related = model_field.related_model._meta.label_lower  # type: ignore[union-attr]
            if related not in self.deleted:
                self.deleted[related] = set(
                    AuditEvent.objects.filter(
                        object_type=related, action__in=DELETE_ACTIONS
                    ).values_list("object_id", flat=True)
                )
            if str(value) in self.deleted[related]:
                return True
        return False

    def check_seed_count(self, keys: _Keys, with_events: int) -> None:
        """Rows written in bulk: as many, flagged and without a create event, as the newest
        summary event says it created (less those deleted one by one since)."""
        seeded = keys.table.seeded
        assert seeded is not None
        label, model = keys.table.label, keys.model
        flagged = model._base_manager.filter(**{seeded.flag: True})
        evented = (
            self.events_of(label)
            .filter(object_id__regex=NUMBER)
            .annotate(row=Cast("object_id", models.BigIntegerField()))
        )
        created = evented.filter(action__in=CREATE_ACTIONS).values("row")
        rows = flagged.exclude(pk__in=created).count()
        summary = self.result.tables[label]
        summary.seeded = rows - with_events
        summary.rows += summary.seeded  # counted, not read
        if seeded.count_key is None:
            return
        seed = self.seeds.get(seeded.action)
        expected = int(seed[1].get(seeded.count_key, 0)) if seed else 0
        if seed is not None:
            # Rows of the run deleted one by one since are gone for a reason.
            expected -= (
                evented.filter(action__in=DELETE_ACTIONS, seq__gt=seed[0])
                .exclude(row__in=created)
                .count()
            )
        if rows != expected:
            where = f"#{seed[0]} {seeded.action}" if seed else f"no {seeded.action} event"
            self.differ(
                label,
                "*",
                "",
                f"{rows} rows marked {seeded.flag} without a create event, the trail says "
                f"{expected} ({where}): rows were inserted or deleted outside the trail",
            )


def replay(
    *,
    report: Callable[[Difference], None] = lambda difference: None,
    batch_size: int = 5000,
    tables: Iterable[str] | None = None,
) -> ReplayReport:
    """Rebuild every registered table (or `tables`) from the trail and compare it with the
    table; `report` is called with each difference as it is found."""
    chosen = {label: TABLES[label] for label in (tables or TABLES)}
    result = _Replay(chosen, report, batch_size).run()
    if tables is not None:
        result.unregistered.clear()  # a partial replay does not judge the others
    return result
