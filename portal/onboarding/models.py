from django.conf import settings
from django.db import models

from portal.core.models import TimeStampedModel


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being filled in; nobody else sees it
    SUBMITTED = "submitted", "Submitted"  # values validated, approval stages being set up
    IN_REVIEW = "in_review", "In review"  # waiting for steering-team decisions
    CHANGES_REQUESTED = "changes_requested", "Changes requested"  # back with the requester
    REJECTED = "rejected", "Rejected"  # final
    APPROVED = "approved", "Approved"  # every stage approved; provisioning about to start
    PROVISIONING = "provisioning", "Provisioning"  # worker runs are creating the items
    ACTIVE = "active", "Active"  # every item exists
    FAILED = "failed", "Failed"  # an item's run failed; retry or decommission
    DECOMMISSIONING = "decommissioning", "Decommissioning"  # items being destroyed
    DECOMMISSIONED = "decommissioned", "Decommissioned"  # final
    COMPLETED = "completed", "Done"  # final: a change request (not a new one) was carried out
    WITHDRAWN = "withdrawn", "Withdrawn"  # final: the requester took it back before a decision


S = RequestStatus
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.IN_REVIEW},
    S.IN_REVIEW: {S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED, S.SUBMITTED,  # edited in review: resubmitted
                  S.WITHDRAWN},
    S.CHANGES_REQUESTED: {S.SUBMITTED, S.WITHDRAWN},
    S.APPROVED: {S.PROVISIONING, S.COMPLETED},  # completed: a migration triage, approved, needs no work
    S.PROVISIONING: {S.ACTIVE, S.FAILED, S.COMPLETED},
    S.FAILED: {S.PROVISIONING, S.DECOMMISSIONING, S.WITHDRAWN},  # withdrawn: a change request given up
    S.ACTIVE: {S.DECOMMISSIONING},
    S.DECOMMISSIONING: {S.DECOMMISSIONED, S.FAILED, S.ACTIVE},  # active again: a decommission failed
    S.REJECTED: set(),
    S.DECOMMISSIONED: set(),
    S.COMPLETED: set(),
    S.WITHDRAWN: set(),
}
TERMINAL_STATES = {S.REJECTED, S.DECOMMISSIONED, S.COMPLETED, S.WITHDRAWN}
EDITABLE_STATES = {S.IN_REVIEW, S.CHANGES_REQUESTED}  # the requester may edit values and resubmit


class RequestKind(models.TextChoices):
    """A request creates resources (``new``) or changes ones that exist (the others, each made of
    ResourceChange rows); every kind goes through the same approval routing."""

    NEW = "new", "New resources"
    MODIFY = "modify", "Change of values"
    EXTEND = "extend", "Lifetime extension"
    DECOMMISSION = "decommission", "Decommission"
    TRIAGE = "triage", "Migration triage"  # a data product's triage (portal.migration), reviewed like a request
    # A dataset's new classification or retention (portal.datasets), asked by its data owner, reviewed like a
    # request; approved, the dataset follows (``signals.review_concluded``); nothing is provisioned.
    DATASET_CHANGE = "dataset_change", "Dataset lifecycle change"


class DataClassification(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    CONFIDENTIAL = "confidential", "Confidential"
    RESTRICTED = "restricted", "Restricted"


class OnboardingRequest(TimeStampedModel):
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RequestKind.choices, default=RequestKind.NEW, editable=False)
    status = models.CharField(max_length=30, choices=RequestStatus.choices, default=S.DRAFT, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What approval routing asks besides the items' values.
    data_classification = models.CharField(max_length=20, choices=DataClassification.choices,
                                           default=DataClassification.INTERNAL)
    business_justification = models.TextField(blank=True)
    cost_centre = models.CharField(max_length=30, blank=True)
    expected_duration_days = models.PositiveIntegerField(null=True, blank=True)
    # Frozen at each submit by approval routing (what the rules saw; the cost approvers see).
    estimated_monthly_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                                 editable=False)
    routing_facts = models.JSONField(default=dict, blank=True, editable=False)
    # Migrations (portal.migration): the triage a ``triage`` request reviews; the product whose environment
    # a new request builds.
    triage = models.ForeignKey("migration.Triage", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="review_requests", editable=False)
    migration_product = models.ForeignKey("migration.DataProduct", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="environment_requests", editable=False)
    # A dataset access request (portal.datasets): the dataset's data owner decides its first stage, for the
    # owning team; set by the portal when it composes the request, never by the requester.
    data_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    data_owner_team = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class RequestItem(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # not yet provisioned (or to be provisioned again: a retry)
        PROVISIONING = "provisioning", "Provisioning"  # its apply is queued or running
        ACTIVE = "active", "Active"  # exists; a resource in the inventory
        FAILED = "failed", "Failed"  # its apply failed or was cancelled; may hold resources until cleaned up
        DESTROYED = "destroyed", "Destroyed"  # gone (clean-up, decommission or expiry); kept for the record

    TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING: {Status.PROVISIONING},
        Status.PROVISIONING: {Status.ACTIVE, Status.FAILED},
        Status.ACTIVE: {Status.DESTROYED},
        Status.FAILED: {Status.DESTROYED, Status.PENDING},  # pending: a retry
        Status.DESTROYED: {Status.PENDING},  # a retry after the clean-up
    }

    request = models.ForeignKey(OnboardingRequest, on_delete=models.CASCADE, related_name="items")
    template_version = models.ForeignKey("catalog.TemplateVersion", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    values = models.JSONField(help_text="Requester values, valid against the pinned version's schema.")
    lifetime_days = models.PositiveIntegerField(null=True, blank=True, editable=False,
                                                help_text="Days it lives once it exists (a dataset grant's "
                                                          "duration); empty: the version's default lifetime.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)

    class Meta:
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return f"{self.template_version.template.name}: {self.values.get('name', self.pk)}"


class ResourceChange(TimeStampedModel):
    """What a change request (kind other than ``new``) does to one existing resource."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting for approval, or for its turn
        RUNNING = "running", "Running"  # its run is queued or running
        DONE = "done", "Done"  # carried out
        FAILED = "failed", "Failed"  # its run failed; the request may be retried (or given up)

    TRANSITIONS: dict[str, set[str]] = {
        Status.PENDING: {Status.RUNNING, Status.DONE},  # done at once: an extension needs no run
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.FAILED: {Status.PENDING},  # a retry
        Status.DONE: set(),
    }

    request = models.ForeignKey(OnboardingRequest, on_delete=models.CASCADE, related_name="changes")
    resource = models.ForeignKey("inventory.ProvisionedResource", on_delete=models.PROTECT, related_name="changes")
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    values = models.JSONField(null=True, blank=True, help_text="Modify: the new values, valid against the "
                                                               "resource's template version.")
    previous_values = models.JSONField(null=True, blank=True, editable=False)
    extend_days = models.PositiveIntegerField(null=True, blank=True, help_text="Extend: days added.")
    previous_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return f"{self.request.get_kind_display()} of {self.resource}"

    @property
    def item(self):
        return self.resource.item


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for creating a request (portal.onboarding.idempotency): the same
    key from the same person answers with the same request, never a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of what was sent (canonical JSON).")
    request = models.ForeignKey(OnboardingRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_request_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.user} {self.key}"
