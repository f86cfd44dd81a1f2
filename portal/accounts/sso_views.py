"""The single sign-on pages: ``/sso/start/`` sends the browser to the provider (state, nonce, PKCE
challenge kept in the session), ``/sso/callback/`` finishes the login. Whatever goes wrong there is one
clear page of ours (``accounts/sso_failed.html``) and a ``login.failed`` audit event, never a 500."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import auth
from django.http import Http404
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.core.redirects import safe_path

from .login_audit import record_sso_failure, record_sso_login
from .single_sign_on import SIGNED_ON, START_AGAIN, SignOnFailed, provider_metadata

# What a provider may answer instead of a code (RFC 6749 4.1.2.1, OpenID Connect 3.1.2.6), in our words.
# Its error_description is not shown: anyone can put any text in a link.
PROVIDER_ERRORS = {
    "access_denied": "You (or the provider) declined the sign-in.",
    "login_required": "The provider wants you to sign in there first.",
    "consent_required": "The provider needs your consent for the portal first.",
    "interaction_required": "The provider needs you to do something there first.",
    "temporarily_unavailable": "The provider is temporarily unavailable.",
}

REFUSED_BY_A_BACKEND = "refused"  # authenticate() said no without a reason (e.g. django-axes' lockout)


def failure_page(request, failure: SignOnFailed):
    if failure.reason != REFUSED_BY_A_BACKEND:  # that one Django announced (user_login_failed → login_audit)
        record_sso_failure(request, reason=failure.reason, username=failure.username)
    return render(request, "accounts/sso_failed.html", {"message": failure.message,
                                                        "provider_name": settings.PORTAL_OIDC_PROVIDER_NAME},
                  status=failure.status)


class SignOnStart(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads the provider's endpoint here; ours when needed

    @property
    def OIDC_OP_AUTH_ENDPOINT(self):  # noqa: N802 (the library's attribute names)
        return provider_metadata()["authorization_endpoint"]

    @property
    def OIDC_RP_CLIENT_ID(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.PORTAL_OIDC:
            raise Http404("Single sign-on is not set up here.")
        try:
            provider_metadata()
        except SignOnFailed as failure:
            return failure_page(request, failure)
        response = super().get(request)
        request.session["oidc_login_next"] = safe_path(request, request.GET.get("next"))  # the portal's rule
        return response


class SignOnCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.PORTAL_OIDC:
            raise Http404("Single sign-on is not set up here.")
        try:
            return self.finish(request)
        except SignOnFailed as failure:
            return failure_page(request, failure)

    def finish(self, request):
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        started = states.pop(state, None) if state else None  # used once, whatever happens next
        if started is not None:
            request.session["oidc_states"] = states
            request.session.save()  # the token call is slow; another tab may use the session meanwhile
        error = request.GET.get("error")
        if error:
            if request.user.is_authenticated:
                auth.logout(request)
            code = re.sub(r"[^a-z_]", "", error.lower())[:40]
            raise SignOnFailed(f"provider_error:{code}", PROVIDER_ERRORS.get(
                code, f"The single sign-on provider did not sign you in ({code or 'no reason given'}).")
                + " " + START_AGAIN, status=403)
        if started is None or not request.GET.get("code"):
            raise SignOnFailed("bad_state", "This sign-in cannot be finished: it was not started from this browser, "
                               f"it expired, or it was used already. {START_AGAIN}", status=400)
        self.user = auth.authenticate(request=request, nonce=started["nonce"],
                                      code_verifier=started.get("code_verifier"))
        if self.user is None:
            raise SignOnFailed(REFUSED_BY_A_BACKEND, f"The sign-in was refused. {START_AGAIN}")
        response = self.login_success()
        request.session[SIGNED_ON] = True  # logging out ends the provider's session too (LogoutView)
        record_sso_login(request, self.user)
        return response
