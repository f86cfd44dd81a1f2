from django.db import models

from portal.core.models import TimeStampedModel


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
    outputs = models.JSONField(default=dict, blank=True)  # sensitive outputs are stored masked
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, editable=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
