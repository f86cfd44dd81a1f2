from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/<slug:slug>/", views.new_request, name="new"),
    path("<int:pk>/", views.request_page, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
