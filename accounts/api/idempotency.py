"""The store of the API's Idempotency-Keys (zjai.api.idempotency): accounts.IdempotencyKey rows,
one per user and key, written in the write's own transaction.

Named by settings.ZJAI_API_IDEMPOTENCY_STORE, so the frame uses it without importing the app.

Why not a package: drf-idempotency, drf-idempotencykey, django-idempotency-key and
djangorestframework-idempotency-key all mark a key "in progress" and store the answer in writes
of their own, outside the transaction of the change (or in the cache, which may be down), so a
lost connection leaves a key without its change or a change without its key: the very fault
this is for. Here the key is a row of the write's transaction, a PostgreSQL advisory lock held
until that transaction ends tells a request still running (409) without a row to clean up after
a crash, and the row is the one source of the answer.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import IdempotencyKey
from accounts.services import keep_idempotent_answer
from zjai.api.idempotency import IDEMPOTENCY_KEY_LIFETIME, KeptAnswer


def advisory_lock_id(user_id: int, key: str) -> int:
    """A signed 64-bit number for (user, key): PostgreSQL's advisory locks are named by one.
    Two keys sharing a number (one chance in 2**64) would only make one wait for the other."""
    digest = hashlib.sha256(f"zjai-idempotency-key:{user_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class DatabaseIdempotencyStore:
    """zjai.api.idempotency.IdempotencyStore in the database."""

    def claim(self, user: Any, key: str) -> bool:
        if connection.vendor != "postgresql":
            # SQLite runs one write at a time; the unique constraint is the guard.
            return True
        with connection.cursor() as cursor:
            # Released by PostgreSQL when the transaction ends, however it ends.
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [advisory_lock_id(user.pk, key)])
            row = cursor.fetchone()
        return bool(row and row[0])

    def find(self, user: Any, key: str) -> KeptAnswer | None:
        row = IdempotencyKey.objects.filter(
            user=user, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_KEY_LIFETIME
        ).first()
        if row is None:
            return None
        return KeptAnswer(
            fingerprint=row.fingerprint,
            method=row.method,
            path=row.path,
            status=row.status,
            body=row.body,
            headers=dict(row.headers),
        )

    def keep(self, user: Any, key: str, answer: KeptAnswer) -> None:
        keep_idempotent_answer(
            user=user,
            key=key,
            fingerprint=answer.fingerprint,
            method=answer.method,
            path=answer.path,
            status=answer.status,
            body=answer.body,
            headers=answer.headers,
            lifetime=IDEMPOTENCY_KEY_LIFETIME,
        )
