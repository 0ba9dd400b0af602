"""Appending to and verifying the hash chain of audit events."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

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


@dataclass
class ChainReport:
    """The outcome of verify_chain: `ok`, how many events were verified, the head they lead to
    and, when broken, one line naming the first event that does not fit."""

    ok: bool
    events: int
    head_hash: str
    problem: str = ""
    event_seq: int | None = None
    anchor_found: bool | None = None  # None: no anchor was asked for

    @property
    def head_seq(self) -> int:
        return self.events


def describe(event: AuditEvent) -> str:
    """An event named for a person: sequence, action, object, actor and time."""
    return (
        f"#{event.seq} ({event.action} {event.object_type}:{event.object_id} "
        f"by {event.actor_label} at {event.occurred_at.isoformat()})"
    )


def parse_anchor(text: str) -> tuple[int | None, str]:
    """`HASH` or `SEQ:HASH`, as verify_audit_log prints it, to (seq or None, hash)."""
    seq_text, _, digest = text.strip().rpartition(":")
    digest = digest.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 hash (64 hex digits): {digest!r}")
    if not seq_text:
        return None, digest
    if not seq_text.lstrip("#").isdigit():
        raise ValueError(f"not a sequence number: {seq_text!r}")
    return int(seq_text.lstrip("#")), digest


def verify_chain(
    batch_size: int = 5000, anchor: tuple[int | None, str] | None = None
) -> ChainReport:
    """Recompute every hash in sequence order; report the first event that does not fit.

    - an *edited* event no longer hashes to its stored hash;
    - a *deleted* event leaves a gap in the sequence (or, at the end, a head that is ahead);
    - a *reordered* event does not link to the hash of the event before it.

    `anchor` is a (seq, hash) kept outside the database: the chain must still contain that hash
    (at that sequence number, when given), verified like every other event. A chain rewritten
    from some point on, hashes and all, passes the other checks but not this one.
    """
    expected_seq, prev_hash, count = 1, GENESIS, 0
    anchor_seq, anchor_hash = anchor if anchor else (None, "")
    found = None if anchor is None else False

    def broken(problem: str, seq: int) -> ChainReport:
        return ChainReport(False, count, prev_hash, problem, seq, found)

    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return broken(
                f"event #{expected_seq} is missing: the chain jumps from #{expected_seq - 1} to "
                f"{describe(event)}; #{expected_seq} was deleted (or renumbered)",
                expected_seq,
            )
        if event.prev_hash != prev_hash:
            return broken(
                f"event {describe(event)} does not follow #{event.seq - 1}: "
                "its link to the previous hash is wrong, so events were reordered or re-linked",
                event.seq,
            )
        if event_digest(hashed_fields(event), event.prev_hash) != event.hash:
            return broken(
                f"event {describe(event)} was edited after it was written: "
                "its content no longer matches its hash",
                event.seq,
            )
        if anchor_seq is not None and event.seq == anchor_seq and event.hash != anchor_hash:
            return broken(
                f"event {describe(event)} is not the anchored head #{anchor_seq}: its hash is "
                f"{event.hash}, the anchor's {anchor_hash}: the chain was rewritten at or "
                f"before #{anchor_seq}",
                event.seq,
            )
        if anchor is not None and event.hash == anchor_hash:
            if anchor_seq is not None and anchor_seq != event.seq:
                return broken(
                    f"the anchored head {anchor_hash} is event #{event.seq}, not #{anchor_seq}: "
                    "events before it were deleted or inserted",
                    event.seq,
                )
            found = True
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.seq != count:
        return broken(
            f"the chain ends at #{count} but #{head.seq} was written: "
            f"event #{count + 1} and later were deleted",
            count + 1,
        )
    if anchor is not None and not found and anchor_seq is not None and count < anchor_seq:
        return broken(
            f"the anchored head {anchor_hash} is not in the chain: it was event #{anchor_seq} "
            f"and the chain now ends at #{count}: events were deleted (truncated)",
            count + 1,
        )
    if anchor is not None and not found:
        where = f"#{anchor_seq}" if anchor_seq is not None else "any event"
        return broken(
            f"the anchored head {anchor_hash} is not in the chain (expected at {where}): "
            f"events up to it were rewritten or deleted",
            anchor_seq or count,
        )
    return ChainReport(True, count, prev_hash, anchor_found=found)
