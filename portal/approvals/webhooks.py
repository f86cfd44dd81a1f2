"""Posting a Slack-compatible message (``{"text": ...}``) to a steering team's webhook (set by admins),
through the same poster as team webhooks (portal.notifications.delivery). No Django here."""

from __future__ import annotations

from urllib.parse import urlparse

from portal.notifications.delivery import WebhookFailed, post

__all__ = ["WebhookFailed", "post_text"]


def post_text(url: str, text: str, *, timeout: float) -> int:
    """POST ``{"text": text}`` to ``url``; returns the HTTP status or raises WebhookFailed."""
    if urlparse(url).scheme not in ("http", "https"):
        raise ValueError("A webhook URL must be http(s).")
    return post(url, {"text": text}, secret=None, timeout=timeout, event="stage", delivery="")
