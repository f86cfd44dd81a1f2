from django.conf import settings
from django.contrib.auth import views as auth_views

from portal.core.redirects import safe_path

from .forms import LoginForm
from .local_login import password_login_enabled


class SafeNextMixin:
    """A ``next`` is followed only when it is a path on this site (the portal's one rule for it)."""

    def get_redirect_url(self):
        name = self.redirect_field_name
        return safe_path(self.request, self.request.POST.get(name, self.request.GET.get(name))) or ""


class LoginView(SafeNextMixin, auth_views.LoginView):
    """The login page: single sign-on (when set up) and/or the username and password form (local accounts,
    directory accounts). With neither local nor directory login on, a posted password is refused here."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "directory_login": settings.PORTAL_LDAP_LOGIN,
                "local_login": settings.PORTAL_LOCAL_LOGIN, "password_login": password_login_enabled(),
                "single_sign_on": settings.PORTAL_OIDC, "provider_name": settings.PORTAL_OIDC_PROVIDER_NAME}

    def post(self, request, *args, **kwargs):
        if not password_login_enabled():
            context = self.get_context_data(refused="Logging in with a password is turned off here; use single "
                                                    "sign-on.")
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    """Ends the portal's session; a session that began with single sign-on goes on to the provider's logout,
    which ends its session too and sends the person back to the login page."""

    def post(self, request, *args, **kwargs):
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        from .single_sign_on import SIGNED_ON, provider_logout_url

        signed_on = bool(request.session.get(SIGNED_ON))
        response = super().post(request, *args, **kwargs)
        if signed_on:
            url = provider_logout_url(request.build_absolute_uri(reverse("login")))
            if url:
                return HttpResponseRedirect(url)
        return response
