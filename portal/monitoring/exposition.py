"""What /metrics answers: django-prometheus' HTTP and database figures (merged across gunicorn processes when
PROMETHEUS_MULTIPROC_DIR is set) followed by the portal's own (``collectors.PortalCollector``)."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess

from .collectors import PortalCollector


def process_figures() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # every process's files, live and dead
        return registry
    return REGISTRY


def metrics_text() -> bytes:
    return generate_latest(process_figures()) + generate_latest(PortalCollector())
