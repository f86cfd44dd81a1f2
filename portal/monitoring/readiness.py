"""Is this deployment ready to serve? Each check answers ``{"ok": bool, ...}`` and never raises; what went wrong
is logged here, not told to the (unauthenticated) caller."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from . import selectors

log = logging.getLogger(__name__)
_migrated: set[str] = set()  # databases found fully migrated by this process (the code cannot change under it)


def readiness(*, scope: str = "all") -> tuple[bool, dict]:
    """``(ready, checks)``; scope "web": the database and its migrations only (a web pod is not pulled out
    of service because workers are down)."""
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False, "error": "no database"}
    if scope != "web":
        checks["broker"] = check_broker()
        checks["workers"] = check_workers(now=timezone.now()) if checks["database"]["ok"] else {
            queue: {"ok": False, "error": "no database"} for queue in worker_queues()}
    ready = all(check["ok"] for check in _leaves(checks))
    return ready, checks


def _leaves(checks: dict):
    for check in checks.values():
        yield from (check.values() if "ok" not in check else [check])


def check_database(alias: str = DEFAULT_DB_ALIAS) -> dict:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:
        log.warning("readiness: the database %s is unreachable: %s", alias, error)
        connection.close()  # the next request starts from a fresh connection
        return {"ok": False, "error": "unreachable"}


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> dict:
    if alias in _migrated:
        return {"ok": True}
    try:
        executor = MigrationExecutor(connections[alias])
        unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception as error:
        log.warning("readiness: could not read the applied migrations: %s", error)
        return {"ok": False, "error": "unknown"}
    if unapplied:
        return {"ok": False, "unapplied": unapplied}
    _migrated.add(alias)
    return {"ok": True}


def check_broker() -> dict:
    from celery import current_app

    timeout = settings.PORTAL_READY_TIMEOUT_SECONDS
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}  # Redis; other transports ignore them
    try:
        with current_app.connection_for_read(transport_options=options, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
        return {"ok": True}
    except Exception as error:
        log.warning("readiness: the broker is unreachable: %s", error)
        return {"ok": False, "error": "unreachable"}


def worker_queues() -> list[str]:
    return [queue.strip() for queue in settings.PORTAL_WORKER_QUEUES.split(",") if queue.strip()]


def check_workers(*, now: datetime) -> dict:
    """For each queue: ready when a worker consuming it wrote its heartbeat within PORTAL_READY_WORKER_SECONDS."""
    fresh_after = now - timedelta(seconds=settings.PORTAL_READY_WORKER_SECONDS)
    try:
        beats = selectors.worker_heartbeats()
    except Exception as error:
        log.warning("readiness: could not read worker heartbeats: %s", error)
        return {queue: {"ok": False, "error": "unknown"} for queue in worker_queues()}
    result = {}
    for queue in worker_queues():
        serving = [beat for beat in beats if queue in beat.queues]
        alive = [beat for beat in serving if beat.last_seen >= fresh_after]
        last = max((beat.last_seen for beat in serving), default=None)
        result[queue] = {"ok": bool(alive), "workers": len(alive),
                         "last_seen_seconds_ago": round((now - last).total_seconds(), 1) if last else None}
    return result
