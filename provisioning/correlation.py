"""The correlation id: one id that follows a piece of work from the web request that caused it, through the
Celery messages it sends, to the worker that carries it out and the runs it queues. No Django imports.

The web side binds it per request (``portal.core.middleware.CorrelationIdMiddleware``: the client's sane
``X-Request-ID`` or a new one); ``provisioning.worker_hooks`` puts it in every task message's headers and
binds it in the worker while the task runs; a run records it when it is queued (``Run.correlation_id``).
Every log record carries it as ``correlation_id`` (``CorrelationFilter``).
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

HEADER = "portal_correlation_id"  # the Celery message header (Celery's own correlation_id is the task id)
# What a proxy's request id looks like; nothing that could forge or break a log line.
_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

_current: ContextVar[str] = ContextVar("portal_correlation_id", default="")


def new_id() -> str:
    return uuid.uuid4().hex


def sane(value: str | None) -> str:
    """``value`` if it can serve as a correlation id (short, printable, no spaces or quotes), else ""."""
    return value if value and _SANE.match(value) else ""


def current_id() -> str:
    """The id bound now ("" outside a request or task)."""
    return _current.get()


@contextlib.contextmanager
def bound(value: str) -> Iterator[str]:
    """Bind ``value`` (a new id when it is not sane) for the duration of the block."""
    value = sane(value) or new_id()
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def bind(value: str):
    """Bind ``value`` until ``unbind(token)``: for hooks that begin and end in two calls (Celery signals)."""
    return _current.set(sane(value) or new_id())


def unbind(token) -> None:
    _current.reset(token)


class CorrelationFilter(logging.Filter):
    """Gives every record a ``correlation_id`` attribute (the id bound now, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "correlation_id", None):
            record.correlation_id = _current.get() or "-"
        return True
