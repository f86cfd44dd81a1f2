"""/healthz, /readyz and /metrics: no session, no login; /metrics wants the bearer token PORTAL_METRICS_TOKEN.
Served by ``middleware.MonitoringEndpointsMiddleware`` ahead of host checks and HTTPS redirects (probes come
from the cluster, by pod address, over plain HTTP)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from .exposition import metrics_text
from .readiness import readiness


@never_cache
def healthz(request):
    """The process is alive (nothing else is asked: a database outage must not get web pods restarted)."""
    return JsonResponse({"status": "alive"})


@never_cache
def readyz(request):
    ready, checks = readiness(scope="web" if request.GET.get("scope") == "web" else "all")
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


@never_cache
def metrics(request):
    token = settings.PORTAL_METRICS_TOKEN
    if not token:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        response = HttpResponse("A bearer token is needed\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return HttpResponse("Wrong token\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
