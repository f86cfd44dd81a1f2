from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/resources/<pk:pk>/upgrade/", views.upgrade_repo, name="upgrade_repo"),
]
