from django.db import models

from portal.core.models import TimeStampedModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for a worker
    RUNNING = "running", "Running"  # a worker holds it and heartbeats
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_RUN_STATES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Run(TimeStampedModel):
    """One Terraform action on one request item; an immutable record once it ends."""

    class Action(models.TextChoices):
        PLAN = "plan", "Plan"
        APPLY = "apply", "Apply"
        DESTROY = "destroy", "Destroy"

    item = models.ForeignKey("onboarding.RequestItem", on_delete=models.CASCADE, related_name="runs")
    action = models.CharField(max_length=20, choices=Action.choices)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, editable=False)
    attempt = models.PositiveIntegerField(default=1)
    phase = models.CharField(max_length=20, blank=True)  # init / plan / apply / outputs
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    plan_summary = models.JSONField(null=True, blank=True)  # plan runs: PlanSummary.as_dict()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} run #{self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_RUN_STATES


class RunLogLine(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log_lines")
    seq = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="unique_log_line")]

    def __str__(self) -> str:
        return f"run {self.run_id} line {self.seq}"
