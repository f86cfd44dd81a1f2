"""One error format for every API answer that is not a success: RFC 9457 problem details
(``application/problem+json``) — ``title``, ``status``, ``detail`` and, for bad input, ``errors``:
``[{"pointer": "/items/0/values/cpu", "detail": "…"}]`` (JSON pointers into what was sent)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoForbidden
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.core.errors import ApplicationError, Conflict, PermissionDenied

PROBLEM = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 406: "Not acceptable", 409: "Conflict", 415: "Unsupported media type",
          422: "Unprocessable content", 429: "Too many requests"}


class FieldProblems(exceptions.APIException):
    """Bad input found by a service, with the pointer of each value it refuses."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Some values are not valid."

    def __init__(self, errors: list[dict], detail: str | None = None):
        super().__init__(detail or self.default_detail)
        self.errors = errors


def pointers(detail, base: str = "") -> list[dict]:
    """DRF's nested error detail as ``[{"pointer", "detail"}]``."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            path = base if key in ("non_field_errors", "__all__") else f"{base}/{_escape(key)}"
            found += pointers(value, path)
        return found
    if isinstance(detail, list):
        if all(isinstance(value, str) for value in detail):
            return [{"pointer": base or "/", "detail": str(value)} for value in detail]
        found = []
        for index, value in enumerate(detail):
            found += pointers(value, f"{base}/{index}")
        return found
    return [{"pointer": base or "/", "detail": str(detail)}]


def _escape(key) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def problem(status_code: int, detail: str, *, errors: list[dict] | None = None, headers=None) -> Response:
    body = {"type": "about:blank", "title": TITLES.get(status_code, "Error"), "status": status_code,
            "detail": detail}
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM)
    return response


def handle(exc, context):
    """DRF's exception handler: everything becomes a problem; a refusal of a service keeps its message."""
    if isinstance(exc, PermissionDenied):
        return problem(403, exc.message)
    if isinstance(exc, Conflict):
        return problem(409, exc.message)
    if isinstance(exc, ApplicationError):
        errors = [{"pointer": f"/{_escape(exc.field)}", "detail": exc.message}] if exc.field else None
        return problem(400, exc.message, errors=errors)
    if isinstance(exc, Http404):
        return problem(404, "No such object, or you may not see it.")
    if isinstance(exc, DjangoForbidden):
        return problem(403, str(exc) or "You may not do this.")
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 (logged), never a message built from it
    detail, errors = _detail_of(exc, response.data)
    headers = {name: value for name, value in response.items() if name in ("WWW-Authenticate", "Retry-After",
                                                                           "Allow")}
    return problem(response.status_code, detail, errors=errors, headers=headers)


def _detail_of(exc, data):
    if isinstance(exc, FieldProblems):
        return str(exc.detail), exc.errors
    if isinstance(exc, exceptions.ValidationError):
        return "Some values are not valid.", pointers(data)
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"]), None
    return str(data), None
