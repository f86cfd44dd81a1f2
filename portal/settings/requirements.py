"""What production settings need from the environment, checked before anything else is loaded."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

REQUIRED = {
    "DJANGO_SECRET_KEY": "signs sessions and CSRF tokens",
    "DATABASE_URL": "PostgreSQL (else a SQLite file)",
    "DJANGO_ALLOWED_HOSTS": "the host names the portal answers to (else localhost only)",
    "REDIS_URL": "the Celery broker (else a broker in local files no second host sees)",
    "PORTAL_SECRETS_KEY": "the Fernet key sensitive outputs are encrypted with",
    "PORTAL_BASE_URL": "the portal's public URL, for links in e-mails (else 127.0.0.1)",
}
INSECURE_KEY_PREFIXES = ("django-insecure", "insecure-")


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """Every reason the environment is not enough for production (empty: it is)."""
    missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
    problems = [f"not set: {', '.join(f'{name} ({REQUIRED[name]})' for name in missing)}"] if missing else []
    key = environ.get("DJANGO_SECRET_KEY", "").strip()
    if key and (len(key) < 50 or len(set(key)) < 5 or key.startswith(INSECURE_KEY_PREFIXES)):
        problems.append("DJANGO_SECRET_KEY is too weak: use at least 50 random characters")
    fernet_key = environ.get("PORTAL_SECRETS_KEY", "").strip()
    if fernet_key and not _is_fernet_key(fernet_key):
        problems.append("PORTAL_SECRETS_KEY is not a Fernet key (make one with: python -c \"from "
                        "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\")")
    return problems


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False
