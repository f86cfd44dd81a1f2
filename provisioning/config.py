"""Where the worker's runs go, read from Django settings (the only place in provisioning that does).

Engines get an :class:`EngineSettings` built here and never read settings themselves.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from . import sealing
from .engines.base import EngineSettings, TerraformSettings
from .workspace import CloudTarget, write_cli_config


def cloud_target() -> CloudTarget:
    sandbox = settings.PORTAL_SANDBOX_URL if settings.PORTAL_CLOUD == "sandbox" else None
    return CloudTarget(region=settings.PORTAL_AWS_REGION, sandbox_url=sandbox)


def cli_config() -> Path:
    mirror = settings.TERRAFORM_PROVIDER_MIRROR
    return write_cli_config(Path(settings.DATA_DIR) / "terraform" / "cli.tfrc", Path(mirror) if mirror else None)


def pg_conn() -> str:
    """A postgres:// URL for the pg state backend: ``TERRAFORM_STATE_PG_URL`` (e.g. a role that may only
    touch the state schemas), else the portal's own database. Given to Terraform in its environment only."""
    if settings.TERRAFORM_STATE_PG_URL:
        return settings.TERRAFORM_STATE_PG_URL
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    conn = f"postgres://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    return conn + "?sslmode=" + db.get("OPTIONS", {}).get("sslmode", "disable")


def terraform_settings() -> TerraformSettings:
    target = cloud_target()
    backend = settings.TERRAFORM_STATE_BACKEND
    return TerraformSettings(
        binary=settings.TERRAFORM_BIN, workspaces_dir=Path(settings.TERRAFORM_WORKSPACES_DIR),
        cli_config=cli_config(), provider_block=target.provider_block(), credentials_env=target.credentials_env(),
        state_backend=backend, pg_conn=pg_conn() if backend == "pg" else "",
        state_dir=Path(settings.DATA_DIR) / "tfstate", lock_timeout=settings.TERRAFORM_LOCK_TIMEOUT,
        tick_seconds=settings.RUN_HEARTBEAT_SECONDS, stop_grace_seconds=settings.RUN_STOP_GRACE_SECONDS,
        cloud=target)


def scaffold_settings() -> dict:
    return {
        "remote": settings.PORTAL_GIT_REMOTE, "git_root": settings.PORTAL_GIT_ROOT,
        "public_url": settings.PORTAL_GIT_PUBLIC_URL, "api_url": settings.PORTAL_GIT_API_URL,
        "namespace": settings.PORTAL_GIT_NAMESPACE, "token": settings.PORTAL_GIT_TOKEN,
        "author": settings.PORTAL_GIT_AUTHOR, "scaffolds_dir": settings.PORTAL_SCAFFOLDS_DIR,
        "cache_dir": settings.PORTAL_SCAFFOLD_CACHE,
    }


def engine_settings(engine: str) -> EngineSettings:
    """Only what ``engine`` needs (the directory's bind password never reaches a Terraform run)."""
    if engine == "terraform":
        return EngineSettings(terraform=terraform_settings())
    if engine == "scaffold":
        return EngineSettings(scaffold=scaffold_settings())
    if engine == "directory":
        return EngineSettings(directory=dict(settings.PORTAL_DIRECTORY))
    return EngineSettings()


def fernet():
    return sealing.fernet_for(settings.PORTAL_SECRETS_KEY, settings.SECRET_KEY)
