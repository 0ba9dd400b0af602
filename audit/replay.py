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

It streams the events in sequence order and each table in primary-key order (chunked
iterators): a fixed number of queries whatever the number of rows, and memory for the rows that
have events only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
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
    """How to read, for every row of a table at once, a key the trail records that is not a
    plain column (links, a many-to-many relation by names), and how to compare it."""

    empty: Any = ()

    def read(self, model: type[models.Model], batch_size: int) -> dict[str, Any]:
        """{pk as text: value, normalised} for the rows that have one; the others have `empty`."""
        raise NotImplementedError

    def normalise(self, value: Any) -> Any:
        raise NotImplementedError


class RelatedKeys(KeyReader):
    """A many-to-many field, recorded as the list of related keys (the loader's `set_…`
    events, `snapshot()` of a many-to-many field), or of another field of the related rows
    (`by`: an account's roles by name, accounts.services.user_snapshot): compared as a set."""

    def __init__(self, name: str, by: str = ""):
        self.name, self.by = name, by

    def read(self, model: type[models.Model], batch_size: int) -> dict[str, Any]:
        relation = model._meta.get_field(self.name)
        assert isinstance(relation, models.ManyToManyField)
        through = cast(type[models.Model], relation.remote_field.through)
        source = cast(models.ForeignKey, through._meta.get_field(relation.m2m_field_name()))
        target = cast(models.ForeignKey, through._meta.get_field(relation.m2m_reverse_field_name()))
        value = f"{target.name}__{self.by}" if self.by else target.attname
        found: dict[str, list] = defaultdict(list)
        rows = through._base_manager.values_list(source.attname, value).order_by(source.attname)
        for owner, related in rows.iterator(chunk_size=batch_size):
            found[str(owner)].append(related)
        return {pk: self.normalise(keys) for pk, keys in found.items()}

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

    def read(self, model: type[models.Model], batch_size: int) -> dict[str, Any]:
        through = apps.get_model(self.through_label)
        owner = through._meta.get_field(self.owner).attname
        found: dict[str, list] = defaultdict(list)
        rows = through._base_manager.values_list(owner, "unit__code", "is_lead").order_by(
            owner, "order", "pk"
        )
        for pk, code, lead in rows.iterator(chunk_size=batch_size):
            found[str(pk)].append((code, bool(lead)))
        return {pk: tuple(links) for pk, links in found.items()}

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
    read another way than a column (see KeyReader)."""

    label: str
    seeded: Seeded | None = None
    actors: Mapping[str, str] = field(default_factory=dict)
    readers: Mapping[str, KeyReader] = field(default_factory=dict)


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
register("enterprises.enterprise", seeded=Seeded(DEMO, "enterprises"))
register("projects.project", seeded=Seeded(DEMO, "projects"))
register("accounts.user", seeded=Seeded(DEMO), readers={"groups": RelatedKeys("groups", by="name")})
register("accounts.apitoken", actors={"create": "created_by"})


# --- comparing values ------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """A value from the table as the trail would hold it (audit.chain._jsonable, per value)."""
    if isinstance(value, models.fields.files.FieldFile):
        value = value.name or ""
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
    """How each key the trail records for a table is read from the table and compared."""

    def __init__(self, table: Table, model: type[models.Model]):
        self.table, self.model = table, model
        self.columns: dict[str, str] = {}  # key → attname
        self.normalisers: dict[str, Callable[[Any], Any]] = {}
        self.readers: dict[str, KeyReader] = {}
        self.uncompared: set[str] = set()

    def comparable(self, key: str) -> bool:
        if key in self.normalisers or key in self.readers:
            return True
        if key in self.uncompared:
            return False
        if key in self.table.readers:
            self.readers[key] = self.table.readers[key]
            return True
        try:
            model_field = self.model._meta.get_field(key)
        except FieldDoesNotExist:
            self.uncompared.add(key)
            return False
        if model_field.many_to_many and isinstance(model_field, models.ManyToManyField):
            self.readers[key] = RelatedKeys(key)
            return True
        if not model_field.concrete or isinstance(model_field, models.ManyToManyField):
            self.uncompared.add(key)
            return False
        self.columns[key] = model_field.attname
        self.normalisers[key] = _normaliser(model_field)
        return True

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
    seen: bool = False


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
    seeded: int = 0  # rows written in bulk with a summary event, not compared
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


def _event_stream(batch_size: int) -> Iterator[tuple]:
    return (
        AuditEvent.objects.order_by("seq")
        .values_list("seq", "action", "object_type", "object_id", "actor_id", "before", "after")
        .iterator(chunk_size=batch_size)
    )


class _Replay:
    def __init__(self, tables: Mapping[str, Table], report: Callable[[Difference], None]):
        self.tables = tables
        self.emit = report
        self.result = ReplayReport()
        self.keys: dict[str, _Keys] = {}
        self.rows: dict[str, dict[str, RowTrail]] = defaultdict(dict)
        # The newest summary event of each seeding action: (seq, after["created"]).
        self.seeds: dict[str, tuple[int, dict]] = {}

    def differ(self, label: str, pk: str, name: str, text: str) -> None:
        self.result.tables[label].differences += 1
        self.emit(Difference(label, pk, name, text))

    # -- events, in sequence order --

    def fold(self, batch_size: int) -> None:
        for label, table in self.tables.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                continue  # an app that is not installed here has no table to compare
            self.keys[label] = _Keys(table, model)
            self.result.tables[label] = TableSummary()
        for seq, action, label, pk, actor, before, after in _event_stream(batch_size):
            self.result.events += 1
            if action in SUMMARY_ACTIONS:
                if isinstance(after, dict) and isinstance(after.get("created"), dict):
                    self.seeds[action] = (seq, after["created"])
                continue
            keys = self.keys.get(label)
            if keys is None:
                self.result.unregistered[label] += 1
                continue
            self.apply(keys, seq, action, str(pk), actor, before, after)

    def apply(
        self,
        keys: _Keys,
        seq: int,
        action: str,
        pk: str,
        actor: int | None,
        before: Any,
        after: Any,
    ) -> None:
        label = keys.table.label
        row = self.rows[label].get(pk)
        if row is None:
            row = self.rows[label][pk] = RowTrail(first=seq)
        before = current_keys(label, before) if isinstance(before, dict) else {}
        after = current_keys(label, after) if isinstance(after, dict) else {}
        if row.deleted is not None and action not in CREATE_ACTIONS:
            self.differ(
                label, pk, "", f"event #{seq} ({action}) comes after its deletion (#{row.deleted})"
            )
        if action in CREATE_ACTIONS:
            row.created, row.deleted, row.fields = seq, None, {}
        else:
            self.check_before(keys, row, seq, action, pk, before)
        if action in DELETE_ACTIONS:
            row.deleted = seq
        else:
            for key, value in after.items():
                if keys.comparable(key):
                    row.fields[key] = (value, seq)
            actor_field = keys.table.actors.get(action)
            if actor_field and actor_field not in after and keys.comparable(actor_field):
                row.fields[actor_field] = (actor, seq)
        row.last, row.last_action = seq, action

    def check_before(
        self, keys: _Keys, row: RowTrail, seq: int, action: str, pk: str, before: dict
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

    # -- the tables, each in primary-key order --

    def compare(self, batch_size: int) -> None:
        for keys in self.keys.values():
            self.compare_table(keys, batch_size)

    def compare_table(self, keys: _Keys, batch_size: int) -> None:
        label, table, model = keys.table.label, keys.table, keys.model
        summary = self.result.tables[label]
        trails = self.rows.get(label, {})
        recorded = {key for trail in trails.values() for key in trail.fields}
        for key in recorded:
            keys.comparable(key)
        summary.uncompared = set(keys.uncompared)
        summary.fields = set(keys.columns) | set(keys.readers)
        linked = {key: reader.read(model, batch_size) for key, reader in keys.readers.items()}
        columns = list(dict.fromkeys(keys.columns.values()))
        flag = table.seeded.flag if table.seeded else None
        names = ["pk", *columns, *([flag] if flag else [])]
        query = model._base_manager.order_by("pk").values_list(*names)
        seeded_rows = 0
        for values in query.iterator(chunk_size=batch_size):
            summary.rows += 1
            pk = str(values[0])
            column = dict(zip(names, values, strict=True))
            trail = trails.get(pk)
            seeded = bool(flag and column[flag]) and (trail is None or trail.created is None)
            if seeded:
                seeded_rows += 1
            if trail is None:
                if seeded:
                    summary.seeded += 1
                else:
                    self.differ(label, pk, "", "no create event: written outside the trail")
                continue
            trail.seen = True
            summary.compared += 1
            if trail.deleted is not None:
                self.differ(
                    label, pk, "", f"the trail deleted it (#{trail.deleted}), the table has it"
                )
                continue
            if trail.created is None and not seeded:
                self.differ(
                    label,
                    pk,
                    "",
                    f"no create event: written outside the trail "
                    f"(its first event is #{trail.first})",
                )
            for key, (value, seq) in sorted(trail.fields.items()):
                if key in keys.readers:
                    have = linked[key].get(pk, keys.readers[key].empty)
                else:
                    have = keys.normalisers[key](_jsonable(column[keys.columns[key]]))
                wanted = keys.normalise(key, value)
                if wanted != have:
                    self.differ(
                        label, pk, key, f"trail {show(wanted)} (#{seq}), table {show(have)}"
                    )
            if trail.created is not None:
                # Links the trail never mentions are still known: a new row has none.
                for key, reader in keys.readers.items():
                    if key not in trail.fields and linked[key].get(pk, reader.empty):
                        self.differ(
                            label,
                            pk,
                            key,
                            f"trail {show(reader.empty)} (#{trail.created}), "
                            f"table {show(linked[key][pk])}",
                        )
        self.check_vanished(keys, trails)
        self.check_seed_count(keys, trails, seeded_rows)

    def check_vanished(self, keys: _Keys, trails: dict[str, RowTrail]) -> None:
        label, table = keys.table.label, keys.table
        seed = self.seeds.get(table.seeded.action) if table.seeded else None
        for pk, trail in trails.items():
            if trail.seen or trail.deleted is not None:
                continue
            if trail.created is None and seed is not None and seed[0] > trail.last:
                continue  # a seeded row, deleted by a later run of the same bulk writer
            if self.deleted_with_owner(keys, trail):
                continue
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
            owner = self.rows.get(related, {}).get(str(value))
            if owner is not None and owner.deleted is not None:
                return True
        return False

    def check_seed_count(self, keys: _Keys, trails: dict[str, RowTrail], rows: int) -> None:
        seeded = keys.table.seeded
        if seeded is None or seeded.count_key is None:
            return
        label = keys.table.label
        seed = self.seeds.get(seeded.action)
        expected = int(seed[1].get(seeded.count_key, 0)) if seed else 0
        # Seeded rows the trail deleted one by one since are gone for a reason.
        if seed is not None:
            expected -= sum(
                1
                for trail in trails.values()
                if trail.created is None and trail.deleted is not None and trail.first > seed[0]
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
    run = _Replay(chosen, report)
    run.fold(batch_size)
    run.compare(batch_size)
    if tables is not None:
        run.result.unregistered.clear()  # a partial replay does not judge the others
    return run.result
