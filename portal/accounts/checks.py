"""``manage.py check``: a directory login that is switched on must be able to work."""

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
