"""/api/v1/ — the API (each domain's operations in portal/api/views/), the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .views import approvals, audit, catalog, inventory, requests, runs
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
    path("requests/<pk:pk>", requests.RequestDetailView.as_view(), name="request"),
    path("requests/<pk:pk>/withdraw", requests.Withdraw.as_view(), name="request-withdraw"),
    path("requests/<pk:pk>/retry", requests.Retry.as_view(), name="request-retry"),
    path("requests/<pk:pk>/cancel", requests.Cancel.as_view(), name="request-cancel"),
    path("requests/<pk:pk>/decommission", requests.Decommission.as_view(), name="request-decommission"),
    path("resources/<pk:pk>/extend", requests.Extend.as_view(), name="resource-extend"),
    path("resources/<pk:pk>/modify", requests.Modify.as_view(), name="resource-modify"),
    path("teams/<slug:slug>/offboard", requests.Offboard.as_view(), name="team-offboard"),
    # approvals
    path("approvals", approvals.ApprovalQueue.as_view(), name="approvals"),
    path("approvals/<pk:pk>/decide", approvals.Decide.as_view(), name="approvals-decide"),
    path("delegations", approvals.Delegations.as_view(), name="delegations"),
    path("delegations/<pk:pk>/end", approvals.EndDelegation.as_view(), name="delegations-end"),
    # runs
    path("runs/<pk:pk>", runs.RunDetail.as_view(), name="run"),
    path("runs/<pk:pk>/log", runs.RunLog.as_view(), name="run-log"),
    # inventory
    path("resources", inventory.Resources.as_view(), name="resources"),
    path("resources/<pk:pk>", inventory.ResourceDetail.as_view(), name="resource"),
    path("teams/<slug:slug>/quota", inventory.TeamQuota.as_view(), name="team-quota"),
    # audit
    path("audit", audit.AuditEvents.as_view(), name="audit"),
    path("audit/export", audit.AuditExport.as_view(), name="audit-export"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
