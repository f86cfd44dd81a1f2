"""Production: every secret and address from the environment; refuses to start without them.

Nothing falls back to the embedded defaults (SQLite, a file broker, localhost, a key derived from
the secret key): a missing or unusable setting stops the process with one message naming them all.
HTTPS settings are on by default and can be tuned for a TLS-terminating proxy.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .requirements import production_problems

_problems = production_problems(os.environ)
if _problems:
    raise ImproperlyConfigured(
        "The production settings (portal.settings.production) refuse to start — " + "; ".join(_problems)
        + ". Set them in the environment (README: Security → Production settings).")

from .base import *  # noqa: E402, F403
from .base import env, env_bool, logging_settings  # noqa: E402

DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The TLS-terminating proxy says the original request was HTTPS (it must overwrite this header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Plain HTTP is redirected to HTTPS; false when the proxy in front already does it.
SECURE_SSL_REDIRECT = env_bool("PORTAL_SSL_REDIRECT", True)
# HSTS: browsers use HTTPS only for this long (0 turns it off, e.g. while trying TLS out).
SECURE_HSTS_SECONDS = int(env("PORTAL_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PORTAL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PORTAL_HSTS_PRELOAD", True)
# Logs are JSON lines unless asked otherwise (PORTAL_LOG_FORMAT=text).
PORTAL_LOG_FORMAT = env("PORTAL_LOG_FORMAT", "json")
LOGGING = logging_settings(PORTAL_LOG_FORMAT, env("LOG_LEVEL", "INFO"))
