"""Idempotency-Key: a retried write returns the first answer instead of writing twice.

A client sends `Idempotency-Key: <its own unique string>` with a write (POST, PUT, PATCH,
DELETE, the figures' actions). The first request with a key runs; its answer (status, body, the
headers the view set) is kept for IDEMPOTENCY_KEY_LIFETIME, per user, **in the write's own
transaction** (zjai.api.writes), so a key is kept exactly when the write committed:

- the same key again, same method, path and body: the kept answer, with
  `Idempotent-Replayed: true`; nothing runs again;
- the same key with another method, path or body: 422 `idempotency_key_reused`;
- the same key while the first request is still running: 409 `idempotency_key_in_use`;
- a first request that failed (4xx, 5xx) kept nothing: the retry runs as a new request.

This module is the frame's half: the header, the request's fingerprint, the answer kept, the
errors, and the interface of the store. The store itself holds rows per user, so it lives in
the accounts app (accounts.api.idempotency, named by settings.ZJAI_API_IDEMPOTENCY_STORE, as
REST_FRAMEWORK names the authentication classes); the frame imports no app.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: How long a key is kept (per user): a retry within this time is answered from the kept answer.
IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
# The view's own headers worth replaying; the rest (Vary, Allow, Content-Type…) the frame adds
# to every answer anyway.
KEPT_HEADERS = ("Location", "ETag", "Cache-Control")


class IdempotencyKeyInUse(exceptions.APIException):
    """Another request with the same key has not finished yet."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy(
        "A request with this Idempotency-Key is still running. Retry when it has finished: "
        "you will get its answer."
    )
    default_code = "idempotency_key_in_use"
    wait = 1  # Retry-After


class IdempotencyKeyReused(exceptions.APIException):
    """The key was used within its lifetime for another request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy(
        "This Idempotency-Key was already used for another request. Use a new key for a new "
        "request."
    )
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class KeptAnswer:
    """A successful answer as kept for its key, with what identifies the request it answered."""

    fingerprint: str
    method: str
    path: str
    status: int
    body: str  # the data as JSON text, keys in the order they were sent
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        data = json.loads(self.body) if self.body else None
        headers = {**self.headers, REPLAYED_HEADER: "true"}
        return Response(data, status=self.status, headers=headers)


class IdempotencyStore(Protocol):
    """Where the answers are kept. Every method runs inside the write's transaction."""

    def claim(self, user: Any, key: str) -> bool:
        """Hold the key until this transaction ends; False if another transaction holds it."""

    def find(self, user: Any, key: str) -> KeptAnswer | None:
        """The answer kept for this user's key, if it has not expired."""

    def keep(self, user: Any, key: str, answer: KeptAnswer) -> None:
        """Keep the answer, in the current transaction (it is kept only if that commits)."""


@functools.cache
def _store(path: str) -> IdempotencyStore:
    return import_string(path)()


def idempotency_store() -> IdempotencyStore | None:
    """The configured store (settings.ZJAI_API_IDEMPOTENCY_STORE), or None: keys are refused."""
    path = getattr(settings, "ZJAI_API_IDEMPOTENCY_STORE", None)
    return _store(path) if path else None


def idempotency_key(request: Request) -> str | None:
    """The request's key; None without the header; a 400 when it is not a usable key.

    Visible ASCII, 1 to 255 characters (a UUID is the usual choice). The draft standard's
    quoted form ("…") is accepted too: the quotes are not part of the key.
    """
    value = request.headers.get(HEADER)
    if value is None:
        return None
    key = value.strip(" \t")
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise exceptions.ValidationError(
            {
                HEADER: [
                    _(
                        "Send 1 to %(n)d visible ASCII characters, such as a UUID, unique to "
                        "this change."
                    )
                    % {"n": MAX_KEY_LENGTH}
                ]
            }
        )
    if idempotency_store() is None:
        raise exceptions.ValidationError({HEADER: [_("This server does not keep answers.")]})
    return key


def request_fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path with query, and the body as data
    (the same JSON with other spacing or key order is the same body)."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    text = "\n".join([request.method or "", request.get_full_path(), body])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def kept_answer(
    request: Request, response: Response, fingerprint: str, not_kept: frozenset[str]
) -> KeptAnswer:
    """The answer to keep for a key. Fields named in `not_kept` (a secret shown once, such as a
    new token's key) are left out: a replay says less rather than a secret being stored."""
    data = response.data
    if isinstance(data, dict) and not_kept:
        data = {name: value for name, value in data.items() if name not in not_kept}
    return KeptAnswer(
        fingerprint=fingerprint,
        method=request.method or "",
        path=request.get_full_path(),
        status=response.status_code,
        body="" if data is None else json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False),
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
    )
