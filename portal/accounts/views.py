from django.conf import settings
from django.contrib.auth import views as auth_views

from portal.core.redirects import safe_path

from .forms import LoginForm


class SafeNextMixin:
    """A ``next`` is followed only when it is a path on this site (the portal's one rule for it)."""

    def get_redirect_url(self):
        name = self.redirect_field_name
        return safe_path(self.request, self.request.POST.get(name, self.request.GET.get(name))) or ""


class LoginView(SafeNextMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "directory_login": settings.PORTAL_LDAP_LOGIN}


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    pass
