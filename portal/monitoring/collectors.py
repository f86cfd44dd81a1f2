"""The portal's own Prometheus figures, computed from the database at each scrape (so every web process
answers the same, whichever served the scrape) — requests, approval stages, runs, queues, workers, failures,
drift. django-prometheus adds HTTP and database figures beside them."""

from __future__ import annotations

import logging

from django.db import close_old_connections
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from provisioning.queues import queue_length

from . import selectors
from .readiness import worker_queues

log = logging.getLogger(__name__)
# Seconds: previews take ~10–20 s, applies 10–60 s, GPU clusters and destroys up to many minutes.
RUN_DURATION_BUCKETS = (5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class PortalCollector:
    def describe(self):
        return []  # computed at scrape time only (never registered in the process-wide registry)

    def collect(self):
        try:
            families = list(self._families())
        except Exception as error:  # the database is away: say so rather than answer 500
            log.warning("metrics: could not read the portal's figures: %s", error)
            close_old_connections()
            families = []
        up = GaugeMetricFamily("portal_metrics_database_up", "1 when the portal's figures could be read")
        up.add_metric([], 1 if families else 0)
        yield up
        yield from families

    def _families(self):
        now = timezone.now()
        requests = GaugeMetricFamily("portal_requests", "Onboarding requests by status", labels=["status"])
        for status, n in sorted(selectors.requests_by_status().items()):
            requests.add_metric([status], n)
        yield requests

        pending = GaugeMetricFamily("portal_approval_stages_pending",
                                    "Approval stages waiting for a steering team's decision", labels=["steering_team"])
        overdue = GaugeMetricFamily("portal_approval_stages_overdue",
                                    "Approval stages waiting past their SLA", labels=["steering_team"])
        for team, (waiting, late) in sorted(selectors.open_stages_by_team(now=now).items()):
            pending.add_metric([team], waiting)
            overdue.add_metric([team], late)
        yield pending
        yield overdue

        runs = GaugeMetricFamily("portal_runs", "Runs by action and status", labels=["action", "status"])
        for (action, status), n in sorted(selectors.runs_by_action_and_status().items()):
            runs.add_metric([action, status], n)
        yield runs

        yield _histogram("portal_run_duration_seconds", "How long ended runs took, start to end", "action",
                         selectors.run_durations(RUN_DURATION_BUCKETS))
        yield _histogram("portal_run_phase_duration_seconds", "How long each phase of runs took (init, plan, apply, "
                         "outputs, render, push…)", "phase", selectors.phase_durations(RUN_DURATION_BUCKETS))

        failures = CounterMetricFamily("portal_run_failures", "Failed runs by cause", labels=["cause"])
        for cause, n in sorted(selectors.failures_by_cause().items()):
            failures.add_metric([cause], n)
        yield failures

        drifted = GaugeMetricFamily("portal_drifted_resources", "Active resources whose cloud differs from "
                                    "their declared values (drift not accepted)", labels=["team"])
        for team, n in sorted(selectors.drifted_resources_by_team().items()):
            drifted.add_metric([team], n)
        yield drifted

        depth = GaugeMetricFamily("portal_queue_length", "Task messages waiting in a broker queue", labels=["queue"])
        for queue in worker_queues():
            length = queue_length(queue)
            if length is not None:  # the broker could not tell
                depth.add_metric([queue], length)
        yield depth

        ages = GaugeMetricFamily("portal_worker_heartbeat_age_seconds", "Seconds since a worker's last heartbeat",
                                 labels=["worker", "queue"])
        for beat in selectors.worker_heartbeats():
            for queue in beat.queues:
                ages.add_metric([beat.hostname, queue], round((now - beat.last_seen).total_seconds(), 3))
        yield ages


def _histogram(name: str, documentation: str, second_label: str, rows) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=["module", second_label])
    for row in rows:
        buckets = [(str(float(bound)), n) for bound, n in zip(RUN_DURATION_BUCKETS, row.at_most, strict=True)]
        family.add_metric([row.module, row.action], buckets + [("+Inf", row.count)], row.total_seconds)
    return family
