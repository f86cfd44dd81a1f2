"""What a caller may do through the API besides what the services check: be logged in, and — with a
token — hold the scope the operation needs. A token never grants more than its owner has: the services
check the person exactly as for the pages."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.accounts.models import PersonalAccessToken


def scope_needed(request, view) -> str:
    """``view.scopes`` maps methods to scopes (e.g. ``{"POST": "approve"}``); reads need ``read`` and
    writes ``request`` unless the view says otherwise."""
    default = "read" if request.method in SAFE_METHODS else "request"
    return getattr(view, "scopes", {}).get(request.method, default)


class HasScope(BasePermission):
    message = "This token lacks the scope this call needs."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if not isinstance(token, PersonalAccessToken):
            return True  # the browser's session: the person's own rights
        if not hasattr(view, request.method.lower()):
            return True  # a method the operation does not have: 405 for every token, whatever its scopes
        needed = scope_needed(request, view)
        if needed in token.scopes:
            return True
        self.message = f"This token lacks the “{needed}” scope this call needs."
        return False
