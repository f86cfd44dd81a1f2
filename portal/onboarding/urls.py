from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/<slug:slug>/", views.new_request, name="new"),
    path("new/bundle/<slug:slug>/", views.new_bundle_request, name="new_bundle"),
    path("<int:pk>/", views.request_page, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/edit/", views.edit_request, name="edit"),
]
