"""What a versioned object is (figures, register entries): its service adds one to `version`
inside the row lock on every change, and a change names the version it was read at (If-Match
in the API, a hidden field in the forms), so a stale change is refused."""

from __future__ import annotations

from typing import Any, Protocol


class Versioned(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def version(self) -> int: ...
