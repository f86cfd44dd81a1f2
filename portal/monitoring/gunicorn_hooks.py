"""Gunicorn server hooks for /metrics with several processes (PROMETHEUS_MULTIPROC_DIR): the directory starts
empty (an emptyDir survives a container restart, and old files would add a previous life's counts), and a
process that exits leaves its live gauges. Gunicorn's config (portal/gunicorn_conf.py) takes them with
``from portal.monitoring.gunicorn_hooks import child_exit, on_starting  # noqa: F401``; no Django here."""

from __future__ import annotations

import os
from pathlib import Path


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        for leftover in Path(folder).glob("*.db"):
            leftover.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
