"""Every API write is one transaction, from its first statement to its answer, and its outcome
is told as it is.

The API's base viewset (zjai.api.views.ReadOnlyViewSet) runs each write (POST, PUT, PATCH,
DELETE) in one database transaction that this module opens and commits, instead of the
services' own transactions committing one by one while the view goes on (the services'
`transaction.atomic` blocks become savepoints inside it). Owning the COMMIT is what makes two
promises keepable:

- **Retries never duplicate.** The answer kept for an Idempotency-Key (zjai.api.idempotency) is
  written in the same transaction as the change, so the key exists exactly when the change
  committed; a retry finds it and gets the first answer.
- **A 503 says "nothing was changed" only when nothing was.** Authentication, permissions and
  throttles run before the transaction; a database error before the COMMIT rolls everything
  back, and the 503 `service_unavailable` is true. A connection lost *during* the COMMIT leaves
  the outcome unknown to us: before committing, the transaction's id is read
  (pg_current_xact_id_if_assigned), and afterwards a new connection asks PostgreSQL what became
  of it (pg_xact_status). Committed: the client gets the committed answer. Aborted: the true
  503. No answer (the database is still out of reach): 503 `change_not_confirmed`, which tells
  the client that the change may have been saved and to retry with the same Idempotency-Key
  or to check. Once committed, the answer is remembered on the request (zjai.faults), so a
  failure later in the request (the session saved on the way out) cannot turn it into a 503.

ATOMIC_REQUESTS stays off: it would wrap the browser's pages and every read too, and it commits
where the view cannot see the outcome. An answer of 400 or more rolls the transaction back
whatever the view did, so a refused request leaves nothing, not even part of a change.

The same dispatch also checks that a write's body was read: a body the view never validated
(an action that takes none, such as `submit`) is refused with its keys named, as
zjai.api.fields.StrictInputMixin refuses unknown keys in the bodies that are validated.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from zjai.faults import DATABASE_UNAVAILABLE, remember_committed_answer

from .errors import ChangeNotConfirmed
from .idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    idempotency_key,
    idempotency_store,
    kept_answer,
    request_fingerprint,
)

logger = logging.getLogger("zjai.faults")

#: The API view serving the current request (set around its dispatch), so that serializers built
#: without a context (views build their write serializers themselves) can still see it.
serving_view: ContextVar[Any] = ContextVar("zjai_api_serving_view", default=None)

_BODY_CHECKED = "_zjai_body_checked"


def mark_body_checked(request: Request) -> None:
    """A strict serializer has validated the request's body (StrictInputMixin)."""
    setattr(request, _BODY_CHECKED, True)


def body_has_content(data: Any) -> bool:
    return not (data is None or (isinstance(data, Mapping | list) and not data))


def refuse_unread_body(request: Request) -> None:
    """400 for a body the view did not validate: its keys would otherwise be ignored."""
    if getattr(request, _BODY_CHECKED, False) or not body_has_content(request.data):
        return
    if isinstance(request.data, Mapping):
        raise exceptions.ValidationError(
            {str(key): [_("Unknown field: this request takes no body.")] for key in request.data}
        )
    raise exceptions.ValidationError(_("This request takes no body."))


def transaction_id(connection: BaseDatabaseWrapper) -> str | None:
    """The current transaction's id, or None when it has written nothing (or not PostgreSQL,
    whose commit cannot be lost halfway: SQLite's is in this process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned()::text")
        row = cursor.fetchone()
    return row[0] if row else None


#: How long to wait for a transaction the database still reports "in progress" after its
#: connection was lost (its backend has not yet noticed, or is finishing the COMMIT).
OUTCOME_WAIT_SECONDS = 2.0
OUTCOME_POLL_SECONDS = 0.05


def transaction_outcome(connection: BaseDatabaseWrapper, xid: str) -> str | None:
    """ "committed" or "aborted" as PostgreSQL reports it, or None when it cannot say: out of
    reach, or still "in progress" after OUTCOME_WAIT_SECONDS. Asked on a new connection (the
    old one is gone)."""
    with contextlib.suppress(*DATABASE_UNAVAILABLE):
        connection.close()
    deadline = time.monotonic() + OUTCOME_WAIT_SECONDS
    try:
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_xact_status(%s::text::xid8)", [xid])
                row = cursor.fetchone()
            status = row[0] if row else None
            if status in ("committed", "aborted"):
                return status
            if status != "in progress" or time.monotonic() >= deadline:
                return None
            time.sleep(OUTCOME_POLL_SECONDS)
    except DATABASE_UNAVAILABLE:
        connection.close()
        return None


class WritesInOneTransactionMixin(APIView):
    """DRF's dispatch, with each write in one transaction (see the module doc)."""

    #: Fields of a write's answer that are never kept for an Idempotency-Key (a secret shown
    #: once); a replayed answer leaves them out.
    answer_fields_not_kept: frozenset[str] = frozenset()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = serving_view.set(self)
        try:
            return self._dispatch(request, *args, **kwargs)
        finally:
            serving_view.reset(token)

    def _dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # rest_framework.views.APIView.dispatch, but for the write's transaction.
        self.args = args
        self.kwargs = kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            self.initial(drf_request, *args, **kwargs)
            method = (drf_request.method or "").lower()
            handler = self.http_method_not_allowed
            if method in self.http_method_names:
                handler = getattr(self, method, self.http_method_not_allowed)
            if drf_request.method in SAFE_METHODS or handler == self.http_method_not_allowed:
                response = handler(drf_request, *args, **kwargs)
            else:
                response = self.run_write(handler, drf_request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        return self.response

    def run_write(
        self, handler: Callable[..., Response], request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        key = idempotency_key(request)
        store = idempotency_store() if key is not None else None
        fingerprint = request_fingerprint(request) if store is not None else ""
        connection = transaction.get_connection()
        outermost = not connection.in_atomic_block
        xid: str | None = None
        response: Response | None = None
        committing = False  # the transaction's work is done: what fails now is the COMMIT
        try:
            with transaction.atomic():
                if store is not None and key is not None:
                    if not store.claim(request.user, key):
                        raise IdempotencyKeyInUse()
                    kept = store.find(request.user, key)
                    if kept is not None:
                        if kept.fingerprint != fingerprint:
                            raise IdempotencyKeyReused(
                                _(
                                    "This Idempotency-Key was already used for another request "
                                    "(%(method)s %(path)s, or another body). Use a new key for "
                                    "a new request."
                                )
                                % {"method": kept.method, "path": kept.path}
                            )
                        return kept.response()
                response = handler(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                    return response
                refuse_unread_body(request)
                if store is not None and key is not None:
                    store.keep(
                        request.user,
                        key,
                        kept_answer(request, response, fingerprint, self.answer_fields_not_kept),
                    )
                if outermost:
                    xid = transaction_id(connection)
                committing = True
        except DATABASE_UNAVAILABLE as exc:
            if not committing or response is None:
                raise  # before the COMMIT: rolled back, the 503 says so truthfully
            return self._after_lost_commit(request, response, xid, exc)
        if outermost:
            remember_committed_answer(request._request, response)
        return response

    def _after_lost_commit(
        self, request: Request, response: Response, xid: str | None, exc: Exception
    ) -> Response:
        """The connection failed during the COMMIT (or a hook run once it committed)."""
        connection = transaction.get_connection()
        outcome = "aborted" if xid is None else transaction_outcome(connection, xid)
        logger.error(
            "database unavailable while committing %s %s (%s: %s): the transaction %s",
            request.method,
            request.path,
            type(exc).__name__,
            str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            {
                "committed": "committed: answered with its result",
                "aborted": "did not commit: answered 503 service_unavailable",
            }.get(outcome or "", f"is {outcome or 'unknown'}: answered 503 change_not_confirmed"),
        )
        if outcome == "committed":
            remember_committed_answer(request._request, response)
            return response
        if outcome == "aborted":
            raise exc
        raise ChangeNotConfirmed()
