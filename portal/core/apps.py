from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self):
        from django.urls import register_converter

        # The Celery app (and its private umask) for every process that runs the portal: tasks sent from
        # the web go to its broker. Not on import of the `portal` package, which the CLI shares.
        from portal import celery  # noqa: F401

        from .converters import PrimaryKeyConverter

        register_converter(PrimaryKeyConverter, "pk")
