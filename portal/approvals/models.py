from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portal.core.models import TimeStampedModel

from .conditions import Operator, check_condition


class ApprovalRule(TimeStampedModel):
    """Admin-edited: when all its conditions hold for a request, ``team`` must approve it."""

    name = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="approval_rules",
                             limit_choices_to={"kind": "steering"})
    reason = models.CharField(max_length=300, help_text="Shown on the request: why this team reviews it.")
    required_approvals = models.PositiveSmallIntegerField(
        default=1, help_text="How many different members of the team must approve (N of the team's M).")
    group = models.PositiveSmallIntegerField(
        default=1, help_text="Stages of the same group run in parallel; a later group opens only when every "
                             "stage of the earlier groups is approved.")
    sla_hours = models.PositiveIntegerField(default=48, help_text="Hours the team has to decide once the "
                                                                  "stage opens; then its lead is alerted.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.required_approvals < 1:
            raise ValidationError({"required_approvals": "At least one approval is needed."})


class RuleCondition(models.Model):
    """One test of a request fact, e.g. ``kinds contains gpu_vm``; a rule with none applies always."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="conditions")
    fact = models.CharField(max_length=80, help_text="kinds, any_gpu, monthly_cost, hourly_cost, "
                            "data_classification, item_count, team, cost_centre, expected_duration_days, "
                            "or values.<parameter> (the values of every item).")
    operator = models.CharField(max_length=20, choices=Operator.choices)
    value = models.JSONField(null=True, blank=True, help_text='JSON: 2000, "gpu_vm", ["confidential", '
                                                              '"restricted"], true. Empty for "always".')

    class Meta:
        ordering = ["rule", "id"]

    def __str__(self) -> str:
        return f"{self.fact} {self.operator} {self.value!r}"

    def clean(self):
        problem = check_condition(self.fact, self.operator, self.value)
        if problem:
            raise ValidationError(problem)


class ApprovalStage(TimeStampedModel):
    """One steering team's decision on one request, fixed when the request is submitted."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for earlier stages"  # its group has not opened yet
        PENDING = "pending", "Waiting for a decision"  # open: approvers can decide
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        VOID = "void", "Void"  # the request was edited, resubmitted or withdrawn after this stage was set up
        CLOSED = "closed", "Not needed"  # another stage rejected the request or sent it back first

    TRANSITIONS: dict[str, set[str]] = {
        Status.WAITING: {Status.PENDING, Status.VOID, Status.CLOSED},
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.CHANGES_REQUESTED, Status.VOID, Status.CLOSED},
        Status.APPROVED: {Status.VOID},
        Status.REJECTED: {Status.VOID},
        Status.CHANGES_REQUESTED: {Status.VOID},
        Status.VOID: set(),
        Status.CLOSED: {Status.VOID},
    }

    request = models.ForeignKey("onboarding.OnboardingRequest", on_delete=models.CASCADE, related_name="stages")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="stages")
    # A named approver (a dataset's data owner, in the owning team): only they, or their delegate, decide.
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="named_stages", editable=False)
    position = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, help_text="Why this stage is on the request.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    round = models.PositiveSmallIntegerField(default=1, editable=False)  # +1 at each resubmission
    group = models.PositiveSmallIntegerField(default=1, editable=False)
    required_approvals = models.PositiveSmallIntegerField(default=1, editable=False)
    sla_hours = models.PositiveIntegerField(default=48, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)  # "due soon" from then on
    due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["request", "round", "group", "position", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.team} on request #{self.request_id}"


class Decision(TimeStampedModel):
    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"
        REQUEST_CHANGES = "request_changes", "Request changes"

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        VOID = "void", "Void"  # the request was edited afterwards; kept for the record

    stage = models.ForeignKey(ApprovalStage, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="delegated_decisions", help_text="The away member a delegate "
                                                                                   "decided for.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["stage", "actor"], name="one_decision_per_stage_actor")]

    def __str__(self) -> str:
        return f"{self.actor} {self.outcome} {self.stage}"


class Delegation(TimeStampedModel):
    """While ``from_user`` is away, ``to_user`` may decide the stages ``from_user`` could decide."""

    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="delegations_received")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(from_user=models.F("to_user")), name="delegation_to_someone_else"),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user} ({self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d})"
