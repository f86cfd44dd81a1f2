"""Runs: immutable snapshots of what an engine is asked to do, and their life (queued → running → ended).

A run stores, when it is queued, everything it will apply: the engine, the module's frozen content
(by hash), the full variables (sealed where sensitive) and the workspace whose state it changes. The
worker reads only that. Runs of one workspace never overlap: each waits for the older ones (see
``services.claim_run``). ``item`` and ``change`` link a run to the portal's records; provisioning
itself never follows them.
"""

from django.db import models
from django.utils import timezone

from .sealing import masked


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for a worker (and for older runs of its workspace)
    RUNNING = "running", "Running"  # a worker holds it and heartbeats
    SUCCEEDED = "succeeded", "Succeeded"  # ended well; outputs / plan stored
    FAILED = "failed", "Failed"  # ended with an error (a transient one may be retried as a new run)
    CANCELLED = "cancelled", "Cancelled"  # stopped by a person (or made pointless before it started)


S = RunStatus
TRANSITIONS: dict[str, set[str]] = {
    S.QUEUED: {S.RUNNING, S.CANCELLED},
    S.RUNNING: {S.SUCCEEDED, S.FAILED, S.CANCELLED},
    S.SUCCEEDED: set(),
    S.FAILED: set(),
    S.CANCELLED: set(),
}
TERMINAL_RUN_STATES = (S.SUCCEEDED, S.FAILED, S.CANCELLED)
ACTIVE_RUN_STATES = (S.QUEUED, S.RUNNING)
LOST_WORKER_CAUSE = "the worker stopped answering"  # Run.failure_cause of a run the reaper took back

PREVIEW_QUEUE = "previews"  # plans for approvers and drift checks: never behind a 20-minute apply
RUN_QUEUE = "runs"  # applies, destroys, upgrades


class Workspace(models.Model):
    """One working dir and one state: the runs of a workspace happen one at a time, oldest first."""

    key = models.CharField(max_length=100, unique=True, help_text="e.g. item-17")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class ModuleContent(models.Model):
    """A module's files, frozen when a template version is published; keyed by their content hash."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    files = models.JSONField(help_text="{file name: text}")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("module content is immutable; store new content under its own hash")
        super().save(*args, **kwargs)


class Run(models.Model):
    """One engine action on one workspace; an immutable record of what was asked once queued."""

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
        POWER = "power", "Stop or start"  # apply of an active VM with a new declared instance_state

    # What the run was asked to do: set when it is queued, never changed (see save()).
    SNAPSHOT_FIELDS = ("workspace_id", "item_id", "change_id", "action", "purpose", "engine", "module",
                       "module_content_id", "variables", "attempt", "retry_of_id", "correlation_id")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="runs")
    item = models.ForeignKey("onboarding.RequestItem", on_delete=models.CASCADE, related_name="runs")
    change = models.ForeignKey("onboarding.ResourceChange", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="runs", help_text="The change request this run carries out.")
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.PROVISION, blank=True)
    engine = models.CharField(max_length=20, help_text="terraform, scaffold or directory")
    module = models.CharField(max_length=60, help_text="Terraform module, scaffold or directory profile.")
    module_content = models.ForeignKey(ModuleContent, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", help_text="The frozen module files it runs (Terraform).")
    variables = models.JSONField(default=dict, blank=True,
                                 help_text="Everything the engine applies; sensitive values sealed.")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, editable=False)
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
    settled_at = models.DateTimeField(null=True, blank=True, editable=False,
                                      help_text="When the portal acted on how the run ended (exactly once).")
    error = models.TextField(blank=True)
    failure_cause = models.CharField(max_length=100, blank=True, editable=False,
                                     help_text="Why it failed, as a short category (provisioning.failures).")
    correlation_id = models.CharField(max_length=128, blank=True, editable=False,
                                      help_text="The id of the web request or task that queued it (X-Request-ID); "
                                      "its worker's log lines carry it.")
    outputs = models.JSONField(default=dict, blank=True)  # sensitive values sealed
    plan_summary = models.JSONField(null=True, blank=True)  # plan and drift_check runs: PlanSummary.as_dict()
    saved_plan = models.BinaryField(null=True, blank=True, editable=False,
                                    help_text="A preview's plan file, sealed: the approved apply applies it.")
    applied_plan_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                        editable=False, help_text="The preview whose saved plan this run applied.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["workspace", "status"]), models.Index(fields=["status", "settled_at"])]

    def __str__(self) -> str:
        return f"{self.action} run #{self.pk} ({self.status})"

    def save(self, *args, **kwargs):
        """A run's snapshot never changes once it is queued (status and results change through the doors
        in provisioning.services, by conditional updates)."""
        if not self._state.adding and self.pk:
            stored = Run.objects.filter(pk=self.pk).values(*self.SNAPSHOT_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.SNAPSHOT_FIELDS):
                raise ValueError(f"run #{self.pk} is an immutable record of what was asked")
        super().save(*args, **kwargs)

    @property
    def queue(self) -> str:
        return PREVIEW_QUEUE if self.action in (self.Action.PLAN, self.Action.DRIFT_CHECK) else RUN_QUEUE

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
        return masked(self.outputs or {})

    @property
    def display_variables(self) -> dict:
        """The values the engine got, as people may see them: sensitive ones masked."""
        return masked(self.variables or {})


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


class RunPhase(models.Model):
    """How long one phase of a run took (init, plan, apply, outputs, render, push…), written when it ends:
    /metrics shows run durations by module and phase."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=20)
    seconds = models.FloatField()
    ended_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "ended_at", "id"]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.phase} {self.seconds:.1f} s"


class WorkerHeartbeat(models.Model):
    """A Celery worker saying it is alive, written every PORTAL_WORKER_HEARTBEAT_SECONDS by a thread started
    when the worker starts (provisioning.worker_hooks); /readyz calls a queue ready when a worker serving it
    was seen lately. A worker that stops cleanly removes its row; a dead one's row ages out."""

    hostname = models.CharField(max_length=200, unique=True, help_text="Celery's node name, e.g. runs@host")
    queues = models.JSONField(default=list, help_text="The queues it consumes from.")
    pid = models.IntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname
