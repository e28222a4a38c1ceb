"""The current request's id, for audit events written deep inside services."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("tandem_request_id", default="")


def current_request_id() -> str:
    """Return the id of the request being served, or "" outside a request (CLI, tasks)."""
    return request_id_var.get()
