from django.contrib import admin
from django.urls import include, path

from portal.accounts.views import LoginView, LogoutView
from portal.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("catalog/", include("portal.catalog.urls")),
    path("requests/", include("portal.onboarding.urls")),
    path("approvals/", include("portal.approvals.urls")),
    path("teams/", include("portal.teams.urls")),
    path("inventory/", include("portal.inventory.urls")),
    path("account/", include("portal.accounts.urls")),
    path("api/", include("portal.api.urls")),
    path("admin/", admin.site.urls),
]
