from django.apps import AppConfig


class UtilizationConfig(AppConfig):
    name = "portal.utilization"
    verbose_name = "Utilization (idle machines, right-sizing, schedules)"
    default_auto_field = "django.db.models.BigAutoField"
