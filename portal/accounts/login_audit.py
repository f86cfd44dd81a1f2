"""Failed logins and lockouts in the audit trail: the username tried and the client's address, never
the password. The address is the one django-axes keys its lockout by (``PORTAL_PROXY_COUNT``)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model

from portal.audit.services import record_event

USERNAME_LIMIT = 150  # what the username field holds; anything longer is cut, not stored whole


def _tried(credentials: dict | None) -> tuple[str, object | None]:
    user_model = get_user_model()
    username = str((credentials or {}).get(user_model.USERNAME_FIELD) or "")[:USERNAME_LIMIT]
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first() if username else None
    return username, user


def record_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: one ``login.failed`` event about the account tried (or no object)."""
    username, user = _tried(credentials)
    record_event(actor=None, verb="login.failed", target=user, data={
        "username": username, "ip": get_client_ip_address(request) if request is not None else None,
        "locked_out": bool(getattr(request, "axes_locked_out", False)),
    })


def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes' ``user_locked_out``: the moment a username+address pair is locked out."""
    username, user = _tried({get_user_model().USERNAME_FIELD: username})
    record_event(actor=None, verb="login.locked_out", target=user, data={"username": username, "ip": ip_address})


SINGLE_SIGN_ON = "single sign-on"


def record_sso_login(request, user) -> None:
    """A successful single sign-on: ``login.succeeded`` about the person (never a token)."""
    from django.conf import settings

    record_event(actor=user, verb="login.succeeded", target=user, data={
        "username": user.username, "ip": get_client_ip_address(request), "via": SINGLE_SIGN_ON,
        "issuer": settings.PORTAL_OIDC_ISSUER})


def record_sso_failure(request, *, reason: str, username: str = "") -> None:
    """A single sign-on refused or broken off: ``login.failed`` with the reason's code (and the account,
    when the provider had said who it was)."""
    username, user = _tried({get_user_model().USERNAME_FIELD: username})
    record_event(actor=None, verb="login.failed", target=user, data={
        "username": username, "ip": get_client_ip_address(request), "via": SINGLE_SIGN_ON, "reason": reason,
        "locked_out": False})
