from django.contrib import admin
from django.urls import include, path

from portal.accounts.sso_views import SignOnCallback, SignOnStart
from portal.accounts.views import LoginView, LogoutView
from portal.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("sso/start/", SignOnStart.as_view(), name="sso_start"),  # single sign-on (OpenID Connect)
    path("sso/callback/", SignOnCallback.as_view(), name="sso_callback"),  # the redirect URI to register
    path("catalog/", include("portal.catalog.urls")),
    path("requests/", include("portal.onboarding.urls")),
    path("approvals/", include("portal.approvals.urls")),
    path("teams/", include("portal.teams.urls")),
    path("inventory/", include("portal.inventory.urls")),
    path("migrations/", include("portal.migration.urls")),
    path("datasets/", include("portal.datasets.urls")),
    path("account/", include("portal.accounts.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("utilization/", include("portal.utilization.urls")),
    path("api/", include("portal.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.api.fallbacks.bad_request"
handler403 = "portal.api.fallbacks.permission_denied"
handler404 = "portal.api.fallbacks.page_not_found"
handler500 = "portal.api.fallbacks.server_error"
