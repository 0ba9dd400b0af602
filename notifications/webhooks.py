"""Sending one webhook delivery: the signed JSON POST (docs/notifications.md, "Webhooks").

The body is the delivery's frozen payload, serialised once per try exactly as signed:
`X-Zjai-Signature: sha256=<hex HMAC-SHA256 of the raw body under the webhook's secret>`, and
`X-Zjai-Timestamp` (Unix seconds) so a receiver can refuse an old message replayed. The standard
library's urllib does the POST: the application needs no HTTP client package for one request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

SIGNATURE_HEADER = "X-Zjai-Signature"
TIMESTAMP_HEADER = "X-Zjai-Timestamp"
EVENT_HEADER = "X-Zjai-Event"


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Outcome:
    status: int | None
    error: str  # empty when delivered


def post(url: str, secret: str, payload: dict, *, event: str = "") -> Outcome:
    """One try; any answer but 2xx, a timeout or a refused connection is an error, said in a
    line an administrator can act on."""
    body = body_of(payload)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "zjai-webhook/1",
            SIGNATURE_HEADER: signature(secret, body),
            TIMESTAMP_HEADER: str(int(time.time())),
            EVENT_HEADER: event,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ZJAI_WEBHOOK_TIMEOUT) as answer:
            answer.read(1024)
            return Outcome(answer.status, "")
    except urllib.error.HTTPError as exc:
        text = exc.read(300).decode("utf-8", "replace").strip()
        return Outcome(exc.code, f"HTTP {exc.code} {exc.reason}: {text}".strip(": "))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"{type(exc).__name__}: {reason}")
