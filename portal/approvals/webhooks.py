"""Posting a Slack-compatible message (``{"text": ...}``) to a steering team's webhook. No Django here."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlparse


class WebhookFailed(Exception):
    """The webhook did not answer 2xx in time; worth retrying."""


def post_text(url: str, text: str, *, timeout: float) -> int:
    """POST ``{"text": text}`` to ``url``; returns the HTTP status or raises WebhookFailed."""
    if urlparse(url).scheme not in ("http", "https"):
        raise ValueError("A webhook URL must be http(s).")
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 — scheme checked above
                                     headers={"Content-Type": "application/json", "User-Agent": "portal"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        raise WebhookFailed(f"webhook answered HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise WebhookFailed(f"webhook unreachable: {error}") from error
