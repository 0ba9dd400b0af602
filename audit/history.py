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
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

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
    from targets.models import Measurement

    ids = {
        str(pk)
        for pk in Measurement.objects.filter(target_id=object_id).values_list("pk", flat=True)
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
                state.exists, state.fields = True, _relevant(event.after, names)
            elif event.action in DELETE_ACTIONS:
                state.exists, state.fields = False, {}
            elif state.exists:
                state.fields.update(_relevant(event.after, names))
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
        fields = _relevant(deleted.before, names)
        later = [e for e in later if e.seq < deleted.seq]
    else:
        fields = _relevant(_jsonable(snapshot(current)), names)
    for event in reversed(later):
        fields.update(_relevant(event.before, names))
    state.exists, state.fields, state.method = True, fields, "undone"
    earlier = [e for e in events if e.occurred_at <= at]
    state.events = len(earlier)
    state.last_change = earlier[-1] if earlier else None
    return state


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """The fields an event changed, as (name, before, after), in a stable order."""
    before, after = event.before or {}, event.after or {}
    names = list(dict.fromkeys([*after, *before]))
    return [(name, before.get(name), after.get(name)) for name in names]
