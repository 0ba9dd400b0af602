"""Appending to and verifying the hash chain of audit events."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def event_digest(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 of the event's content (canonical JSON) and the previous event's hash."""
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash},
        cls=DjangoJSONEncoder,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "request_id": event.request_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


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


@dataclass
class ChainReport:
    ok: bool
    events: int
    head_hash: str
    problem: str = ""
    event_seq: int | None = None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in sequence order; report the first event that does not fit."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                count,
                prev_hash,
                f"event #{expected_seq} is missing (next is #{event.seq}): deleted or reordered",
                expected_seq,
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                count,
                prev_hash,
                f"event #{event.seq} does not follow #{event.seq - 1}: reordered or re-linked",
                event.seq,
            )
        if event_digest(hashed_fields(event), event.prev_hash) != event.hash:
            return ChainReport(
                False,
                count,
                prev_hash,
                f"event #{event.seq} was edited after it was written",
                event.seq,
            )
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.seq != count:
        return ChainReport(
            False,
            count,
            prev_hash,
            f"the chain ends at #{count} but #{head.seq} was written: events deleted at the end",
            count + 1,
        )
    return ChainReport(True, count, prev_hash)
