"""The request id: a client's (or proxy's) sane ``X-Request-ID``, or a new one, bound as the correlation id
for everything the request logs and queues (provisioning.correlation), echoed in the response's
``X-Request-ID``, and one log line per request (method, path without its query, status, time)."""

from __future__ import annotations

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

from provisioning import correlation

log = logging.getLogger("portal.requests")
HEADER = "X-Request-ID"
# Probes and scrapes (every few seconds, nothing to tell) and static files (the access log has them).
QUIET_PATHS = ("/healthz", "/readyz", "/metrics", "/static/")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        with correlation.bound(request.headers.get(HEADER, "")) as request_id:
            request.request_id = request_id
            response = self.get_response(request)
            response[HEADER] = request_id
            if not request.path.startswith(QUIET_PATHS):
                user = _known_user(request)
                log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                    "method": request.method, "path": request.path, "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None})
        return response


def _known_user(request):
    """The person the request was made as, if it was looked up (a session's or an API token's); no extra query."""
    user = request.__dict__.get("user")  # DRF puts the token's user here
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    return user
