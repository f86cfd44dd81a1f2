from django.db import models
from django.utils import timezone

from portal.core.models import TimeStampedModel
from portal.core.secrets import masked


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for a worker
    RUNNING = "running", "Running"  # a worker holds it and heartbeats
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_RUN_STATES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
ACTIVE_RUN_STATES = (RunStatus.QUEUED, RunStatus.RUNNING)


class Run(TimeStampedModel):
    """One Terraform action on one request item; an immutable record once it ends."""

    class Action(models.TextChoices):
        PLAN = "plan", "Plan"
        APPLY = "apply", "Apply"
        DESTROY = "destroy", "Destroy"
        UPGRADE = "upgrade", "Upgrade"  # repos only: push a branch moving it to the newest scaffold
        DRIFT_CHECK = "drift_check", "Drift check"  # plan against the cloud: does it still match? (changes nothing)

    class Purpose(models.TextChoices):
        PROVISION = "", "Provision"  # plan for approvers, apply of an approved item
        COMPENSATION = "compensation", "Clean-up after a failure"  # destroy what a failed request made
        MODIFY = "modify", "Change of values"  # plan/apply of a change request's new values
        DECOMMISSION = "decommission", "Decommission"  # plan/destroy of an approved decommission
        EXPIRY = "expiry", "Lifetime ended"  # destroy of a resource past its expiry date
        RECONCILE = "reconcile", "Reconcile drift"  # apply of an active item: the cloud back to its declared values

    item = models.ForeignKey("onboarding.RequestItem", on_delete=models.CASCADE, related_name="runs")
    action = models.CharField(max_length=20, choices=Action.choices)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.PROVISION, blank=True)
    change = models.ForeignKey("onboarding.ResourceChange", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="runs", help_text="The change request this run carries out.")
    attempt = models.PositiveIntegerField(default=1)
    retry_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="retried_by", help_text="The failed attempt this one repeats.")
    not_before = models.DateTimeField(null=True, blank=True, help_text="A retry waits until then (backoff).")
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Last time its task was sent.")
    pgid = models.IntegerField(null=True, blank=True, help_text="Process group of the external command "
                               "running now (Terraform and its providers), on the worker's host.")
    phase = models.CharField(max_length=20, blank=True)  # init / plan / apply / outputs
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    plan_summary = models.JSONField(null=True, blank=True)  # plan and drift_check runs: PlanSummary.as_dict()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} run #{self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_RUN_STATES

    @property
    def will_retry(self) -> bool:
        """A later attempt repeats this one (so its failure does not settle the item)."""
        return Run.objects.filter(retry_of=self).exists()

    @property
    def elapsed(self):
        """How long it has run (or ran); ``None`` before a worker claimed it."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def elapsed_display(self) -> str:
        if self.elapsed is None:
            return ""
        seconds = int(self.elapsed.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
            else f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def display_outputs(self) -> dict:
        """Outputs as people may see them: sensitive ones masked."""
        return masked(self.outputs)


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
