"""Sealing sensitive values (e.g. Terraform outputs marked ``sensitive``) for storage at rest.

A sealed value is ``{"sealed": "<Fernet token>"}`` inside an outputs dict, so it survives JSON
columns unchanged and is never shown: pages, logs and the API use :func:`masked`. The key is
``settings.PORTAL_SECRETS_KEY`` (a Fernet key); empty means one derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

SEALED = "sealed"
MASK = "(sensitive)"


def _fernet() -> Fernet:
    key = settings.PORTAL_SECRETS_KEY
    if not key:
        digest = hashlib.sha256(b"portal-secrets-key:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def seal(value: Any) -> dict:
    return {SEALED: _fernet().encrypt(json.dumps(value).encode()).decode()}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}


def unseal(value: dict) -> Any:
    try:
        return json.loads(_fernet().decrypt(value[SEALED].encode()))
    except InvalidToken:
        raise ValueError("A sealed value could not be opened: PORTAL_SECRETS_KEY changed?") from None


def masked(outputs: dict | None) -> dict:
    """What people and logs may see: sealed values replaced by a mask."""
    return {name: MASK if is_sealed(value) else value for name, value in (outputs or {}).items()}


def unsealed(outputs: dict | None) -> dict:
    """The real values, for the engine only (e.g. feeding a later item)."""
    return {name: unseal(value) if is_sealed(value) else value for name, value in (outputs or {}).items()}
