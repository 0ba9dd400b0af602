"""What a visitor sees when PostgreSQL cannot be reached: a clean 503, not a server error.

A connection that drops in the middle of a request (PostgreSQL restarted, a failover, the
network between the web host and the database) raises django.db.OperationalError or
InterfaceError. Every write runs in one transaction (the service modules; an API write is one
transaction from its first statement to its answer, zjai.api.writes), so when the error comes
before that transaction commits, PostgreSQL has rolled back whatever the request had written,
and what is left is to tell the visitor, in the shape they expect:

- browser pages: templates/503.html, in the visitor's language, with `Retry-After`;
- the API (/api/…): the API's one error shape (zjai.api.errors) with code
  `service_unavailable` and `Retry-After` (API views answer through
  zjai.api.errors.api_exception_handler, which uses the same helpers as this module);
- the error is logged (logger `zjai.faults`) for the operator, with the request's id.

A 503 says "nothing was changed" only when that is true. An API write whose transaction has
committed is remembered on the request (remember_committed_answer): if the database fails later
in the same request (the session saved on the way out), the client gets the committed answer,
not a 503. A connection lost during the COMMIT itself is zjai.api.writes' to sort out: it asks
the database whether the transaction committed, and answers `change_not_confirmed` when it
cannot know.

The middleware sees the failure wherever it happens inside it: in a view (process_exception)
or before the view, e.g. while the signed-in user's session is loaded (Django turns that into
a 500 response and sends `got_request_exception`; the receiver below marks the request and the
middleware answers 503 instead). It sits near the end of MIDDLEWARE, so the answer still passes
through the security, CSP, language and request-id middleware on its way out.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

from zjai.api.body import error_body
from zjai.requestid import request_id_var

logger = logging.getLogger("zjai.faults")

#: The exceptions that mean "the database cannot be reached", not "this request is wrong".
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
#: Seconds a client is asked to wait before trying again (the Retry-After header).
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
_MARK = "_zjai_database_unavailable"
_COMMITTED = "_zjai_committed_answer"


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def log_database_unavailable(
    request: HttpRequest | None, exc: BaseException, *, traceback: bool = True
) -> None:
    """One ERROR line for the operator: which request, which error, which request id."""
    logger.error(
        "database unavailable: %s %s answered 503 (%s: %s) request_id=%s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
        request_id_var.get() or "-",
        exc_info=(type(exc), exc, exc.__traceback__) if traceback else None,
    )


def unavailable_detail() -> str:
    return _("The service cannot reach its database just now. Try again in a minute.")


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON in the API's error shape under /api/, else the 503 page."""
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            error_body(503, "service_unavailable", unavailable_detail()), status=503
        )
    else:
        try:
            page: str = render_to_string(
                "503.html",
                {"request_id": request_id_var.get(), "retry_after": RETRY_AFTER_SECONDS},
            )
        except Exception:  # the page must not fail in turn; say it in one line instead
            logger.exception("could not render 503.html")
            page = unavailable_detail()
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def remember_committed_answer(request: HttpRequest, response: HttpResponse) -> None:
    """The request's write has committed and this is its answer (see the module doc)."""
    setattr(request, _COMMITTED, response)


def answer_database_unavailable(
    request: HttpRequest, exc: BaseException, *, traceback: bool = True
) -> HttpResponse:
    """The answer to a lost database: the 503, unless the request's write had already committed,
    in which case its answer is the truth and the client gets it."""
    committed = getattr(request, _COMMITTED, None)
    if committed is not None:
        logger.warning(
            "database unavailable after %s %s had committed (%s): answered with its result "
            "request_id=%s",
            request.method,
            request.path,
            type(exc).__name__,
            request_id_var.get() or "-",
        )
        return committed
    log_database_unavailable(request, exc, traceback=traceback)
    return database_unavailable_response(request)


@receiver(got_request_exception, dispatch_uid="zjai.faults.mark_database_unavailable")
def mark_database_unavailable(sender: Any, request: HttpRequest | None = None, **kwargs: Any):
    """Django is about to answer 500 for an exception raised outside the view (a middleware's
    process_view loading the session, a template rendered after the view): remember that it
    was the database, so DatabaseUnavailableMiddleware answers 503 instead."""
    exc = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exc):
        setattr(request, _MARK, exc)


class DatabaseUnavailableMiddleware:
    """Answers 503 (page or API error, Retry-After, logged) when the database is unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None and response.status_code >= 500:
            # Django has logged the traceback with its 500; this line says what it became.
            return answer_database_unavailable(request, exc, traceback=False)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        return answer_database_unavailable(request, exception)


def _database_cause(exc: BaseException | None) -> BaseException | None:
    """The database error behind `exc`, if it is one or was raised while handling one."""
    seen = 0
    while exc is not None and seen < 10:
        if is_database_unavailable(exc):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. Saving the session on the way out, after every middleware of ours has run,
    Django turns a lost database into SessionInterrupted (400, "the session was deleted"):
    the visitor is told the truth instead, the 503 page. Other 400s are Django's, with
    templates/400.html."""
    cause = _database_cause(exception)
    if cause is not None:
        return answer_database_unavailable(request, cause)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a lost database that reached Django's last resort is a 503 too; any other
    error stays Django's 500 page."""
    cause = _database_cause(sys.exc_info()[1])
    if cause is not None:
        return answer_database_unavailable(request, cause)
    return defaults.server_error(request, template_name)
