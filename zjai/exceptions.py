"""Exceptions every layer raises and the frame turns into answers (409/412 pages and API errors)."""

from __future__ import annotations


class ConflictError(Exception):
    """The object changed since the client read it (a stale version): nothing was written."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version
