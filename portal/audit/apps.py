from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .auditors import ensure_after_migrate

        # After auth's own receiver has made the audit app's permissions: the "Auditors" group.
        post_migrate.connect(ensure_after_migrate, dispatch_uid="audit.auditors_group")
