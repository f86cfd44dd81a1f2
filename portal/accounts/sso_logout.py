"""The pages of a session that began with single sign-on allow their logout form to go on to the provider.

The logout form posts to the portal, whose answer redirects to the provider's ``end_session_endpoint``;
browsers apply the Content-Security-Policy's ``form-action`` to that redirect, so those pages add the
provider's origin to it (django-csp's per-response update, what its ``csp_update`` decorator sets). Other
sessions keep ``form-action 'self'``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from .single_sign_on import SIGNED_ON


class ProviderLogoutFormAction:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if settings.PORTAL_OIDC and settings.PORTAL_OIDC_LOGOUT and session is not None and session.get(SIGNED_ON):
            issuer = urlsplit(settings.PORTAL_OIDC_ISSUER)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), f"{issuer.scheme}://{issuer.netloc}"]
            response._csp_update = update
        return response
