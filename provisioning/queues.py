"""How many task messages wait in a broker queue (Redis list or the file broker's folder)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def queue_length(name: str) -> int | None:
    """Messages waiting in queue ``name``; None when the broker cannot tell (then nothing is assumed)."""
    from celery import current_app

    try:
        with current_app.connection_for_read() as conn:
            return conn.default_channel.queue_declare(queue=name, passive=True).message_count
    except Exception as error:  # an absent queue (never declared) or an unreachable broker
        log.info("could not read the length of queue %s: %s", name, error)
        return 0 if "NOT_FOUND" in str(error) or "no queue" in str(error).lower() else None
