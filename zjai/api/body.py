"""The one shape of every API error: status, code, detail, errors by field, the request id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zjai.requestid import request_id_var

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def error_body(
    status_code: int, code: str, detail: StrOrPromise, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": status_code,
        "code": code,
        "detail": str(detail),
        "errors": errors or {},
    }
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    return body
