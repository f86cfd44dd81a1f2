from django.db import models

from portal.core.models import TimeStampedModel
from portal.core.secrets import masked


class ProvisionedResource(TimeStampedModel):
    """Something that exists in the cloud because of a request item, and who owns it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DESTROYED = "destroyed", "Destroyed"

    item = models.OneToOneField("onboarding.RequestItem", on_delete=models.PROTECT, related_name="resource")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="resources")
    template_version = models.ForeignKey("catalog.TemplateVersion", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    # Sensitive outputs are sealed (Fernet, see portal.core.secrets); show ``display_outputs``.
    outputs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="End of its lifetime (TTL); none if unset.")
    expiry_warned_days = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The last expiry warning sent (days before expiry).")
    last_drift_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def display_outputs(self) -> dict:
        return masked(self.outputs)
