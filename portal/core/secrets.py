"""Sealing sensitive values (e.g. Terraform outputs marked ``sensitive``) for storage at rest.

A sealed value is ``{"sealed": "<Fernet token>"}`` inside an outputs dict, so it survives JSON
columns unchanged and is never shown: pages, logs and the API use :func:`masked`. The key is
``settings.PORTAL_SECRETS_KEY`` (a Fernet key); empty means one derived from ``SECRET_KEY``.
The crypto lives in ``provisioning.sealing`` (no Django), shared with the worker.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from provisioning import sealing
from provisioning.sealing import MASK, SEALED, is_sealed

__all__ = ["MASK", "SEALED", "is_sealed", "masked", "seal", "unseal", "unsealed"]


def _fernet():
    return sealing.fernet_for(settings.PORTAL_SECRETS_KEY, settings.SECRET_KEY)


def seal(value: Any) -> dict:
    return sealing.seal(_fernet(), value)


def unseal(value: dict) -> Any:
    return sealing.unseal(_fernet(), value)


def masked(outputs: dict | None) -> dict:
    """What people and logs may see: sealed values replaced by a mask."""
    return sealing.masked(dict(outputs or {}))


def unsealed(outputs: dict | None) -> dict:
    """The real values, for the engine only (e.g. feeding a later item)."""
    return sealing.unseal_all(_fernet(), dict(outputs or {}))
