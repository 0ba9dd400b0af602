"""The OpenAPI schema documents every response an operation can give, errors included.

drf-spectacular documents the success response of each operation. This AutoSchema adds what
the frame around the views adds to every one of them, from the same attributes the frame reads
(`versioned`, `if_match_actions`), so the schema cannot drift from the behaviour:

- the error responses each kind of operation can produce, all in the one error shape
  (zjai.api.errors), with an example each;
- Idempotency-Key (optional) on every write, its 409 and 422, and `Idempotent-Replayed` on a
  replayed answer (zjai.api.idempotency); `additionalProperties: false` on every request body,
  since an unknown key is a 400 (zjai.api.fields.StrictInputMixin);
- If-Match (required) on the writes of versioned resources, If-None-Match on their reads;
- the ETag header on their single-object answers, the 304 answer, Retry-After on 429 and 503
  (503: the database cannot be reached, zjai.faults).

Schemathesis' status_code_conformance and response_schema_conformance checks hold the API to
this document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiExample, OpenApiParameter, OpenApiResponse

from .conditional import ENTITY_TAG_PATTERN, OUR_ETAG_PATTERN
from .errors import ErrorSerializer
from .idempotency import HEADER as IDEMPOTENCY_KEY
from .idempotency import MAX_KEY_LENGTH, REPLAYED_HEADER

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Status: (description, code, an example's detail, an example's errors).
ERRORS: dict[int, tuple[StrOrPromise, str, str, dict[str, list[str]]]] = {
    400: (
        _("Invalid input: a parameter or a field of the body (see `errors`)."),
        "invalid",
        "Some values are not valid.",
        {"observed_on": ["A figure cannot describe a future date."]},
    ),
    401: (
        _("No credentials, or a token that is unknown or revoked."),
        "not_authenticated",
        "Authentication credentials were not provided.",
        {},
    ),
    403: (
        _("Signed in, but this role or unit may not do this."),
        "permission_denied",
        "Your unit does not report figures for this target.",
        {},
    ),
    404: (
        _("No such object, or one this user may not see (another unit's draft)."),
        "not_found",
        "Not found.",
        {},
    ),
    406: (
        _("No acceptable representation (Accept)."),
        "not_acceptable",
        "Could not satisfy the request Accept header.",
        {},
    ),
    409: (
        _(
            "The object's state does not allow this (e.g. editing a submitted figure), or "
            "(`idempotency_key_in_use`) a request with the same Idempotency-Key is still running."
        ),
        "conflict",
        "Only a draft can be submitted; this figure is approved.",
        {},
    ),
    412: (
        _("If-Match named a version that is no longer current; nothing was changed."),
        "precondition_failed",
        "This figure was changed by someone else (version 4, you had 3). Reload it and try again.",
        {},
    ),
    413: (
        _("The body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE)."),
        "request_too_large",
        "The request body is too large: at most 2.0 MB.",
        {},
    ),
    415: (
        _("The body is not JSON (Content-Type)."),
        "unsupported_media_type",
        'Unsupported media type "text/plain" in request.',
        {},
    ),
    422: (
        _(
            "The Idempotency-Key was already used, within its 24 hours, for another request "
            "(another method, path or body); nothing was changed."
        ),
        "idempotency_key_reused",
        "This Idempotency-Key was already used for another request (POST /api/v1/measurements/, "
        "or another body). Use a new key for a new request.",
        {},
    ),
    428: (
        _("A change without If-Match: send the ETag you read."),
        "precondition_required",
        'Send the ETag you read in an If-Match header (If-Match: "3") to change this object.',
        {},
    ),
    429: (
        _("Too many requests: wait for Retry-After seconds."),
        "throttled",
        "Request was throttled. Expected available in 12 seconds.",
        {},
    ),
    503: (
        _(
            "The database cannot be reached. `service_unavailable`: nothing was changed; retry "
            "after Retry-After seconds. `change_not_confirmed` (writes only): the connection was "
            "lost while the change was being saved, so it may have been saved: retry with the "
            "same Idempotency-Key, or read the object to check."
        ),
        "service_unavailable",
        "The service cannot reach its database just now. Try again in a minute.",
        {},
    ),
}


# Further codes a status has, with an example's detail.
MORE_CODES: dict[int, list[tuple[str, str]]] = {
    409: [
        (
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still running. Retry when it has finished: "
            "you will get its answer.",
        )
    ],
    503: [
        (
            "change_not_confirmed",
            "The connection to the database was lost while your change was being saved, so it "
            "may have been saved. Retry with the same Idempotency-Key (you get the saved answer, "
            "or the change is made once), or read the object to check before trying again.",
        )
    ],
}


def error_response(status: int) -> OpenApiResponse:
    description, code, detail, errors = ERRORS[status]
    examples = [(code, detail, errors), *((c, d, {}) for c, d in MORE_CODES.get(status, []))]
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(
                example_code,
                value={
                    "status": status,
                    "code": example_code,
                    "detail": example_detail,
                    "errors": example_errors,
                    "request_id": "9f1c2b7e5d8a4e0f9a1b2c3d4e5f6a7b",
                },
                response_only=True,
                status_codes=[str(status)],
            )
            for example_code, example_detail, example_errors in examples
        ],
    )


class ApiSessionScheme(SessionScheme):
    """The browser's session (accounts.api.authentication.SessionAuthentication), for /api/docs/."""

    target_class = "accounts.api.authentication.SessionAuthentication"
    priority = 0


ETAG_HEADER = {
    "schema": {"type": "string", "pattern": OUR_ETAG_PATTERN},
    "description": _('The version of the object, e.g. "3": send it back in If-Match to change it.'),
}


class ApiAutoSchema(AutoSchema):
    """AutoSchema that adds the frame's headers and error responses (see the module doc)."""

    def _action(self) -> str | None:
        return getattr(self.view, "action", None)

    def _versioned(self) -> bool:
        return bool(getattr(self.view, "versioned", False))

    def _needs_if_match(self) -> bool:
        return self._versioned() and self._action() in getattr(self.view, "if_match_actions", ())

    def _is_versioned_read(self) -> bool:
        return self._versioned() and self.method == "GET" and self._action() == "retrieve"

    def _is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def _returns_one_versioned_object(self) -> bool:
        return self._versioned() and not self._is_list_view() and self.method != "DELETE"

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._needs_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    {"type": "string", "pattern": ENTITY_TAG_PATTERN},
                    OpenApiParameter.HEADER,
                    required=True,
                    description=_(
                        'The ETag of the version you read: one entity tag, such as "3" or '
                        'W/"3". Missing, * or a list: 428. No longer current: 412, and nothing '
                        "is changed."
                    ),
                )
            )
        if self._is_write():
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_KEY,
                    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH + 2},
                    OpenApiParameter.HEADER,
                    required=False,
                    description=_(
                        "A string of yours unique to this change (a UUID), 1 to 255 visible "
                        "ASCII characters. Sent again with the same request within 24 hours, "
                        "it returns the first answer (Idempotent-Replayed: true) without "
                        "changing anything again; with another request, 422; while the first "
                        "is still running, 409. Kept per user, only for answers below 400."
                    ),
                )
            )
        if self._is_versioned_read():
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=_("An ETag you hold: 304 without a body if it is still current."),
                )
            )
        return parameters

    def _error_statuses(self) -> list[int]:
        statuses = [401, 403, 406, 429, 503]
        has_path_parameter = "{" in self.path
        if self._is_write() or self._is_list_view() or self.method == "GET":
            statuses.append(400)
        if has_path_parameter:
            statuses.append(404)
        if self._is_write():
            # Any write may carry a body (refused when it takes none) and an Idempotency-Key.
            statuses += [409, 413, 415, 422]
        if self._needs_if_match():
            statuses += [409, 412, 428]
        return sorted(set(statuses))

    def _map_basic_serializer(self, serializer: Any, direction: Direction) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    error_response(status), str(status), direction=direction
                ),
            )
        if self._is_versioned_read():
            responses["304"] = {
                "description": _("Not modified: the ETag in If-None-Match is still current."),
                "headers": {"ETag": ETAG_HEADER},
            }
        return responses

    def _get_response_headers_for_code(
        self, status_code: str, direction: Direction = "response"
    ) -> dict[str, Any]:
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code in ("200", "201") and self._returns_one_versioned_object():
            headers["ETag"] = ETAG_HEADER
        if status_code.startswith("2") and self._is_write():
            headers[REPLAYED_HEADER] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": _(
                    "Present on an answer replayed for a repeated Idempotency-Key: the change "
                    "was made by the first request, not this one."
                ),
            }
        if status_code == "412":
            headers["ETag"] = {**ETAG_HEADER, "description": _("The current version.")}
        if status_code in ("429", "503"):
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": _("Seconds to wait before the next request."),
            }
        return headers


def nullable_refs(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS postprocessing hook: make "an object or null" validate as such.

    drf-spectacular writes a nullable nested object as {"allOf": [{"$ref": …}],
    "nullable": true}. OpenAPI 3.0.3 applies `nullable` only next to an explicit `type`, so
    strict validators (openapi-core) reject the null that the API rightly returns. Rewritten as
    anyOf the object or a null-only schema, every validator reads it the same way.
    """

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            all_of = node.get("allOf")
            if node.get("nullable") and isinstance(all_of, list) and len(all_of) == 1:
                node.pop("nullable")
                node["anyOf"] = [
                    node.pop("allOf")[0],
                    {"type": "object", "nullable": True, "enum": [None]},
                ]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
