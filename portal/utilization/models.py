"""Measured use of machines: hourly samples, the admins' idle policies, and each machine's idle/keep/schedule state."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class IdlePolicy(models.Model):
    """When a machine counts as idle, and how long its owners have before the portal stops it.
    The first active policy for a machine's kind applies."""

    class Metric(models.TextChoices):
        GPU = "gpu", "GPU utilization"
        CPU = "cpu", "CPU utilization"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, default="gpu_vm", help_text="Resource kind: gpu_vm or cpu_vm.")
    metric = models.CharField(max_length=10, choices=Metric.choices, default=Metric.GPU)
    percentile = models.PositiveSmallIntegerField(
        default=95, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Idle when this percentile of the hourly averages …")
    threshold_percent = models.FloatField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="… stays below this utilization …")
    window_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1)],
        help_text="… over this many hours (with data for at least 90 % of them).")
    grace_hours = models.PositiveIntegerField(
        default=24, help_text="Owners are warned; the machine is stopped after this.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name_plural = "idle policies"

    def __str__(self) -> str:
        return (f"{self.name}: {self.get_metric_display()} p{self.percentile} < {self.threshold_percent:g} % "
                f"for {self.window_hours} h")


class UsageSample(models.Model):
    """One hour of a machine's measured use (averages, percent)."""

    resource = models.ForeignKey("inventory.ProvisionedResource", on_delete=models.CASCADE, related_name="usage")
    hour = models.DateTimeField()
    cpu = models.FloatField(null=True, blank=True)
    gpu = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["resource", "hour"]
        constraints = [models.UniqueConstraint(fields=["resource", "hour"], name="one_sample_per_hour")]

    def __str__(self) -> str:
        return f"{self.resource_id} at {self.hour:%Y-%m-%d %H}:00"


class MachineUse(models.Model):
    """A machine's idle state, what its owners decided about it, and its schedule."""

    class Schedule(models.TextChoices):
        ALWAYS = "always", "Always on"
        OFFICE_HOURS = "office_hours", "Office hours (stopped at night and at weekends)"

    resource = models.OneToOneField("inventory.ProvisionedResource", on_delete=models.CASCADE,
                                    related_name="machine_use")
    idle_since = models.DateTimeField(null=True, blank=True, help_text="Start of the idle window that flagged it.")
    stop_due_at = models.DateTimeField(null=True, blank=True, help_text="When the portal stops it if still idle.")
    keep_until = models.DateTimeField(null=True, blank=True)
    keep_reason = models.CharField(max_length=300, blank=True)
    keep_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    schedule = models.CharField(max_length=20, choices=Schedule.choices, default=Schedule.ALWAYS)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"use of {self.resource}"
