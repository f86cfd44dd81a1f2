from django.conf import settings
from django.db import models

from portal.core.models import TimeStampedModel
from portal.core.secrets import masked


class PowerState(models.TextChoices):
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"


POWER_TRANSITIONS = {PowerState.RUNNING: {PowerState.STOPPED}, PowerState.STOPPED: {PowerState.RUNNING}}


class ProvisionedResource(TimeStampedModel):
    """Something that exists in the cloud because of a request item, and who owns it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DESTROYED = "destroyed", "Destroyed"

    class DriftStatus(models.TextChoices):  # set by drift checks and reconciles (portal.inventory.drift)
        NONE = "none", "Not checked yet"
        IN_SYNC = "in_sync", "In sync"  # the last check found the cloud as declared
        DRIFTED = "drifted", "Drifted"  # the cloud differs from the declared values (drift_summary says how)
        ACCEPTED = "accepted", "Drift accepted"  # the team keeps this drift; a different one is flagged again

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
    drift_status = models.CharField(max_length=20, choices=DriftStatus.choices, default=DriftStatus.NONE,
                                    editable=False)
    # PlanSummary.as_dict() of the check that found the drift, with attribute changes (sensitive values masked).
    drift_summary = models.JSONField(null=True, blank=True, editable=False)
    drift_detected_at = models.DateTimeField(null=True, blank=True, editable=False)
    drift_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", editable=False)
    drift_accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Machines only: the instance state they declare (set by power runs: idle stops, office hours, the team's
    # stop/start); every later apply, reconcile and drift check declares it too.
    power_state = models.CharField(max_length=10, choices=PowerState.choices, default=PowerState.RUNNING,
                                   editable=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def display_outputs(self) -> dict:
        return masked(self.outputs)
