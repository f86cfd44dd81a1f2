"""The monitoring endpoints, at the top of the site (portal/urls.py includes them; the middleware serves them
first, see views)."""

from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
