"""record_event(): the one way every write path leaves its audit event."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone

from zjai.requestid import request_id_var

from .chain import _jsonable, event_digest, hashed_fields
from .context import actor_label_var
from .models import AuditChainHead, AuditEvent


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's field values, for the before/after of an event."""
    data = model_to_dict(obj, fields=fields)
    for name, value in list(data.items()):
        if isinstance(value, FieldFile):
            data[name] = value.name or ""
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
    return data


def changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the fields that differ, so an event shows what changed field by field."""
    before, after = before or {}, after or {}
    keys = [k for k in after if before.get(k) != after.get(k)] + [
        k for k in before if k not in after
    ]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record_event(
    *,
    action: str,
    obj: models.Model,
    acting_user=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    diff: bool = True,
) -> AuditEvent:
    """Append the event of one write. With `diff` (the default) `before` and `after` keep only
    the fields that changed; a summary event (a recompute's counts) passes diff=False."""
    if diff and before is not None and after is not None:
        before, after = changed(before, after)
    label = actor_label_var.get() or (acting_user.get_username() if acting_user else "system")
    if acting_user is not None and actor_label_var.get():
        label = f"{acting_user.get_username()} via {actor_label_var.get()}"
    return append_event(
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        actor_label=label[:150],
        request_id=request_id_var.get(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        reason=reason,
    )


def append_event(**fields: Any) -> AuditEvent:
    """Append one event to the chain. Must run inside the write's transaction."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            prev_hash=head.hash,
            **{
                **fields,
                "before": _jsonable(fields.get("before")),
                "after": _jsonable(fields.get("after")),
            },
        )
        event.hash = event_digest(hashed_fields(event), event.prev_hash)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event
