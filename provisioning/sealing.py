"""Sealing sensitive values for storage at rest: Fernet, no Django.

A sealed value is ``{"sealed": "<Fernet token>"}`` so it survives JSON columns unchanged. The portal
seals sensitive Terraform outputs and the inputs a run snapshot carries (e.g. an earlier item's
secret output); the worker unseals them only to hand them to an engine. Saved plans (which may hold
sensitive values) are sealed as bytes with :func:`seal_bytes`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

SEALED = "sealed"
MASK = "(sensitive)"


def fernet_for(secrets_key: str, secret_key: str) -> Fernet:
    """The Fernet of ``secrets_key``; empty: one derived from ``secret_key`` (Django's SECRET_KEY)."""
    if not secrets_key:
        digest = hashlib.sha256(b"portal-secrets-key:" + secret_key.encode()).digest()
        secrets_key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(secrets_key)


class SealedValueError(ValueError):
    """A sealed value could not be opened (the key changed?)."""


def seal(fernet: Fernet, value: Any) -> dict:
    return {SEALED: fernet.encrypt(json.dumps(value).encode()).decode()}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}


def unseal(fernet: Fernet, value: dict) -> Any:
    try:
        return json.loads(fernet.decrypt(value[SEALED].encode()))
    except InvalidToken:
        raise SealedValueError("A sealed value could not be opened: PORTAL_SECRETS_KEY changed?") from None


def unseal_all(fernet: Fernet, value: Any) -> Any:
    """``value`` with every sealed leaf (at any depth) opened."""
    if is_sealed(value):
        return unseal(fernet, value)
    if isinstance(value, dict):
        return {key: unseal_all(fernet, inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [unseal_all(fernet, inner) for inner in value]
    return value


def masked(value: Any) -> Any:
    """What people and logs may see: sealed leaves (at any depth) replaced by a mask."""
    if is_sealed(value):
        return MASK
    if isinstance(value, dict):
        return {key: masked(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [masked(inner) for inner in value]
    return value


def seal_bytes(fernet: Fernet, data: bytes) -> bytes:
    return fernet.encrypt(data)


def unseal_bytes(fernet: Fernet, token: bytes) -> bytes:
    try:
        return fernet.decrypt(bytes(token))
    except InvalidToken:
        raise SealedValueError("A sealed plan could not be opened: PORTAL_SECRETS_KEY changed?") from None
