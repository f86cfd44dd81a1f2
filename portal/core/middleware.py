"""A refusal that reached no view's ``except`` is still a page a person can read, never a raw 500."""

from __future__ import annotations

from django.shortcuts import render

from .errors import ApplicationError, PermissionDenied


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        status = 403 if isinstance(exception, PermissionDenied) else 400
        return render(request, f"{status}.html", {"message": exception.message}, status=status)
