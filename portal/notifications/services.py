"""Telling people and teams: one ``notify`` for every event (in-app list, e-mail, team webhooks), each
person's choices, team webhooks and the attempts of their deliveries."""

from __future__ import annotations

import logging
import secrets as token_secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.secrets import seal, unseal
from portal.core.transitions import transition

from . import delivery
from .models import (
    DEFAULT_EMAIL,
    DEFAULT_IN_APP,
    Audience,
    Event,
    Notification,
    Preference,
    TeamWebhook,
    WebhookDelivery,
)
from .permissions import can_manage_webhooks

log = logging.getLogger(__name__)
Delivered, Failed = WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED


def absolute(url: str) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def notify(*, event: str, team, title: str, body: str = "", url: str = "", requester=None, data: dict | None = None,
           extra_recipients=()) -> list[Notification]:
    """Tell ``requester`` and ``team``'s members about ``event``, each as they chose (in-app rows now, in
    this transaction; e-mails and webhook posts once it commits), and post it to the team's webhooks.
    ``extra_recipients`` hear it as if it were their own request (e.g. the owners warned of an expiry)."""
    Event(event)  # an unknown event is a programming error
    people = {}
    if team is not None:
        for user in get_user_model().objects.filter(memberships__team=team, is_active=True):
            people[user.pk] = (user, False)
    for user in [requester, *extra_recipients]:
        if user is not None and user.is_active:
            people[user.pk] = (user, True)
    chosen = {p.user_id: p for p in Preference.objects.filter(user_id__in=people, event=event)}
    rows, mail_to = [], []
    for pk, (user, own) in sorted(people.items()):
        preference = chosen.get(pk)
        if _reaches(preference.in_app if preference else DEFAULT_IN_APP, own):
            rows.append(Notification(recipient=user, event=event, team=team, title=title[:200], body=body, url=url))
        if user.email and _reaches(preference.email if preference else DEFAULT_EMAIL, own):
            mail_to.append(user.email)
    created = Notification.objects.bulk_create(rows)
    if mail_to:
        text = f"{body}\n\n{absolute(url)}" if url else body
        transaction.on_commit(partial(deliver_mail, f"[Portal] {title}", text, sorted(set(mail_to))))
    if team is not None:
        _post_to_webhooks(team=team, event=event, title=title, body=body, url=url, data=data or {})
    return created


def _reaches(audience: str, own: bool) -> bool:
    return audience == Audience.TEAM or (audience == Audience.MINE and own)


def deliver_mail(subject: str, body: str, addresses: list[str]) -> None:
    """One message per address (nobody sees the others); run after the write commits."""
    try:
        get_connection().send_messages([EmailMessage(subject, body, to=[address]) for address in addresses])
    except Exception:  # the write is committed; a mail server hiccup must not turn it into a 500
        log.exception("could not send %r to %d people", subject, len(addresses))


# -- in-app list -----------------------------------------------------------------------------------------------
def mark_read(*, user, ids=None) -> int:
    """Mark ``user``'s notifications (those of ``ids``, or all) read; how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_preferences(*, user, choices: dict[str, tuple[str, str]], actor) -> None:
    """``choices``: event → (e-mail audience, in-app audience)."""
    if actor.pk != user.pk:
        raise PermissionDenied("People choose their own notifications.")
    for event, (email, in_app) in choices.items():
        Event(event), Audience(email), Audience(in_app)
        Preference.objects.update_or_create(user=user, event=event, defaults={"email": email, "in_app": in_app})
    record_event(actor=actor, verb="notifications.preferences_changed", target=user,
                 data={event: {"email": e, "in_app": i} for event, (e, i) in sorted(choices.items())})


# -- team webhooks ---------------------------------------------------------------------------------------------
@transaction.atomic
def create_webhook(*, team, name: str, url: str, format: str, events: list[str],
                   actor) -> tuple[TeamWebhook, str | None]:
    """A new webhook of ``team``; with a signed format also its secret (returned once, stored sealed)."""
    if not can_manage_webhooks(actor, team):
        raise PermissionDenied("Only the team's leads or a platform admin can change its webhooks.")
    try:
        delivery.check_url(url, allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE)
    except delivery.WebhookRefused as refused:
        raise ApplicationError(str(refused), field="url") from None
    except delivery.WebhookFailed:
        pass  # a host that does not resolve now may later; its deliveries will say
    for event in events:
        Event(event)
    secret = token_secrets.token_urlsafe(32) if format == TeamWebhook.Format.SIGNED_JSON else None
    webhook = TeamWebhook.objects.create(team=team, name=name, url=url, format=format, events=sorted(events),
                                         secret=seal(secret) if secret else None, created_by=actor)
    record_event(actor=actor, verb="webhook.created", target=team,
                 data={"webhook": webhook.pk, "name": name, "url": url, "format": format, "events": sorted(events)})
    return webhook, secret


@transaction.atomic
def delete_webhook(*, webhook: TeamWebhook, actor) -> None:
    if not can_manage_webhooks(actor, webhook.team):
        raise PermissionDenied("Only the team's leads or a platform admin can change its webhooks.")
    record_event(actor=actor, verb="webhook.deleted", target=webhook.team,
                 data={"webhook": webhook.pk, "name": webhook.name, "url": webhook.url})
    webhook.delete()


def post_to_team_webhooks(*, team, event: str, title: str, body: str = "", url: str = "",
                          data: dict | None = None) -> None:
    """Post ``event`` to the team's webhooks only (no in-app row, no e-mail): e.g. a steering team's chat
    hears that a request waits for it, while its people get their own e-mails."""
    Event(event)
    _post_to_webhooks(team=team, event=event, title=title, body=body, url=url, data=data or {})


def _post_to_webhooks(*, team, event: str, title: str, body: str, url: str, data: dict) -> None:
    from .tasks import deliver_webhook_task

    for webhook in team.webhooks.filter(is_active=True):
        if not webhook.wants(event):
            continue
        if webhook.format == TeamWebhook.Format.TEXT:
            link = f" <{absolute(url)}>" if url else ""
            payload = {"text": f"*{title}*{link}\n{body}".strip()}
        else:
            payload = {"event": event, "team": team.slug, "title": title, "body": body,
                       "url": absolute(url) if url else "", "data": data, "sent_at": timezone.now().isoformat()}
        row = WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
        transaction.on_commit(partial(deliver_webhook_task.delay, row.pk))


def attempt_delivery(*, delivery_pk: int) -> float | None:
    """Post one pending delivery once. Returns the seconds until the next attempt when it should be retried,
    else None (delivered, failed for good, or not pending any more)."""
    row = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_pk).first()
    if row is None or row.status != WebhookDelivery.Status.PENDING:
        return None
    webhook, attempts = row.webhook, row.attempts + 1
    try:
        delivery.check_url(webhook.url, allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE)
        status = delivery.post(webhook.url, row.payload, secret=unseal(webhook.secret) if webhook.secret else None,
                               timeout=settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS, event=row.event, delivery=str(row.pk))
    except delivery.WebhookRefused as refused:
        _end(row, Failed, attempts=attempts, error=str(refused))
        return None
    except delivery.WebhookFailed as failure:
        if attempts >= settings.PORTAL_WEBHOOK_MAX_ATTEMPTS:
            _end(row, Failed, attempts=attempts, error=str(failure), response_code=failure.status)
            return None
        wait = settings.PORTAL_WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1)
        WebhookDelivery.objects.filter(pk=row.pk, status=WebhookDelivery.Status.PENDING).update(
            attempts=attempts, error=str(failure), response_code=failure.status,
            next_attempt_at=timezone.now() + timedelta(seconds=wait), updated_at=timezone.now())
        return wait
    _end(row, Delivered, attempts=attempts, response_code=status, error="", delivered_at=timezone.now())
    return None


def resend_stalled_deliveries(*, now=None, limit: int = 200) -> list[int]:
    """Send again the pending deliveries whose task was lost (a broker or worker gone with the message): those
    due more than ``PORTAL_WEBHOOK_STALL_SECONDS`` ago. Each is claimed by a conditional update (one sender
    wins); a message that was only late may post twice, so receivers dedupe on ``X-Portal-Delivery``."""
    from django.db.models import Q

    from .tasks import deliver_webhook_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PORTAL_WEBHOOK_STALL_SECONDS)
    due = WebhookDelivery.objects.filter(Q(next_attempt_at__lt=stale) | Q(next_attempt_at__isnull=True,
                                                                         created_at__lt=stale),
                                         status=WebhookDelivery.Status.PENDING).order_by("pk")
    sent = []
    for row in due[:limit]:
        claimed = WebhookDelivery.objects.filter(pk=row.pk, status=WebhookDelivery.Status.PENDING,
                                                 next_attempt_at=row.next_attempt_at).update(next_attempt_at=now)
        if claimed:
            transaction.on_commit(partial(deliver_webhook_task.delay, row.pk))
            sent.append(row.pk)
    if sent:
        log.warning("webhook deliveries sent again (their task was lost): %s", sent)
    return sent


def _end(row: WebhookDelivery, to: str, **fields) -> None:
    with transaction.atomic():
        transition(row, to, transitions=WebhookDelivery.TRANSITIONS, actor=None, verb=f"webhook.{to}",
                   target=row.webhook.team, data={"delivery": row.pk, "event": row.event, "webhook": row.webhook.name,
                                                  "attempts": fields.get("attempts"), "error": fields.get("error", "")},
                   strict=False, next_attempt_at=None, **fields)
