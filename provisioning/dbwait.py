"""The worker's database may go away mid-run (a restart, a failover, a dropped connection): wait for it.

A run's Terraform keeps going while the database is away; the worker keeps the log lines it could not
write and records the run's end once the database answers again (for up to ``RUN_DB_WAIT_SECONDS``).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)
T = TypeVar("T")
DB_ERRORS = (OperationalError, InterfaceError)


class DatabaseGone(Exception):
    """The database did not answer within the wait; the run's end could not be recorded here."""


def reconnect() -> None:
    """Drop the broken connection; Django opens a new one at the next query."""
    with contextlib.suppress(Exception):
        connection.close()


def with_db(fn: Callable[[], T], *, what: str, wait_seconds: float | None = None) -> T:
    """``fn()``, retried with backoff while the database is unreachable; DatabaseGone after the wait."""
    wait_seconds = settings.RUN_DB_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline, delay, first = time.monotonic() + wait_seconds, 0.5, True
    while True:
        try:
            return fn()
        except DB_ERRORS as error:
            reconnect()
            if first:
                log.warning("database unreachable while %s (%s); waiting up to %.0f s", what, error, wait_seconds)
                first = False
            if time.monotonic() >= deadline:
                raise DatabaseGone(f"the database did not answer for {wait_seconds:.0f} s while {what}") from error
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
