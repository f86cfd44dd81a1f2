"""Lifetimes (TTL): warn the owners before a resource expires, destroy it once it has.

A template version may set ``default_lifetime_days``; the resource's ``expires_at`` follows from it
and moves only through an approved extension request. Warnings go out once per threshold
(``PORTAL_EXPIRY_WARNING_DAYS``, e.g. 7 and 1 days before). The destroy of an expired resource is
queued by the fulfilment loop (``portal.onboarding.services.upkeep.destroy_expired``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.notifications.models import Event
from portal.notifications.services import notify

from .models import ProvisionedResource

Active = ProvisionedResource.Status.ACTIVE


def _owners(team) -> list:
    return list(get_user_model().objects.filter(memberships__team=team, is_active=True))


@transaction.atomic
def warn_expiring(*, now=None) -> int:
    """Send each due warning once; returns how many were sent."""
    now, sent = now or timezone.now(), 0
    for days in sorted(settings.PORTAL_EXPIRY_WARNING_DAYS):
        due = (ProvisionedResource.objects.select_for_update(of=("self",)).select_related("team", "item")
               .filter(status=Active, expires_at__gt=now, expires_at__lte=now + timedelta(days=days))
               .exclude(expiry_warned_days__lte=days))
        for resource in due:
            left = resource.expires_at - now
            when = f"{resource.expires_at:%Y-%m-%d %H:%M} UTC"
            notify(event=Event.RESOURCE_EXPIRING, team=resource.team, extra_recipients=_owners(resource.team),
                   title=f"{resource.name} expires {when}",
                   body=f"{resource.kind} {resource.name} of {resource.team} expires {when} (in "
                   f"{left.days} days {left.seconds // 3600} hours) and will then be destroyed.\n\n"
                   f"To keep it, ask for an extension on its request page.",
                   url=f"/requests/{resource.item.request_id}/",
                   data={"resource": resource.name, "expires_at": resource.expires_at.isoformat(), "days": days})
            resource.expiry_warned_days = days
            resource.save(update_fields=["expiry_warned_days", "updated_at"])
            record_event(actor=None, verb="resource.expiry_warning", target=resource.item.request,
                         data={"name": resource.name, "days": days, "expires_at": resource.expires_at.isoformat()})
            sent += 1
    return sent
