"""Where the worker's Terraform runs go, read from Django settings (the only place that does)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from .workspace import CloudTarget, write_cli_config


def cloud_target() -> CloudTarget:
    sandbox = settings.PORTAL_SANDBOX_URL if settings.PORTAL_CLOUD == "sandbox" else None
    return CloudTarget(region=settings.PORTAL_AWS_REGION, sandbox_url=sandbox)


def cli_config() -> Path:
    mirror = settings.TERRAFORM_PROVIDER_MIRROR
    return write_cli_config(settings.DATA_DIR / "terraform" / "cli.tfrc", Path(mirror) if mirror else None)


def workdir_for(item) -> Path:
    return Path(settings.TERRAFORM_WORKSPACES_DIR) / f"item-{item.pk}"


def state_backend(item) -> tuple[dict, dict[str, str]]:
    """The backend block for ``item`` and the environment it needs (secrets stay out of files)."""
    if settings.TERRAFORM_STATE_BACKEND == "pg":
        db = settings.DATABASES["default"]
        auth = quote(db.get("USER") or "", safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        conn = f"postgres://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
        conn += "?sslmode=" + db.get("OPTIONS", {}).get("sslmode", "disable")
        return {"pg": {"schema_name": f"tfstate_item_{item.pk}"}}, {"PG_CONN_STR": conn}
    path = Path(settings.DATA_DIR) / "tfstate" / f"item-{item.pk}.tfstate"
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"local": {"path": str(path)}}, {}
