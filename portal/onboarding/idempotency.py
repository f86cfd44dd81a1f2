"""Creating a request at most once per ``Idempotency-Key``: the key is stored per person with a hash
of what was sent and the request it created, inside the transaction that creates the request. Two
concurrent calls with one key meet at the unique constraint: the second waits for the first, then
answers with its request (or, if the first failed, creates it itself)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.core.errors import ApplicationError, Conflict

from .models import IdempotencyKey, OnboardingRequest

MAX_KEY_LENGTH = 100


def check_key(key: str) -> str:
    """The key as given, or a refusal: 1–100 visible ASCII characters."""
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise ApplicationError(f"An Idempotency-Key is 1–{MAX_KEY_LENGTH} visible ASCII characters (no spaces).")
    return key


def fingerprint(body) -> str:
    """SHA-256 of ``body`` as canonical JSON (key order and spacing do not matter)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def create_once(*, user, key: str, body_hash: str,
                create: Callable[[], OnboardingRequest]) -> tuple[OnboardingRequest, bool]:
    """``(request, created)``: the request ``create()`` makes, or the one made earlier with this key
    and the same body (``created`` False). The same key with another body is a Conflict."""
    check_key(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, body_hash=body_hash)
        except IntegrityError:
            return _earlier(user, key, body_hash), False
        request = create()
        record.request = request
        record.save(update_fields=["request"])
    return request, True


def purge_old_keys(*, now=None) -> int:
    """Forget keys older than ``PORTAL_IDEMPOTENCY_KEY_DAYS`` (a client retries within minutes; the request
    they made stays). How many were forgotten."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PORTAL_IDEMPOTENCY_KEY_DAYS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _earlier(user, key: str, body_hash: str) -> OnboardingRequest:
    record = IdempotencyKey.objects.select_related("request").get(user=user, key=key)
    if record.body_hash != body_hash:
        raise Conflict("This Idempotency-Key was used with another body; use a new key for a new request.")
    if record.request is None:  # cannot happen: the key is stored with its request in one transaction
        raise Conflict("The request made with this Idempotency-Key is still being created; try again.")
    return record.request
