from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "portal.datasets"
    label = "datasets"
    verbose_name = "Datasets and access"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 — connects the receivers
