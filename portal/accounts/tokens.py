"""Personal access tokens: create (the secret is shown once), revoke, and find the token a client sent.

A token reads ``pat_<prefix>_<secret>``; the portal keeps the prefix (to find the row and to show in
lists) and the SHA-256 of the whole token (the secret has 256 random bits, so a fast hash is enough
and a stolen database yields no usable token). A token acts as its owner, narrowed to its scopes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from .models import PersonalAccessToken

Scope = PersonalAccessToken.Scope
ALL_SCOPES = frozenset(Scope.values)
MAX_DAYS = 366
DEFAULT_DAYS = 30
PREFIX = "pat_"
TOKEN_SHAPE = re.compile(r"pat_([0-9a-f]{1,16})_[A-Za-z0-9_-]{1,200}", re.ASCII)  # what create_token makes


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(*, user, name: str, scopes, days: int = DEFAULT_DAYS) -> tuple[PersonalAccessToken, str]:
    """A new token for ``user``; returns it with its secret text (never stored, never shown again)."""
    name = (name or "").strip()
    scopes = sorted(set(scopes or ()))
    if not name:
        raise ApplicationError("Give the token a name that says what it is for.", field="name")
    if not scopes or not set(scopes) <= ALL_SCOPES:
        raise ApplicationError(f"Choose scopes among {', '.join(sorted(ALL_SCOPES))}.", field="scopes")
    if not 1 <= int(days) <= MAX_DAYS:
        raise ApplicationError(f"A token lives 1 to {MAX_DAYS} days.", field="days")
    if PersonalAccessToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ApplicationError("You already have a token with this name; revoke it or choose another.",
                               field="name")
    prefix = secrets.token_hex(4)
    text = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = PersonalAccessToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(text),
                                               scopes=scopes, expires_at=timezone.now() + timedelta(days=int(days)))
    record_event(actor=user, verb="token.created", target=token,
                 data={"name": name, "scopes": scopes, "expires_at": token.expires_at.isoformat()})
    return token, text


@transaction.atomic
def revoke_token(*, token: PersonalAccessToken, actor) -> PersonalAccessToken:
    """Its owner, or a platform admin (a leaked token, a leaver), revokes a token; audited either way."""
    from portal.core.roles import is_platform_admin

    if token.user_id != actor.pk and not is_platform_admin(actor):
        raise PermissionDenied("Only its owner or a platform admin can revoke a token.")
    if PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        record_event(actor=actor, verb="token.revoked", target=token, data={"name": token.name})
    token.refresh_from_db()
    return token


def token_for(text: str) -> PersonalAccessToken | None:
    """The live token ``text`` is (not revoked, not expired, owner active), or None."""
    shape = TOKEN_SHAPE.fullmatch(text)
    if shape is None:  # anything else never reaches the database (a NUL byte there would be an error)
        return None
    prefix = shape.group(1)
    token = PersonalAccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(text)):
        return None
    if token.revoked_at is not None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    return token


@transaction.atomic
def record_use(token: PersonalAccessToken, *, method: str, path: str) -> None:
    """Every call made with a token is audited with the token's name."""
    now = timezone.now()
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    record_event(actor=token.user, verb="token.used", target=token,
                 data={"name": token.name, "method": method, "path": path[:300]})


def tokens_of(user):
    return PersonalAccessToken.objects.filter(user=user)
