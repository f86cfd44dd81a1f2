from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read, name="read"),
    path("settings/", views.preferences, name="preferences"),
    path("teams/<slug:slug>/webhooks/", views.webhooks, name="webhooks"),
    path("teams/<slug:slug>/webhooks/<int:pk>/delete/", views.delete, name="delete_webhook"),
]
