"""Who is acting, for writes made outside a request (jobs, commands) and inside one."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from zjai.requestid import new_request_id, request_id_var

actor_label_var: contextvars.ContextVar[str] = contextvars.ContextVar("actor_label", default="")


@contextmanager
def acting_as(label: str) -> Iterator[str]:
    """Label writes made by a job or a command (`job:recompute`), grouped under one id."""
    rid = new_request_id()
    tokens = (actor_label_var.set(label), request_id_var.set(rid))
    try:
        yield rid
    finally:
        actor_label_var.reset(tokens[0])
        request_id_var.reset(tokens[1])
