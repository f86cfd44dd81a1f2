"""``manage.py check``: a directory login or single sign-on that is switched on must be able to work."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def check_directory_login(app_configs, **kwargs):
    if not settings.PORTAL_LDAP_LOGIN:
        return []
    try:
        import django_auth_ldap  # noqa: F401
    except ImportError:
        return [checks.Error("PORTAL_LDAP_LOGIN is on but django-auth-ldap is not installed.",
                             hint='pip install -e ".[ldap-login]" (needs libldap2-dev and libsasl2-dev).',
                             id="accounts.E001")]
    from provisioning.directory import InvalidDirectoryConfig

    from .backends import login_config

    if not settings.PORTAL_DIRECTORY.get("server_uri"):
        return [checks.Error("PORTAL_LDAP_LOGIN is on but no directory is configured.",
                             hint="Set PORTAL_DIRECTORY_URI and the other PORTAL_DIRECTORY_* settings.",
                             id="accounts.E002")]
    try:
        login_config()
    except (InvalidDirectoryConfig, TypeError) as error:
        return [checks.Error(f"PORTAL_LDAP_LOGIN is on but the directory settings are unusable: {error}",
                             id="accounts.E003")]
    return []


@checks.register(checks.Tags.security)
def check_single_sign_on(app_configs, **kwargs):
    """Single sign-on that is switched on must be complete, and somebody must be able to log in at all."""
    problems = []
    if settings.PORTAL_OIDC:
        missing = [name for name, value in (("PORTAL_OIDC_CLIENT_ID", settings.OIDC_RP_CLIENT_ID),
                                            ("PORTAL_OIDC_CLIENT_SECRET", settings.OIDC_RP_CLIENT_SECRET)) if not value]
        if missing:
            problems.append(checks.Error(f"PORTAL_OIDC_ISSUER is set but {' and '.join(missing)} not.",
                                         hint="Register the portal at the provider (README: Single sign-on).",
                                         id="accounts.E004"))
        host = urlsplit(settings.PORTAL_OIDC_ISSUER).hostname or ""
        if urlsplit(settings.PORTAL_OIDC_ISSUER).scheme != "https" and host not in ("127.0.0.1", "localhost", "::1"):
            problems.append(checks.Warning("PORTAL_OIDC_ISSUER is not an https:// URL: tokens and the client secret "
                                           "would cross the network in clear.", id="accounts.W001"))
        if "openid" not in settings.OIDC_RP_SCOPES.split():
            problems.append(checks.Error("PORTAL_OIDC_SCOPES must include openid.", id="accounts.E005"))
    if not (settings.PORTAL_LOCAL_LOGIN or settings.PORTAL_LDAP_LOGIN or settings.PORTAL_OIDC):
        problems.append(checks.Error("PORTAL_LOCAL_LOGIN is off and neither single sign-on nor the directory login "
                                     "is on: nobody can log in.", id="accounts.E006"))
    return problems
