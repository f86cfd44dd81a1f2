from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    label = "provisioning"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            worker_hooks,  # noqa: F401  (correlation ids on task messages; worker heartbeats)
        )
