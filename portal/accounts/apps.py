from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the directory login check)
        from .admin_group import ensure_after_migrate
        from .login_audit import record_failed_login, record_lockout

        user_login_failed.connect(record_failed_login, dispatch_uid="accounts.audit_failed_login")
        user_locked_out.connect(record_lockout, dispatch_uid="accounts.audit_lockout")

        # After auth's own receiver has made each app's permissions: the "Portal admins" group.
        post_migrate.connect(ensure_after_migrate, dispatch_uid="accounts.portal_admins_group")
