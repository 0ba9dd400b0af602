"""The history of an object, and the object as it was on a date, read from its audit events.

A small function API for the pages and the API that show history:

- `events_for(obj)` / `events_for_key(object_type, object_id)`: an object's events, oldest
  first; for a target, its figures' events too (`with_children=True`, the default);
- `state_on(obj_or_key, when)`: the object's fields as they were at the end of a day
  (Asia/Shanghai) or at an instant, by folding its events: the `after` of its create event,
  then each later change's `after`, up to that moment.

Objects written before the audit trail existed, or in bulk with one summary event (seed_demo's
demo rows), have no create event; for them the state is found the other way round: today's
fields, with every later change undone from its `before`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

from zjai.templatetags.zjai import format_number

from .chain import _jsonable
from .models import AuditEvent
from .services import snapshot

# Actions that describe a run over many rows (a recompute, a demo seed), not a field change of
# the object they are recorded on.
SUMMARY_ACTIONS = frozenset({"recompute", "seed_demo"})
CREATE_ACTIONS = frozenset({"create"})
DELETE_ACTIONS = frozenset({"delete"})
# Keys the loader records for links that are not fields of the object itself.
LINK_KEYS = frozenset({"units"})

# Short names the pages use in URLs.
TYPES = {
    "target": "targets.target",
    "measurement": "targets.measurement",
    "enterprise": "enterprises.enterprise",
    "project": "projects.project",
    "plan": "plans.plan",
    "item": "plans.planitem",
    "unit": "plans.responsibleunit",
    "taskreport": "taskreports.taskreport",
    "milestone": "taskreports.milestone",
    "notice": "taskreports.supervisionnotice",
    "publication": "publishing.publication",
}


def object_key(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def _end_of(when: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when
    from zjai.dates import end_of_day

    return end_of_day(when)


def _children_q(object_type: str, object_id: str) -> Q:
    """A target's figures: those it has now, and any deleted since (found by their create
    event, whose `after` names the target)."""
    if object_type != "targets.target":
        return Q(pk__in=[])
    measurement = apps.get_model("targets.measurement")
    ids = {
        str(pk)
        for pk in measurement.objects.filter(target_id=object_id).values_list("pk", flat=True)
    }
    ids.update(
        AuditEvent.objects.filter(
            object_type="targets.measurement", action="create", after__target=int(object_id)
        ).values_list("object_id", flat=True)
    )
    return Q(object_type="targets.measurement", object_id__in=sorted(ids))


def events_for_key(
    object_type: str, object_id: str | int, *, with_children: bool = True
) -> QuerySet[AuditEvent]:
    """The events of one object (and, for a target, of its figures), oldest first."""
    object_id = str(object_id)
    q = Q(object_type=object_type, object_id=object_id)
    if with_children:
        q |= _children_q(object_type, object_id)
    return AuditEvent.objects.filter(q).select_related("actor").order_by("seq")


def events_for(obj: models.Model, *, with_children: bool = True) -> QuerySet[AuditEvent]:
    return events_for_key(*object_key(obj), with_children=with_children)


@dataclass
class ObjectState:
    """An object's fields at a moment. `exists` is False before its creation or after its
    deletion; `method` says how the state was found (`events` forward from the create event,
    `undone` backwards from today's fields); `events` counts the changes taken into account."""

    object_type: str
    object_id: str
    at: dt.datetime
    exists: bool
    fields: dict[str, Any] = field(default_factory=dict)
    method: str = "events"
    events: int = 0
    last_change: AuditEvent | None = None


# Fields renamed after events were recorded under their old names: the old keys read as the new
# ones, so the history and state_on see one field (projects' unit and name, issue 11).
RENAMED_FIELDS: dict[str, dict[str, str]] = {
    "projects.project": {"unit": "owner_unit", "name": "name_zh"},
}


def current_keys(object_type: str, values: dict[str, Any] | None) -> dict[str, Any]:
    renamed = RENAMED_FIELDS.get(object_type)
    if not values or not renamed:
        return values or {}
    return {renamed.get(key, key): value for key, value in values.items()}


def _field_names(object_type: str) -> set[str] | None:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    names = {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many}
    return names | LINK_KEYS


def _relevant(values: dict[str, Any] | None, names: set[str] | None) -> dict[str, Any]:
    if not values:
        return {}
    return {k: v for k, v in values.items() if names is None or k in names}


def state_on(
    target: models.Model | tuple[str, str | int], when: dt.date | dt.datetime
) -> ObjectState:
    """The object's fields as they were at the end of `when` (a date, in Asia/Shanghai) or at
    `when` (an aware datetime). Accepts an object or an (object_type, object_id) key."""
    if isinstance(target, models.Model):
        object_type, object_id = object_key(target)
    else:
        object_type, object_id = target[0], str(target[1])
    at = _end_of(when)
    names = _field_names(object_type)
    events = [
        e
        for e in events_for_key(object_type, object_id, with_children=False)
        if e.action not in SUMMARY_ACTIONS
    ]
    state = ObjectState(object_type, object_id, at, exists=False)
    created = next((e for e in events if e.action in CREATE_ACTIONS), None)
    if created is not None:
        # Forward: the create event's snapshot, then each change up to the moment.
        for event in events:
            if event.occurred_at > at:
                break
            if event.action in CREATE_ACTIONS:
                state.exists, state.fields = (
                    True,
                    _relevant(current_keys(object_type, event.after), names),
                )
            elif event.action in DELETE_ACTIONS:
                state.exists, state.fields = False, {}
            elif state.exists:
                state.fields.update(_relevant(current_keys(object_type, event.after), names))
            else:
                continue
            state.events += 1
            state.last_change = event
        return state
    # Backward: no create event, so start from today's fields and undo the later changes.
    current = apps.get_model(object_type).objects.filter(pk=object_id).first()
    later = [e for e in events if e.occurred_at > at]
    if current is None:
        deleted = next((e for e in reversed(events) if e.action in DELETE_ACTIONS), None)
        if deleted is None or deleted.occurred_at <= at:
            return state
        fields = _relevant(current_keys(object_type, deleted.before), names)
        later = [e for e in later if e.seq < deleted.seq]
    else:
        fields = _relevant(_jsonable(snapshot(current)), names)
    for event in reversed(later):
        fields.update(_relevant(current_keys(object_type, event.before), names))
    state.exists, state.fields, state.method = True, fields, "undone"
    earlier = [e for e in events if e.occurred_at <= at]
    state.events = len(earlier)
    state.last_change = earlier[-1] if earlier else None
    return state


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """The fields an event changed, as (name, before, after), in a stable order."""
    before = current_keys(event.object_type, event.before)
    after = current_keys(event.object_type, event.after)
    names = list(dict.fromkeys([*after, *before]))
    return [(name, before.get(name), after.get(name)) for name in names]


# --- the history a person reads ----------------------------------------------------------------

# Fields that change with every write and tell a reader nothing.
BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "dirty_since"})

# One sentence for each kind of event every app records (grep `record_event(`), as the person or
# program did it. Looked up from the most particular: the kind of object and the action, then
# the program and the action, then the action alone; `set_<field>` reads "Set the <field's
# label>"; any other action reads OTHER_ACTION, never its code.
ACTIONS = {
    "create": pgettext_lazy("audit event", "Created"),
    "update": pgettext_lazy("audit event", "Changed"),
    "delete": pgettext_lazy("audit event", "Deleted"),
    "submit": pgettext_lazy("audit event", "Submitted for review"),
    "approve": pgettext_lazy("audit event", "Approved"),
    "reject": pgettext_lazy("audit event", "Rejected"),
    "return": pgettext_lazy("audit event", "Returned for revision"),
    "withdraw": pgettext_lazy("audit event", "Withdrawn"),
    "supersede": pgettext_lazy("audit event", "Replaced by a newer approved figure"),
    "confirm": pgettext_lazy("audit event", "Confirmed"),
    "revoke": pgettext_lazy("audit event", "Revoked"),
    "set_units": pgettext_lazy("audit event", "Set the responsible units"),
    "set_restated_in": pgettext_lazy("audit event", "Set the plan items that restate it"),
    "set_named_in": pgettext_lazy("audit event", "Set the plan items that name it"),
    "add_evidence": pgettext_lazy("audit event", "Added an evidence file"),
    "remove_evidence": pgettext_lazy("audit event", "Removed an evidence file"),
    "done": pgettext_lazy("audit event", "Marked as done"),
    "reply": pgettext_lazy("audit event", "Replied to the notice"),
    "close": pgettext_lazy("audit event", "Closed the notice"),
    "seed_demo": pgettext_lazy("audit event", "Generated the demo data"),
}
OTHER_ACTION = pgettext_lazy("audit event", "Recorded a change")
# Where the kind of object gives an action a meaning of its own.
OBJECT_ACTIONS = {
    ("registers.pendingchange", "create"): pgettext_lazy(
        "audit event", "Proposed a change awaiting confirmation"
    ),
    ("registers.pendingchange", "update"): pgettext_lazy(
        "audit event", "Amended the change awaiting confirmation"
    ),
    ("registers.pendingchange", "approve"): pgettext_lazy(
        "audit event", "Confirmed the proposed change"
    ),
    ("registers.pendingchange", "reject"): pgettext_lazy(
        "audit event", "Rejected the proposed change"
    ),
    ("registers.pendingchange", "withdraw"): pgettext_lazy(
        "audit event", "Withdrew the proposed change"
    ),
    ("registers.importbatch", "create"): pgettext_lazy("audit event", "Imported a file"),
    ("registers.importbatch", "approve"): pgettext_lazy(
        "audit event", "Confirmed the imported entries"
    ),
    ("registers.importbatch", "reject"): pgettext_lazy(
        "audit event", "Rejected the imported entries"
    ),
    ("registers.importbatch", "withdraw"): pgettext_lazy("audit event", "Withdrew the import"),
    ("targets.targetverdict", "create"): pgettext_lazy(
        "audit event", "Closed the target with its verdict"
    ),
    ("targets.targetverdict", "delete"): pgettext_lazy(
        "audit event", "Reopened the target (its verdict removed)"
    ),
    ("accounts.apitoken", "create"): pgettext_lazy("audit event", "Issued an API token"),
    ("accounts.apitoken", "revoke"): pgettext_lazy("audit event", "Revoked the API token"),
}
# What a program's creations and changes are: a row the plan loader writes is loaded from the
# plan file, one the demo generator writes is demo data, one the import job writes is imported.
PROGRAM_ACTIONS = {
    ("command:load_action_plan", "create"): pgettext_lazy(
        "audit event", "Loaded from the plan file"
    ),
    ("command:load_action_plan", "update"): pgettext_lazy(
        "audit event", "Updated from the plan file"
    ),
    ("command:seed_demo", "create"): pgettext_lazy("audit event", "Generated as demo data"),
    ("job:import", "create"): pgettext_lazy("audit event", "Imported from a file"),
}
# The jobs and commands that act without a person (audit.context.acting_as labels); a label
# with a number (`job:export:12`) is read by its prefix.
PROGRAMS = {
    "command:createsuperuser": pgettext_lazy(
        "audit actor", "the administrator set-up (command createsuperuser)"
    ),
    "command:load_action_plan": pgettext_lazy(
        "audit actor", "the plan loader (command load_action_plan)"
    ),
    "command:seed_demo": pgettext_lazy(
        "audit actor", "the demo data generator (command seed_demo)"
    ),
    "job:recompute_all": pgettext_lazy("audit actor", "the nightly recompute"),
    "job:recompute_targets": pgettext_lazy("audit actor", "the recompute after a change"),
    "job:sweep_dirty_targets": pgettext_lazy("audit actor", "the recompute of waiting targets"),
    "job:close_due_targets": pgettext_lazy(
        "audit actor", "the closing of targets past their deadline"
    ),
    "job:send_stale_reminders": pgettext_lazy("audit actor", "the stale-figure reminders"),
    "job:send_figure_notices": pgettext_lazy("audit actor", "the figure notices"),
    "job:send_task_report_reminders": pgettext_lazy("audit actor", "the task-report reminders"),
    "job:import": pgettext_lazy("audit actor", "the background import"),
    "job:export": pgettext_lazy("audit actor", "an export"),
    "system": pgettext_lazy("audit actor", "the system"),
}
# A program the table does not know yet, by its kind: still words, never its label.
PROGRAM_KINDS = {
    "command": pgettext_lazy("audit actor", "a management command"),
    "job": pgettext_lazy("audit actor", "a background job"),
}
# Keys some events record beside the object's fields (not fields of its model).
EXTRA_LABELS = {
    "evidence_added": pgettext_lazy("audit field", "evidence file added"),
    "evidence_removed": pgettext_lazy("audit field", "evidence file removed"),
    "round": pgettext_lazy("audit field", "review round"),
    "units": pgettext_lazy("audit field", "responsible units"),
}


@dataclass
class Change:
    """One field an event changed: its label and its values as a person reads them (None for
    nothing)."""

    label: str
    before: str | None
    after: str | None


@dataclass
class HistoryEntry:
    """An audit event as a person reads it: who, one sentence for what happened, the fields it
    changed, and the object it changed (not its stored `object_repr`, which may hold codes)."""

    event: AuditEvent
    actor: str
    sentence: str
    changes: list[Change]
    subject: str  # what it changed, by kind and number ("measurement #12")


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an event names, or None for one no longer installed."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Events name the model's own fields; a reverse relation (no label, no value) is not one.
    return found if isinstance(found, models.Field) else None


def _links(value: Any) -> list[dict] | None:
    """A list of links as the trail records responsible units ({"unit": code, "name": …,
    "lead": …}); None for anything else (a key, or a list of keys in older events)."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "unit" in item for item in value)
    ):
        return value
    return None


def _ids(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _program_key(label: str) -> str | None:
    """The table's key for a job or command label (`job:export:12` → `job:export`), or None."""
    for key in PROGRAMS:
        if label == key or label.startswith(f"{key}:"):
            return key
    return None


def _program(label: str) -> str | None:
    """The words for a job or command label (`job:export:12` → an export), or None for a
    person's name."""
    key = _program_key(label)
    if key is not None:
        return str(PROGRAMS[key])
    kind, colon, _name = label.partition(":")
    if colon and kind in PROGRAM_KINDS:
        return str(PROGRAM_KINDS[kind])
    return None


def _list(items: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(items)


def person_text(name: str, unit: str | None) -> str:
    """A person as the history names them: their name, with their unit when they have one."""
    if not unit:
        return name
    return pgettext("audit actor", "%(name)s (%(unit)s)") % {"name": name, "unit": unit}


def actor_text(label: str, person: str | None = None) -> str:
    """Who acted: a person by `person` (their name and unit) or else the user name the label
    keeps; a job or command in words; both for a person running a command (`admin via
    command:load_action_plan` → admin, through the plan loader)."""
    name, _via, program = label.partition(" via ")
    if program:
        return pgettext("audit actor", "%(person)s, through %(program)s") % {
            "person": person or name,
            "program": _program(program) or PROGRAM_KINDS["command"],
        }
    return _program(label) or person or label


def sentence(event: AuditEvent, model: type[models.Model] | None) -> str:
    """One sentence for what the event did, never its action code."""
    action = event.action
    if action == "recompute":
        after = event.after or {}
        as_of = parse_date(str(after.get("as_of", "")))
        return pgettext(
            "audit event", "Recomputed the progress of %(count)s targets as of %(date)s"
        ) % {
            "count": format_number(after.get("targets")),
            "date": formats.date_format(as_of, "DATE_FORMAT") if as_of else "—",
        }
    particular = OBJECT_ACTIONS.get((event.object_type, action))
    if particular is None:
        program = _program_key(event.actor_label.partition(" via ")[2] or event.actor_label)
        particular = PROGRAM_ACTIONS.get((program or "", action))
    if particular is None:
        particular = ACTIONS.get(action)
    if particular is not None:
        return str(particular)
    if action.startswith("set_"):
        model_field = _field(model, action.removeprefix("set_"))
        if model_field is not None:
            return pgettext("audit event", "Set the %(field)s") % {
                "field": _label(model_field.name, model_field)
            }
    return str(OTHER_ACTION)


def _as_datetime(value: str) -> str:
    parsed = parse_datetime(value)
    if parsed is None:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "DATETIME_FORMAT")


def _as_date(value: str) -> str:
    parsed = parse_date(value)
    return value if parsed is None else formats.date_format(parsed, "DATE_FORMAT")


def _related(model_field: models.Field | None) -> type[models.Model] | None:
    """The model a key (or a list of keys) points to, for a relation field."""
    if model_field is None or not model_field.is_relation:
        return None
    return model_field.related_model


def _label(name: str, model_field: models.Field | None) -> str:
    if model_field is None:
        return str(EXTRA_LABELS.get(name, name.replace("_", " ")))
    related = _related(model_field)
    verbose = model_field.verbose_name
    if (
        related is not None
        and not isinstance(verbose, Promise)
        and verbose == name.replace("_", " ")
    ):
        # A key declared without a label of its own (Django made one from its name, not
        # translated): the label of the model it points to.
        return str(related._meta.verbose_name)
    return str(verbose)


def _number(model_field: models.Field, value: Any) -> str:
    """A number as a person reads it: grouped, without trailing zeros, never rounded away."""
    if isinstance(model_field, models.DecimalField):
        return format_number(value, model_field.decimal_places or 0)
    if isinstance(model_field, models.FloatField):
        return format_number(value, 6)
    return format_number(value, 0)


def _structured(value: dict | list) -> str:
    """JSON a field or an event keeps: a named thing (an evidence file) by its name, a list of
    words as a list, anything else as compact JSON."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return _list(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def display_name(obj: models.Model) -> str:
    """What a person calls an object: its title or name in the reader's language where the
    model has one (a target's `str` is "code: English title", for the shell and logs)."""
    for attribute in ("title", "name"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


class _Names:
    """The names of the objects behind keys: every key is asked for first (`want`), then read
    with one query per model (`load`), however many events mention them."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.wanted_codes: dict[type[models.Model], set[str]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[Any, str]] = {}
        self.found_codes: dict[type[models.Model], dict[str, str]] = {}

    def want(self, model_field: models.Field | None, *values: Any) -> None:
        related = _related(model_field)
        if related is not None:
            for value in values:
                links = _links(value)
                if links is None:
                    self.wanted[related].update(_ids(value))
                else:
                    self.wanted_codes[related].update(link["unit"] for link in links)

    def load(self) -> None:
        self.found = {
            related: {obj.pk: display_name(obj) for obj in related._base_manager.filter(pk__in=ids)}
            for related, ids in self.wanted.items()
        }
        self.found_codes = {
            related: {
                obj.serializable_value("code"): display_name(obj)
                for obj in related._base_manager.filter(code__in=codes)
            }
            for related, codes in self.wanted_codes.items()
        }

    def _link_names(self, related: type[models.Model], links: list[dict]) -> str | None:
        known = self.found_codes.get(related, {})
        names = []
        for link in links:
            name = known.get(link["unit"], link.get("name") or link["unit"])
            lead = link.get("lead")
            names.append(pgettext("audit", "%(unit)s (lead)") % {"unit": name} if lead else name)
        return _list(names) or None

    def readable(self, model_field: models.Field | None, value: Any) -> str | None:
        """A value as a person reads it: names for keys, choice labels for codes, yes/no, file
        names, numbers grouped without trailing zeros, dates and times in the reader's language;
        None for nothing."""
        if value in (None, "", [], {}):
            return None
        related = _related(model_field)
        if related is not None:
            links = _links(value)
            if links is not None:
                return self._link_names(related, links)
            known = self.found.get(related, {})
            return _list(known.get(pk, f"#{pk}") for pk in _ids(value)) or None
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return gettext("yes") if value else gettext("no")
        if isinstance(model_field, models.FileField):
            return PurePath(str(value)).name
        if isinstance(model_field, models.DecimalField | models.FloatField | models.IntegerField):
            return _number(model_field, value)
        if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
            return _as_datetime(value)
        if isinstance(model_field, models.DateField) and isinstance(value, str):
            return _as_date(value)
        if isinstance(value, dict | list):
            return _structured(value)
        return str(value)


def readable_state(object_type: str, fields: dict[str, Any]) -> list[tuple[str, str | None]]:
    """An object's fields (an ObjectState's) as (label, value) a person reads, by label."""
    model = model_of(object_type)
    found = [
        (name, _field(model, name), value)
        for name, value in fields.items()
        if name not in BOOKKEEPING
    ]
    names = _Names()
    for _name, model_field, value in found:
        names.want(model_field, value)
    names.load()
    rows = [(_label(n, f), names.readable(f, value)) for n, f, value in found]
    return sorted(rows, key=lambda row: row[0])


def people(events: Iterable[AuditEvent]) -> dict[Any, str]:
    """The people who acted in these events, by key: their name (full name, else user name)
    with their unit's name when the user model has a `unit`; one query for them all."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return {}
    user_model = cast(type[models.Model], AuditEvent._meta.get_field("actor").related_model)
    unit_field = _field(user_model, "unit")
    has_unit = unit_field is not None and unit_field.many_to_one
    users = user_model._base_manager.filter(pk__in=ids)
    if has_unit:
        users = users.select_related("unit")
    named = {}
    for user in users:
        name = getattr(user, "get_full_name", lambda: "")() or user.get_username()  # type: ignore[attr-defined]
        unit = getattr(user, "unit", None) if has_unit else None
        named[user.pk] = person_text(name, str(unit) if unit is not None else None)
    return named


# Another model's values an event carries (a proposed change of a register entry carries the
# entry's fields): the model, and the values before and after, or None to read the event's own.
ReadAs = Callable[[AuditEvent], "tuple[type[models.Model], dict[str, Any], dict[str, Any]] | None"]


def history_entries(
    events: Iterable[AuditEvent], *, skip: Iterable[str] = (), read_as: ReadAs | None = None
) -> list[HistoryEntry]:
    """Events as a person reads them, in their order: field labels in the reader's language,
    choice labels for codes, names for keys and lists of keys, yes/no, numbers without trailing
    zeros, dates in the reader's format, file names, and one sentence per kind of event. The
    names behind keys are read with one query per model for all the events together. Fields in
    `skip` (the page's own object, say) and bookkeeping fields are left out; so are a summary
    event's counts, which its sentence gives. A person who acted is named with their unit
    (`people`), a program in words (`actor_text`). `read_as` reads an event's changes as
    another model's fields (the register pages: a proposal's values as the entry's)."""
    events = list(events)
    skipped = BOOKKEEPING | set(skip)
    acted = people(events)
    names = _Names()
    read: list[tuple[AuditEvent, type[models.Model] | None, list]] = []
    for event in events:
        model = model_of(event.object_type)
        other = read_as(event) if read_as is not None else None
        fields_of: type[models.Model] | None
        if other is not None:
            fields_of, earlier, later = other
            pairs = [(name, earlier.get(name), value) for name, value in later.items()]
        elif event.action in SUMMARY_ACTIONS:
            fields_of, pairs = model, []
        else:
            fields_of, pairs = model, changes(event)
        fields = []
        for name, before, after in pairs:
            if name in skipped or (before in (None, "") and after in (None, "", [], {})):
                continue
            model_field = _field(fields_of, name)
            names.want(model_field, before, after)
            fields.append((name, model_field, before, after))
        read.append((event, model, fields))
    names.load()
    return [
        HistoryEntry(
            event=event,
            actor=actor_text(event.actor_label, acted.get(event.actor_id)),
            sentence=sentence(event, model),
            subject=f"{model._meta.verbose_name if model else event.object_type} "
            f"#{event.object_id}",
            changes=[
                Change(_label(n, f), names.readable(f, before), names.readable(f, after))
                for n, f, before, after in fields
            ],
        )
        for event, model, fields in read
    ]
