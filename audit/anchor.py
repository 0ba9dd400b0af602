"""The chain's head, written to a small signed text file to keep outside the database.

Someone who can write to the database can rewrite an event and every hash after it; the chain
verifies again. A head kept elsewhere — a file in the audit papers, a print-out, an e-mail —
does not change with it: `verify_audit_log --expect-head FILE` then finds that the chain no
longer holds that hash at that place.

The file is plain text a person can read and print:

    zjai audit chain head
    head: 1234:9f2c…
    event time: 2022-07-01T09:12:03.120+08:00
    exported: 2022-07-01T18:00:00+08:00
    signature: hmac-sha256:5a3b…

The signature is an HMAC-SHA256 of the lines above it, keyed with `settings.AUDIT_ANCHOR_KEY`
or, when that is not set, a key derived from SECRET_KEY: it shows that this installation wrote
the file and that nobody edited it since (a wrong sequence number or hash typed into a copy is
refused, not silently checked).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .chain import parse_anchor
from .models import AuditEvent

TITLE = "zjai audit chain head"
SCHEME = "hmac-sha256"
KEY_SALT = "zjai.audit.anchor"


class AnchorError(ValueError):
    """The file cannot be used as an anchor: unreadable, malformed, or its signature does not
    match (`forged` is True for the last)."""

    def __init__(self, message: str, *, forged: bool = False):
        super().__init__(message)
        self.forged = forged


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    event_time: str
    exported: str

    @property
    def head(self) -> str:
        return f"{self.seq}:{self.hash}"


def _signature(text: str) -> str:
    key = getattr(settings, "AUDIT_ANCHOR_KEY", "") or None
    return salted_hmac(KEY_SALT, text, secret=key, algorithm="sha256").hexdigest()


def _body(anchor: Anchor) -> str:
    return (
        f"{TITLE}\n"
        f"head: {anchor.head}\n"
        f"event time: {anchor.event_time}\n"
        f"exported: {anchor.exported}\n"
    )


def render(anchor: Anchor) -> str:
    body = _body(anchor)
    return f"{body}signature: {SCHEME}:{_signature(body)}\n"


def head_anchor(seq: int, digest: str, now: datetime | None = None) -> Anchor:
    """The anchor of event `seq` (the verified head), dated now."""
    event = AuditEvent.objects.only("occurred_at").get(seq=seq, hash=digest)
    when = timezone.localtime(event.occurred_at).isoformat(timespec="milliseconds")
    exported = timezone.localtime(now or timezone.now()).isoformat(timespec="seconds")
    return Anchor(seq, digest, when, exported)


def parse(text: str, source: str = "the anchor") -> Anchor:
    """An anchor file's content, its signature checked."""
    body, marker, signature = text.partition("signature: ")
    if not marker or not body.startswith(f"{TITLE}\n"):
        raise AnchorError(f"{source} is not a head exported by verify_audit_log --export-head")
    fields = {}
    for line in body.splitlines()[1:]:
        name, _, value = line.partition(": ")
        fields[name] = value
    try:
        seq, digest = parse_anchor(fields.get("head", ""))
    except ValueError as exc:
        raise AnchorError(f"{source}: {exc}") from None
    if seq is None:
        raise AnchorError(f"{source}: the head has no sequence number")
    anchor = Anchor(seq, digest, fields.get("event time", ""), fields.get("exported", ""))
    scheme, _, value = signature.strip().partition(":")
    expected = _signature(_body(anchor))
    if scheme != SCHEME or _body(anchor) != body or not hmac.compare_digest(value, expected):
        raise AnchorError(
            f"{source}: the signature does not match: the file was edited, or made with another "
            "key (AUDIT_ANCHOR_KEY, SECRET_KEY)",
            forged=True,
        )
    return anchor


def read(path: str | Path) -> Anchor:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"cannot read {path}: {exc}") from None
    return parse(text, str(path))
