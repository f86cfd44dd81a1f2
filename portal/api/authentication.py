"""Who calls the API: a personal access token (``Authorization: Bearer pat_…``) or the browser's session."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from portal.accounts.tokens import record_use, token_for


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as “Authorization: Bearer pat_…”.")
        token = token_for(parts[1].decode("ascii", errors="replace"))
        if token is None:
            raise AuthenticationFailed("This token is unknown, revoked or expired.")
        record_use(token, method=request.method, path=request.get_full_path())
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="portal"'


class BrowserSession(SessionAuthentication):
    """The browser's login, with Django's CSRF check on every write (as the pages have)."""
