"""The figures /metrics and /readyz report, read from the database (right across web processes and workers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from portal.approvals.models import ApprovalStage
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import OnboardingRequest
from provisioning.models import Run, RunPhase, RunStatus, WorkerHeartbeat


def requests_by_status() -> dict[str, int]:
    rows = OnboardingRequest.objects.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def open_stages_by_team(*, now: datetime) -> dict[str, tuple[int, int]]:
    """{steering team slug: (stages waiting for its decision, of which past their due time)}."""
    rows = (ApprovalStage.objects.filter(status=ApprovalStage.Status.PENDING).order_by().values("team__slug")
            .annotate(pending=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now))))
    return {row["team__slug"]: (row["pending"], row["overdue"]) for row in rows}


def runs_by_action_and_status() -> dict[tuple[str, str], int]:
    rows = Run.objects.order_by().values("action", "status").annotate(n=Count("pk"))
    return {(row["action"], row["status"]): row["n"] for row in rows}


@dataclass(frozen=True)
class Durations:
    module: str
    action: str  # the action (run durations) or the phase (phase durations)
    count: int
    total_seconds: float
    at_most: list[int]  # runs that took at most each bucket's bound (cumulative, in bucket order)


def run_durations(buckets: Iterable[float]) -> list[Durations]:
    """How long ended runs took (start to end), per module and action, counted into ``buckets`` (seconds)."""
    buckets = list(buckets)
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    at_most = {f"le{i}": Count("pk", filter=Q(took__lte=timedelta(seconds=b))) for i, b in enumerate(buckets)}
    rows = (Run.objects.filter(started_at__isnull=False, finished_at__isnull=False).order_by()
            .annotate(took=took).values("module", "action").annotate(n=Count("pk"), total=Sum("took"), **at_most))
    return [Durations(row["module"], row["action"], row["n"], row["total"].total_seconds() if row["total"] else 0.0,
                      [row[f"le{i}"] for i in range(len(buckets))]) for row in rows]


def phase_durations(buckets: Iterable[float]) -> list[Durations]:
    """How long the phases of runs took (init, plan, apply…), per module and phase, counted into ``buckets``."""
    buckets = list(buckets)
    at_most = {f"le{i}": Count("pk", filter=Q(seconds__lte=b)) for i, b in enumerate(buckets)}
    rows = (RunPhase.objects.order_by().values("run__module", "phase")
            .annotate(n=Count("pk"), total=Sum("seconds"), **at_most))
    return [Durations(row["run__module"], row["phase"], row["n"], row["total"] or 0.0,
                      [row[f"le{i}"] for i in range(len(buckets))]) for row in rows]


def failures_by_cause() -> dict[str, int]:
    rows = Run.objects.filter(status=RunStatus.FAILED).order_by().values("failure_cause").annotate(n=Count("pk"))
    return {row["failure_cause"] or "not recorded": row["n"] for row in rows}


def drifted_resources_by_team() -> dict[str, int]:
    rows = (ProvisionedResource.objects.filter(status=ProvisionedResource.Status.ACTIVE,
                                               drift_status=ProvisionedResource.DriftStatus.DRIFTED)
            .order_by().values("team__slug").annotate(n=Count("pk")))
    return {row["team__slug"]: row["n"] for row in rows}


def worker_heartbeats() -> list[WorkerHeartbeat]:
    return list(WorkerHeartbeat.objects.all())
