"""/api/v1/ — the API (each domain's operations in portal/api/views/), the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .views import catalog, requests
from .views.me import Me

app_name = "api"

v1 = [
    path("me", Me.as_view(), name="me"),
    # catalog
    path("catalog/templates", catalog.TemplateList.as_view(), name="catalog-templates"),
    path("catalog/templates/<slug:slug>", catalog.TemplateDetail.as_view(), name="catalog-template"),
    path("catalog/bundles", catalog.BundleList.as_view(), name="catalog-bundles"),
    path("catalog/bundles/<slug:slug>", catalog.BundleDetail.as_view(), name="catalog-bundle"),
    path("catalog/estimate", catalog.Estimate.as_view(), name="catalog-estimate"),
    # requests
    path("requests", requests.Requests.as_view(), name="requests"),
    path("requests/validate", requests.ValidateRequest.as_view(), name="requests-validate"),
    path("requests/<int:pk>", requests.RequestDetailView.as_view(), name="request"),
    path("requests/<int:pk>/withdraw", requests.Withdraw.as_view(), name="request-withdraw"),
    path("requests/<int:pk>/retry", requests.Retry.as_view(), name="request-retry"),
    path("requests/<int:pk>/cancel", requests.Cancel.as_view(), name="request-cancel"),
    path("requests/<int:pk>/decommission", requests.Decommission.as_view(), name="request-decommission"),
    path("resources/<int:pk>/extend", requests.Extend.as_view(), name="resource-extend"),
    path("resources/<int:pk>/modify", requests.Modify.as_view(), name="resource-modify"),
    path("teams/<slug:slug>/offboard", requests.Offboard.as_view(), name="team-offboard"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
