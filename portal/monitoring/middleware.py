"""Serves the monitoring endpoints (monitoring.urls) before the rest of the middleware: probes and scrapes
reach a pod by its address over plain HTTP, so ALLOWED_HOSTS, HTTPS redirects, sessions and CSRF must not
stand in their way. Placed right after the request id (their answers carry X-Request-ID too)."""

from __future__ import annotations

from django.urls import Resolver404, resolve

URLCONF = "portal.monitoring.urls"


class MonitoringEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            try:
                match = resolve(request.path_info, urlconf=URLCONF)
            except Resolver404:
                match = None
            if match is not None:
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
