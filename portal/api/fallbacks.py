"""Django's error pages for paths under /api/ (no URL matched, an error outside a view) answer as
problems too, so a client of the API never gets an HTML page; every other path gets the portal's pages."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults

from .problems import PROBLEM, TITLES


def _problem(status: int, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Server error"), "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type=PROBLEM)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    return _problem(400, "The request could not be read.") if _is_api(request) else defaults.bad_request(
        request, exception)


def permission_denied(request, exception=None):
    return _problem(403, "You may not do this.") if _is_api(request) else defaults.permission_denied(
        request, exception)


def page_not_found(request, exception=None):
    return _problem(404, "No such operation or object.") if _is_api(request) else defaults.page_not_found(
        request, exception)


def server_error(request):
    return (_problem(500, "Something went wrong on our side; it has been logged.") if _is_api(request)
            else defaults.server_error(request))
