from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "portal.teams"
    label = "teams"

    def ready(self):
        from . import signals  # noqa: F401
