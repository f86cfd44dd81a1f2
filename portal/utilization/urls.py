from django.urls import path

from . import views

app_name = "utilization"
urlpatterns = [
    path("machines/<int:pk>/", views.machine, name="machine"),
    path("machines/<int:pk>/<slug:action>/", views.act, name="act"),
]
