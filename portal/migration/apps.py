from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "portal.migration"
    label = "migration"
    verbose_name = "Migrations to the cloud"
