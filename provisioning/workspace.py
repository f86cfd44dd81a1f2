"""One Terraform working directory per provisioned item.

The directory holds a snapshot of the item's module (its ``*.tf`` files), a generated
``_portal.tf.json`` with the provider and state backend, and ``portal.tfvars.json`` with the
item's schema-validated values. Everything generated is JSON written by ``json.dumps``:
values never become HCL, and strings in a tfvars file are literal (``${...}`` is not evaluated).
No Django imports: callers pass everything in.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VAR_FILE = "portal.tfvars.json"
GENERATED_FILE = "_portal.tf.json"

# Services the modules use; in the sandbox each is pointed at the moto server.
SANDBOX_SERVICES = (
    "ec2", "iam", "sts", "s3", "eks", "identitystore", "ssoadmin", "codebuild", "kms", "logs",
)


@dataclass(frozen=True)
class CloudTarget:
    """Where resources go: the AWS region, and the sandbox endpoint when it is the sandbox."""

    region: str
    sandbox_url: str | None = None

    def provider_block(self) -> dict:
        block: dict = {"region": self.region}
        if self.sandbox_url:
            block.update(
                endpoints=[{svc: self.sandbox_url for svc in SANDBOX_SERVICES}],
                skip_credentials_validation=True,
                skip_requesting_account_id=True,
                skip_metadata_api_check=True,
                skip_region_validation=True,
                s3_use_path_style=True,
                # An operation moto lacks would otherwise be retried for minutes.
                max_retries=2,
            )
        return block

    def credentials_env(self) -> dict[str, str]:
        """Environment for Terraform and boto3: fixed fake keys in the sandbox, else passed through."""
        if self.sandbox_url:
            return {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox",
                    "AWS_DEFAULT_REGION": self.region}
        names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE")
        env = {n: os.environ[n] for n in names if n in os.environ}
        env["AWS_DEFAULT_REGION"] = self.region
        return env


def write_cli_config(path: Path, provider_mirror: Path | None) -> Path:
    """The project's own Terraform CLI config: the filesystem mirror when there is one.

    The mirror is in the unpacked layout, so ``init`` links the provider instead of copying it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if provider_mirror and provider_mirror.is_dir():
        # json.dumps yields a valid HCL string literal for the path.
        text = (
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path = {json.dumps(str(provider_mirror))}\n  }}\n"
            "}\n"
        )
    else:
        text = 'provider_installation {\n  direct {}\n}\n'
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def prepare_workspace(
    *, workdir: Path, module_dir: Path, variables: Mapping, target: CloudTarget, backend: Mapping
) -> Path:
    """(Re)write the working directory; Terraform's own ``.terraform`` and state are kept."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("*.tf"):
        old.unlink()
    for source in sorted(module_dir.glob("*.tf")):
        shutil.copyfile(source, workdir / source.name)
    generated = {"terraform": {"backend": dict(backend)}, "provider": {"aws": target.provider_block()}}
    (workdir / GENERATED_FILE).write_text(json.dumps(generated, indent=2))
    write_var_file(workdir / VAR_FILE, variables)
    return workdir


def write_var_file(path: Path, variables: Mapping) -> None:
    """Values as JSON data, readable only by the worker's user."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(dict(variables), handle, indent=2, sort_keys=True)
