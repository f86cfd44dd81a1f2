"""Datasets with owners: a bucket (or a prefix of one), the team that owns it, the person who answers for it,
its classification and retention, and the access other teams were granted to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portal.core.models import TimeStampedModel
from portal.onboarding.models import DataClassification

# Stricter classes come later: a class "exceeds" another when its rank is higher.
CLASS_RANK = {DataClassification.PUBLIC: 0, DataClassification.INTERNAL: 1, DataClassification.CONFIDENTIAL: 2,
              DataClassification.RESTRICTED: 3}


class RetentionAction(models.TextChoices):
    DELETE = "delete", "Delete"  # objects older than the retention are deleted (the bucket's lifecycle rule)
    ANONYMISE = "anonymise", "Anonymise"  # the owning team's job anonymises them; the portal records the promise


class Dataset(TimeStampedModel):
    """Data in a bucket the portal created (``bucket_resource``) or in an existing bucket an admin
    registered (``bucket`` only), under ``prefix`` (empty: the whole bucket)."""

    name = models.SlugField(max_length=80, unique=True, help_text="Lowercase letters, digits and hyphens.")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="datasets",
                             help_text="The owning team.")
    data_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_datasets",
                                   help_text="The member of the owning team who answers for the data and decides "
                                             "access requests.")
    bucket_resource = models.ForeignKey("inventory.ProvisionedResource", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="datasets",
                                        help_text="The portal-made bucket; empty for an existing bucket.")
    bucket = models.CharField(max_length=63, help_text="The S3 bucket's name.")
    prefix = models.CharField(max_length=200, blank=True, help_text="e.g. raw/claims/ ; empty: the whole bucket.")
    classification = models.CharField(max_length=20, choices=DataClassification.choices,
                                      default=DataClassification.INTERNAL)
    description = models.TextField(blank=True)
    schema_notes = models.TextField(blank=True)
    quality_notes = models.TextField(blank=True)
    retention_days = models.PositiveIntegerField(default=0, help_text="0: kept until someone deletes it.")
    retention_action = models.CharField(max_length=20, choices=RetentionAction.choices,
                                        default=RetentionAction.DELETE)
    last_reviewed = models.DateField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["bucket", "prefix"], name="one_dataset_per_bucket_prefix")]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class Access(models.TextChoices):
    READ = "read", "Read"
    READ_WRITE = "read_write", "Read and write"


class AccessRequest(TimeStampedModel):
    """A team asked for access to a dataset. The ask is an OnboardingRequest (routed to the data owner and,
    by class, InfoSec); its one item is the grant (Terraform module ``dataset_grant``), which lives as long
    as asked and is destroyed at expiry. Where it stands is read from the request and the grant's
    resource — this row holds no status of its own."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="access_requests")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="dataset_access_requests",
                             help_text="The team asking.")
    request = models.OneToOneField("onboarding.OnboardingRequest", on_delete=models.PROTECT,
                                   related_name="dataset_access")
    access = models.CharField(max_length=20, choices=Access.choices)
    purpose = models.TextField()
    days = models.PositiveIntegerField(help_text="How long the grant lives once applied.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.team} → {self.dataset} ({self.access})"


class AccessReviewSchedule(models.Model):
    """How often data owners review who holds access to their datasets (one row; admins edit it)."""

    every_months = models.PositiveSmallIntegerField(default=3, help_text="A review per dataset with grants every "
                                                                          "this many months (3: quarterly).")
    deadline_days = models.PositiveSmallIntegerField(default=14, help_text="Days the data owner has to decide.")
    remind_days_before = models.PositiveSmallIntegerField(default=3, help_text="A reminder this many days before "
                                                                               "the deadline.")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "access review schedule"

    def __str__(self) -> str:
        return f"Access reviews every {self.every_months} months"

    @classmethod
    def current(cls) -> AccessReviewSchedule:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class AccessReview(TimeStampedModel):
    """The data owner's periodic look at every grant on one dataset: keep or revoke each."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"  # entries wait for the owner's decision
        COMPLETED = "completed", "Completed"  # every entry decided

    TRANSITIONS: dict[str, set[str]] = {Status.OPEN: {Status.COMPLETED}, Status.COMPLETED: set()}

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 editable=False, help_text="The data owner when it opened.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, editable=False)
    due_at = models.DateTimeField(editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Access review #{self.pk} of {self.dataset}"


class ReviewEntry(TimeStampedModel):
    """One grant in a review, and what the data owner decided about it."""

    class Status(models.TextChoices):
        PENDING = "pending", "To decide"
        KEPT = "kept", "Kept"
        REVOKED = "revoked", "Revoked"  # its lifetime ended now; the grant's destroy was queued

    TRANSITIONS: dict[str, set[str]] = {Status.PENDING: {Status.KEPT, Status.REVOKED}, Status.KEPT: set(),
                                        Status.REVOKED: set()}

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="entries")
    access_request = models.ForeignKey(AccessRequest, on_delete=models.PROTECT, related_name="review_entries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    comment = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "access_request"], name="one_entry_per_grant")]

    def __str__(self) -> str:
        return f"{self.access_request} in {self.review}"


class LifecycleChange(TimeStampedModel):
    """The data owner asked to change a dataset's classification or retention. The ask is an OnboardingRequest
    of kind ``dataset_change`` (reviewed by InfoSec when the data becomes confidential or restricted, else by the
    default steering team); approved, the dataset takes these values (``applied_at``)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="lifecycle_changes")
    request = models.OneToOneField("onboarding.OnboardingRequest", on_delete=models.PROTECT,
                                   related_name="dataset_change")
    classification = models.CharField(max_length=20, choices=DataClassification.choices)
    retention_days = models.PositiveIntegerField()
    retention_action = models.CharField(max_length=20, choices=RetentionAction.choices)
    previous = models.JSONField(default=dict, editable=False, help_text="The values when it was asked.")
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Change of {self.dataset} (#{self.request_id})"
