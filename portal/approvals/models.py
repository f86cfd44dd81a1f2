from django.conf import settings
from django.db import models

from portal.core.models import TimeStampedModel


class ApprovalStage(TimeStampedModel):
    """One steering team's decision on one request, fixed when the request is submitted."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        VOID = "void", "Void"  # the request was edited after this stage decided

    request = models.ForeignKey("onboarding.OnboardingRequest", on_delete=models.CASCADE, related_name="stages")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="stages")
    position = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, help_text="Why this stage is on the request.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)

    class Meta:
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return f"{self.team} on request #{self.request_id}"


class Decision(TimeStampedModel):
    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    stage = models.ForeignKey(ApprovalStage, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["stage", "actor"], name="one_decision_per_stage_actor")]

    def __str__(self) -> str:
        return f"{self.actor} {self.outcome} {self.stage}"
