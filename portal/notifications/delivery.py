"""Posting to webhooks: the chat text payload, the signed JSON payload and its signature. No Django here.

A signed delivery carries ``X-Portal-Timestamp`` (Unix seconds) and ``X-Portal-Signature: v1=<hex>``, the
HMAC-SHA256 of ``"<timestamp>.<body>"`` under the webhook's secret; a receiver recomputes it and refuses
old timestamps (replays). :func:`verify` is what a receiver does, and what the tests use.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlparse

import httpx

SIGNATURE_HEADER, TIMESTAMP_HEADER = "X-Portal-Signature", "X-Portal-Timestamp"


class WebhookFailed(Exception):
    """The webhook did not answer 2xx in time; worth retrying."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class WebhookRefused(ValueError):
    """The URL may not be posted to at all (scheme, or a private address when those are not allowed)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, headers, body: bytes, *, tolerance: float = 300, now: float | None = None) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent."""
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get(SIGNATURE_HEADER, ""))


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse what a webhook must not reach: other schemes, and (unless allowed) loopback, link-local
    (cloud metadata) and private addresses the host name resolves to."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("A webhook URL must be http(s)://host/….")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise WebhookFailed(f"cannot resolve {parts.hostname}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise WebhookRefused(f"{parts.hostname} is an internal address ({address}); webhooks go to public hosts.")


def post(url: str, payload: dict, *, secret: str | None, timeout: float, event: str, delivery: str) -> int:
    """POST ``payload`` as JSON (signed when there is a secret); the HTTP status, or WebhookFailed."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "portal-webhooks",
               "X-Portal-Event": event, "X-Portal-Delivery": delivery}
    if secret:
        timestamp = int(time.time())
        headers[TIMESTAMP_HEADER] = str(timestamp)
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        raise WebhookFailed(f"webhook unreachable: {error or type(error).__name__}") from error
    if not 200 <= response.status_code < 300:
        raise WebhookFailed(f"webhook answered HTTP {response.status_code}", status=response.status_code)
    return response.status_code
