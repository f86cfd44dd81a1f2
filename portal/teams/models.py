from django.conf import settings
from django.db import models

from portal.core.models import TimeStampedModel


class Team(TimeStampedModel):
    class Kind(models.TextChoices):
        MODELLING = "modelling", "Modelling team"  # requests resources
        STEERING = "steering", "Steering team"  # approves stages of requests

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MODELLING)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Quota(TimeStampedModel):
    """What a team may hold at once (approved, provisioning and active items); empty = no limit."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="quota")
    max_gpus = models.PositiveIntegerField(null=True, blank=True, help_text="GPUs in VMs and cluster GPU nodes "
                                           "(counted at the node groups' maximum size).")
    max_vms = models.PositiveIntegerField(null=True, blank=True, help_text="CPU and GPU virtual machines.")
    max_clusters = models.PositiveIntegerField(null=True, blank=True, help_text="Kubernetes clusters.")
    max_monthly_usd = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                          help_text="Estimated monthly cost in US dollars (730 h a month).")

    def __str__(self) -> str:
        return f"Quota of {self.team}"
