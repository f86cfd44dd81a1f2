from django.urls import path

from . import change_views, views, wizard

app_name = "onboarding"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/<slug:slug>/", wizard.new_request, name="new"),
    path("new/bundle/<slug:slug>/", wizard.new_bundle_request, name="new_bundle"),
    path("check-field/", wizard.check_field, name="check_field"),
    path("<pk:pk>/", views.request_page, name="detail"),
    path("<pk:pk>/progress/", views.progress, name="progress"),
    path("<pk:pk>/cancel/", views.cancel, name="cancel"),
    path("<pk:pk>/retry/", views.retry, name="retry"),
    path("<pk:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<pk:pk>/edit/", views.edit_request, name="edit"),
    path("<pk:pk>/draft/", wizard.continue_draft, name="draft"),
    path("<pk:pk>/review/", wizard.review, name="review"),
    path("<pk:pk>/discard/", wizard.discard, name="discard"),
    path("<pk:pk>/decommission/", change_views.decommission_request, name="decommission_request"),
    path("resources/<pk:pk>/decommission/", change_views.decommission_resource, name="decommission_resource"),
    path("resources/<pk:pk>/extend/", change_views.extend_resource, name="extend_resource"),
    path("resources/<pk:pk>/change/", change_views.modify_resource, name="modify_resource"),
    path("offboard/<slug:slug>/", change_views.offboard_team, name="offboard_team"),
]
