"""What people and teams hear: in-app notifications, each person's choices, team webhooks and their deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.TextChoices):
    """Things worth telling a requester and their team about."""

    REQUEST_ACTIVE = "request.active", "A request is active"
    REQUEST_FAILED = "request.failed", "A request failed"
    REQUEST_CLEANED_UP = "request.cleaned_up", "What a failed request created was cleaned up"
    REQUEST_DECOMMISSIONED = "request.decommissioned", "A request's resources were decommissioned"
    STAGE_DECIDED = "stage.decided", "A steering team decided a stage"
    STAGE_WAITING = "stage.waiting", "A request waits for the team's decision (new, due soon, overdue)"
    RESOURCE_EXPIRING = "resource.expiring", "A resource expires soon"
    RESOURCE_IDLE = "resource.idle", "A machine is idle (and will be stopped)"
    ACCESS_REVIEW = "dataset.access_review", "An access review of a dataset is due"


# Told to a team's webhooks only: the people of a steering team hear of a waiting request by their approver
# e-mails (portal.approvals.notifications), so it is not a choice on anyone's preferences.
WEBHOOK_ONLY_EVENTS = frozenset({Event.STAGE_WAITING})
PERSONAL_EVENTS = tuple(event for event in Event.values if event not in WEBHOOK_ONLY_EVENTS)


class Audience(models.TextChoices):
    """Whose events reach a person on a channel."""

    OFF = "off", "Never"
    MINE = "mine", "My requests"
    TEAM = "team", "My team's requests"


# What a person hears when they chose nothing: e-mail for their own requests, the in-app list for the team's.
DEFAULT_EMAIL, DEFAULT_IN_APP = Audience.MINE, Audience.TEAM


class Notification(models.Model):
    """One line in a person's in-app list."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=40, choices=Event.choices)
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True, help_text="Where to look (a path in the portal).")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A person's choice for one event: who it reaches them for, by e-mail and in the app."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(max_length=40, choices=Event.choices)
    email = models.CharField(max_length=10, choices=Audience.choices, default=DEFAULT_EMAIL)
    in_app = models.CharField(max_length=10, choices=Audience.choices, default=DEFAULT_IN_APP)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")]

    def __str__(self) -> str:
        return f"{self.user}: {self.event}"


class TeamWebhook(models.Model):
    """A team's endpoint for its events: Slack/Teams-compatible text, or JSON signed with a shared secret."""

    class Format(models.TextChoices):
        TEXT = "text", "Chat text (Slack / Microsoft Teams incoming webhook)"
        SIGNED_JSON = "signed_json", "Signed JSON (HMAC-SHA256)"

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=80)
    url = models.URLField(max_length=500)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.TEXT)
    events = models.JSONField(default=list, help_text="Event names; empty: every event.")
    secret = models.JSONField(null=True, blank=True, editable=False, help_text="Sealed signing secret.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event posted (or being posted) to one webhook: the log a team reads."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # queued, or waiting for its next attempt
        DELIVERED = "delivered", "Delivered"  # the endpoint answered 2xx
        FAILED = "failed", "Failed"  # every attempt failed (or the URL is refused)

    TRANSITIONS = {
        Status.PENDING: {Status.DELIVERED, Status.FAILED},
        Status.DELIVERED: set(),
        Status.FAILED: set(),
    }

    webhook = models.ForeignKey(TeamWebhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"
