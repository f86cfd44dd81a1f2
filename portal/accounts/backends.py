"""Logging in with the directory's username and password (``PORTAL_LDAP_LOGIN``), via django-auth-ldap.

The connection comes from the same ``PORTAL_DIRECTORY`` settings the directory engine uses (server,
service account, users' base DN, flavour defaults for the username attribute and the people
filter); ``AUTH_LDAP_*`` settings, when present, still override any of it. At each login the user's
name and email are copied from the directory and their groups are mapped to portal roles
(``identity_roles``). A directory that cannot be reached is noted on the request, so the login
page can say so instead of "wrong password"; ModelBackend (after this one) still logs local
accounts in.
"""

from __future__ import annotations

import logging

import ldap
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPSearch, NestedMemberDNGroupType

from provisioning.directory import DirectoryConfig

from .forms import DIRECTORY_REFUSED, DIRECTORY_UNAVAILABLE
from .identity_roles import apply_directory_roles

log = logging.getLogger(__name__)

# python-ldap's "not now" errors; anything else is a configuration problem an admin must fix.
_TRANSIENT = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.BUSY, ldap.UNAVAILABLE,
              ldap.TIMELIMIT_EXCEEDED)


def login_config() -> DirectoryConfig:
    """The directory settings, validated, with the flavour's defaults filled in (an empty bind DN: anonymous)."""
    options = {k: v for k, v in settings.PORTAL_DIRECTORY.items()
               if v not in (None, "") or k in ("bind_dn", "bind_password")}
    return DirectoryConfig(**options)


def login_settings(config: DirectoryConfig) -> dict:
    """django-auth-ldap's settings (without the AUTH_LDAP_ prefix) for this directory."""
    group_class = "group" if config.flavour == "ad" else "groupOfNames"
    user_filter = str(config.user_filter).replace("%", "%%")  # the search fills in %(user)s
    options = {
        ldap.OPT_NETWORK_TIMEOUT: config.connect_timeout,  # opening the connection
        ldap.OPT_TIMEOUT: config.receive_timeout,  # each answer: a hung server is an outage, not a hang
        ldap.OPT_REFERRALS: 0,  # never follow a referral to another server with the user's password
    }
    if config.server_uri.startswith("ldaps://") or config.start_tls:
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        if config.ca_certs_file:
            options[ldap.OPT_X_TLS_CACERTFILE] = config.ca_certs_file
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # must come last: applies the TLS options above
    return {
        "SERVER_URI": config.server_uri,
        "START_TLS": config.start_tls,
        "BIND_DN": config.bind_dn,
        "BIND_PASSWORD": config.bind_password,
        "CONNECTION_OPTIONS": options,
        "USER_SEARCH": LDAPSearch(config.users_base_dn, ldap.SCOPE_SUBTREE,
                                  f"(&{user_filter}({config.username_attribute}=%(user)s))"),
        "USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": config.email_attribute},
        "ALWAYS_UPDATE_USER": True,
        "GROUP_SEARCH": LDAPSearch(settings.PORTAL_LDAP_LOGIN_GROUPS_DN or config.groups_base_dn,
                                   ldap.SCOPE_SUBTREE, f"(objectClass={group_class})"),
        "GROUP_TYPE": NestedMemberDNGroupType(member_attr="member", name_attr="cn"),  # groups in groups count
    }


class DirectoryLoginBackend(LDAPBackend):
    """django-auth-ldap configured from ``PORTAL_DIRECTORY``, mapping groups to roles at each login."""

    @property
    def default_settings(self) -> dict:  # type: ignore[override]
        return login_settings(login_config())

    def authenticate(self, request, username=None, password=None, **kwargs):
        self.login_request = request  # one backend instance per authenticate() call
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        try:
            group_dns, group_names = ldap_user.group_dns, ldap_user.group_names
        except ldap.LDAPError as error:  # the directory went away between the bind and the group search
            log.warning("directory login of %s: could not read the groups: %r", user.username, error)
            _note_problem(sender=type(self), context="group_search", user=user,
                          request=getattr(self, "login_request", None), exception=error)
            return None
        apply_directory_roles(user=user, group_dns=group_dns, group_names=group_names)
        return user


def _note_problem(sender, context, user, request, exception, **kwargs) -> None:
    """Remember on the request that the directory failed, for the login form's message."""
    if request is not None:
        transient = isinstance(exception, _TRANSIENT)
        request.directory_login_problem = DIRECTORY_UNAVAILABLE if transient else DIRECTORY_REFUSED


ldap_error.connect(_note_problem, sender=DirectoryLoginBackend, dispatch_uid="accounts.directory_login_problem")
