from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the directory login check)
        from .admin_group import ensure_after_migrate

        # After auth's own receiver has made each app's permissions: the "Portal admins" group.
        post_migrate.connect(ensure_after_migrate, dispatch_uid="accounts.portal_admins_group")
