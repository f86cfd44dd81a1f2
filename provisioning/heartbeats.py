"""Worker heartbeats: every Celery worker writes a row (``WorkerHeartbeat``) from a background thread every
``PORTAL_WORKER_HEARTBEAT_SECONDS``, so the web process can tell which queues have a live worker (/readyz) and
how long ago each was seen (/metrics) without asking the broker. A database outage only skips beats."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)
FORGET_AFTER = timedelta(days=1)  # rows of workers gone this long are removed (they no longer say anything)


def record_heartbeat(*, hostname: str, queues: Iterable[str], started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={
        "queues": sorted(queues), "pid": os.getpid(), "started_at": started_at, "last_seen": now})
    WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_AFTER).delete()


def forget_worker(*, hostname: str) -> None:
    """A worker stopping cleanly takes its row away: its queues are not served by it any more."""
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


class HeartbeatThread(threading.Thread):
    """Beats until ``stop()``; then removes the worker's row."""

    def __init__(self, *, hostname: str, queues: Iterable[str], interval: float | None = None):
        super().__init__(name="portal-worker-heartbeat", daemon=True)
        self.hostname, self.queues = hostname, sorted(queues)
        self.interval = interval or settings.PORTAL_WORKER_HEARTBEAT_SECONDS
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self._quietly(lambda: record_heartbeat(hostname=self.hostname, queues=self.queues,
                                                       started_at=self.started_at), "write its heartbeat")
                if self.stopping.wait(self.interval):
                    break
            self._quietly(lambda: forget_worker(hostname=self.hostname), "remove its heartbeat")
        finally:
            connection.close()  # this thread's own connection

    def _quietly(self, write, what: str) -> None:
        try:
            write()
        except Exception as error:  # the database is away: try again at the next beat
            log.warning("worker %s could not %s: %s", self.hostname, what, error)
            connection.close()

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.join(timeout)
