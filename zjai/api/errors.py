"""One JSON shape for every error the API returns, and the exceptions that produce them.

Clients handle a single shape whatever went wrong::

    {"status": 412, "code": "precondition_failed", "detail": "…", "errors": {}}

`errors` maps a field name to its messages (400 only; empty otherwise). The service functions
raise Django's PermissionDenied and ValidationError and targets.services.ConflictError; they are
translated here rather than in each view, so every endpoint maps them the same way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from zjai.api.body import error_body
from zjai.api.parsers import request_too_large
from zjai.exceptions import ConflictError
from zjai.faults import (
    RETRY_AFTER_SECONDS,
    is_database_unavailable,
    log_database_unavailable,
    unavailable_detail,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger("zjai.api")
request_logger = logging.getLogger("django.request")


class Conflict(exceptions.APIException):
    """The request is valid but the object's state does not allow it (a submitted figure
    cannot be edited; a credit code is taken)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the object.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """If-Match named a version that is no longer current: someone changed the object."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object was changed since you read it. Reload it and try again.")
    default_code = "precondition_failed"

    def __init__(self, detail: Any = None, current_version: int | None = None) -> None:
        super().__init__(detail)
        self.current_version = current_version


class PreconditionRequired(exceptions.APIException):
    """A change was sent without If-Match: without it, it could silently overwrite another."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        'Send the ETag you read in an If-Match header (If-Match: "3") to change this object.'
    )
    default_code = "precondition_required"


class ServiceUnavailable(exceptions.APIException):
    """The database cannot be reached (dropped connection, restart, failover) and nothing was
    written: a write is one transaction (zjai.api.writes), and this answer is given only when
    it did not commit. The client may retry after Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service cannot reach its database just now. Try again in a minute.")
    default_code = "service_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's handler sends it as Retry-After


class ChangeNotConfirmed(exceptions.APIException):
    """The connection was lost while the write's transaction was committing, and the database
    could not be asked afterwards whether it had committed: the change may have been saved.
    Never "nothing was changed" (service_unavailable) in that case."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "The connection to the database was lost while your change was being saved, so it may "
        "have been saved. Retry with the same Idempotency-Key (you get the saved answer, or "
        "the change is made once), or read the object to check before trying again."
    )
    default_code = "change_not_confirmed"
    wait = RETRY_AFTER_SECONDS


NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {"field": ["message"], "units.0.code": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in ("__all__", NON_FIELD) and not prefix else str(key)
            for sub, messages in flatten_errors(value, f"{prefix}{name}.").items():
                out.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            out[prefix.rstrip(".") or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for sub, messages in flatten_errors(item, f"{prefix}{index}.").items():
                    out.setdefault(sub, []).extend(messages)
    else:
        out[prefix.rstrip(".") or NON_FIELD] = [str(detail)]
    return out


def _translate(exc: Exception, request: Any = None) -> Exception:
    """Service and database exceptions as the DRF exceptions that carry their status."""
    if isinstance(exc, RequestDataTooBig):
        return request_too_large()
    if is_database_unavailable(exc):
        django_request = getattr(request, "_request", request)
        log_database_unavailable(django_request, exc)
        return ServiceUnavailable(unavailable_detail())
    if isinstance(exc, ConflictError):
        if exc.current_version is not None:
            return PreconditionFailed(str(exc), current_version=exc.current_version)
        return Conflict(str(exc))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({NON_FIELD: exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, IntegrityError):
        # Validation runs before saving, so this is a race: two requests claimed the same
        # unique value at once. The loser's transaction was rolled back; it may retry.
        logger.info("integrity error answered with 409: %s", exc)
        return Conflict(_("This conflicts with a record saved at the same time. Try again."))
    if isinstance(exc, DataError):
        # Input that passed validation but does not fit a column: a gap in validation, to be
        # fixed, but still the client's input, never a server error.
        logger.warning("database rejected input, answered with 400: %s", exc)
        return exceptions.ValidationError({NON_FIELD: [_("A value is out of range.")]})
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the one shape."""
    exc = _translate(exc, context.get("request"))
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API exception: a bug. Log it where Django logs server errors, and still
        # answer in the documented shape rather than with an HTML page.
        request = context.get("request")
        request_logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"status_code": 500, "request": getattr(request, "_request", None)},
        )
        return Response(
            error_body(500, "server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        first = next(iter(errors.values()), [""])[0] if errors else ""
        detail = _("Some values are not valid.") if len(errors) != 1 else first
        code = "invalid"
    else:
        errors = {}
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    response.data = error_body(response.status_code, code, detail, errors)
    if isinstance(exc, PreconditionFailed) and exc.current_version is not None:
        response["ETag"] = f'"{exc.current_version}"'
    if isinstance(exc, ServiceUnavailable | ChangeNotConfirmed):
        add_never_cache_headers(response)  # no proxy may keep this answer
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/… path no endpoint matches: a JSON 404, not Django's HTML page."""
    detail: StrOrPromise = _("No API endpoint at this address.")
    if not request.path.endswith("/"):
        detail = _("No API endpoint at this address. API addresses end with a slash: %(p)s/") % {
            "p": request.path
        }
    return JsonResponse(error_body(404, "not_found", str(detail)), status=404)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    code = serializers.CharField(
        help_text=_(
            "A stable machine-readable code: invalid, parse_error, not_authenticated, "
            "authentication_failed, permission_denied, not_found, not_acceptable, conflict, "
            "precondition_failed, unsupported_media_type, precondition_required, throttled, "
            "request_too_large, idempotency_key_in_use, idempotency_key_reused, "
            "service_unavailable (nothing was changed), change_not_confirmed (the change may "
            "have been saved)."
        )
    )
    detail = serializers.CharField(help_text=_("A sentence for people, in their language."))
    # DRF's serializer metaclass moves a declared field into _declared_fields, so this does not
    # replace Serializer.errors; the stubs cannot see that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_(
            "400 only: messages by field (dotted for nested fields, non_field_errors for the "
            "whole object). Empty for other errors."
        ),
    )
    request_id = serializers.CharField(
        required=False, help_text=_("Quote this when asking for help; also in X-Request-ID.")
    )
