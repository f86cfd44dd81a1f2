from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("resources/<int:pk>/drift/<slug:action>/", views.drift_action, name="drift"),
]
