"""The portal's own passwords switched off (``PORTAL_LOCAL_LOGIN=false``).

``NoPasswordBackend`` takes ModelBackend's place in ``AUTHENTICATION_BACKENDS``: it still loads the
logged-in user and answers permission checks (the "Portal admins" group, a user's own permissions) for
every login source, but never checks a password, so a local password is refused by the server (the
login page, the admin's login form, anything calling ``authenticate``) whatever the form shows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class NoPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None


def password_login_enabled() -> bool:
    """Whether the login page takes a username and password at all (local or directory accounts)."""
    return settings.PORTAL_LOCAL_LOGIN or settings.PORTAL_LDAP_LOGIN
