from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("resources/<pk:pk>/drift/<slug:action>/", views.drift_action, name="drift"),
]
