from django.urls import path

from . import views

app_name = "datasets"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("teams/<slug:slug>/register/", views.register, name="register"),
    path("<int:pk>/", views.dataset_page, name="dataset"),
    path("<int:pk>/access/", views.ask_access, name="ask_access"),
    path("<int:pk>/change/", views.change_lifecycle, name="change_lifecycle"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/<int:pk>/export.csv", views.review_csv, name="review_csv"),
    path("reviews/<int:pk>/entries/<int:entry_pk>/", views.decide, name="decide_entry"),
]
