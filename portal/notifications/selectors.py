"""Reads for the notification pages and the top bar."""

from .models import PERSONAL_EVENTS, Notification, Preference, WebhookDelivery


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user):
    return Notification.objects.filter(recipient=user).select_related("team").order_by("-created_at", "-id")


def preferences_of(user) -> dict[str, Preference]:
    """Every event with the person's choice (an unsaved default when they chose nothing)."""
    chosen = {p.event: p for p in Preference.objects.filter(user=user)}
    return {event: chosen.get(event) or Preference(user=user, event=event) for event in PERSONAL_EVENTS}


def deliveries_of(team):
    return WebhookDelivery.objects.filter(webhook__team=team).select_related("webhook").order_by("-created_at", "-id")
