from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"

    def ready(self):
        from django.urls import register_converter

        from .converters import PrimaryKeyConverter

        register_converter(PrimaryKeyConverter, "pk")
