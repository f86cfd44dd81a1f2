from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("stages/<int:pk>/decide/", views.decide, name="decide"),
    path("bulk-approve/", views.bulk, name="bulk"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.end, name="end_delegation"),
]
