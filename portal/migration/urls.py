from django.urls import path

from . import planning_views, views

app_name = "migration"
urlpatterns = [
    path("", planning_views.dashboard, name="dashboard"),
    path("plan/", planning_views.plan, name="plan"),
    path("plan/pilots/", planning_views.assign_pilots, name="assign_pilots"),
    path("playbook/", planning_views.playbook, name="playbook"),
    path("products/", views.product_list, name="products"),
    path("products/template.csv", views.import_template, {"fmt": "csv"}, name="import_template_csv"),
    path("products/template.xlsx", views.import_template, {"fmt": "xlsx"}, name="import_template_xlsx"),
    path("teams/<slug:slug>/products/new/", views.product_new, name="product_new"),
    path("teams/<slug:slug>/products/import/", views.product_import, name="product_import"),
    path("products/<pk:pk>/", views.product_page, name="product"),
    path("products/<pk:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<pk:pk>/triage/", views.triage_propose, name="triage_propose"),
    path("products/<pk:pk>/triage/confirm/", views.triage_confirm, name="triage_confirm"),
    path("products/<pk:pk>/environment/", views.environment, name="environment"),
    path("products/<pk:pk>/decommission/", views.decommission_open, name="decommission_open"),
    path("products/<pk:pk>/decommission/checklist/", views.decommission_update, name="decommission_update"),
    path("products/<pk:pk>/retain/", views.retain, name="retain"),
    path("products/<pk:pk>/tolerances/", views.tolerances, name="tolerances"),
    path("products/<pk:pk>/cycles/", views.cycle, name="cycle"),
    path("products/<pk:pk>/retire-original/", views.retire_original, name="retire_original"),
    path("products/<pk:pk>/lessons/", views.lesson, name="lesson"),
    path("products/<pk:pk>/wave/", views.wave, name="wave"),
]
