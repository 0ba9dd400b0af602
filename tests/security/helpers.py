"""Assertions the security tests share."""

from __future__ import annotations

from typing import Any


def assert_api_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The API's one error shape (docs/api.md §8) with this status and code."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert set(body) <= {"status", "code", "detail", "errors", "request_id"}, body
    return body


def etag(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response["ETag"]
