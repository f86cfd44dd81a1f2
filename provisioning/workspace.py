"""One Terraform working directory per workspace (one provisioned item).

The directory holds the run's frozen module content (its ``*.tf`` files, from the run snapshot —
never the files on disk now), a generated ``_portal.tf.json`` with the provider and state backend,
and ``portal.tfvars.json`` with the run's variables. Everything generated is JSON written by
``json.dumps``: values never become HCL, and strings in a tfvars file are literal (``${...}`` is
not evaluated). A working dir is a cache: another host rebuilds it from the snapshot (state lives
in the backend). ``init`` is skipped when the dir was initialised for the same content.
No Django imports: callers pass everything in.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VAR_FILE = "portal.tfvars.json"
GENERATED_FILE = "_portal.tf.json"
INIT_MARKER = ".portal-init"  # what the dir was initialised for (module hash + generated config)

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


def read_module(module_dir: Path) -> dict[str, str]:
    """The ``*.tf`` files of a module directory, by name (what publishing a version freezes)."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(Path(module_dir).glob("*.tf"))}


def module_hash(files: Mapping[str, str]) -> str:
    """A content hash of module files: the same files, the same hash, wherever they came from."""
    canonical = json.dumps(dict(sorted(files.items())), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    *, workdir: Path, module_files: Mapping[str, str], variables: Mapping, provider_block: Mapping,
    backend: Mapping,
) -> bool:
    """(Re)write the working directory from a run's snapshot; Terraform's own ``.terraform`` is kept.
    Returns whether ``init`` is needed (not initialised yet for this content here)."""
    if not module_files:
        raise ValueError("a Terraform run needs its module files (the version's frozen content)")
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in workdir.glob("*.tf"):
        old.unlink()
    for name, text in sorted(module_files.items()):
        if "/" in name or not name.endswith(".tf") or name.startswith("."):
            raise ValueError(f"not a module file name: {name!r}")
        (workdir / name).write_text(text, encoding="utf-8")
    generated = json.dumps({"terraform": {"backend": dict(backend)}, "provider": {"aws": dict(provider_block)}},
                           indent=2, sort_keys=True)
    (workdir / GENERATED_FILE).write_text(generated)
    write_var_file(workdir / VAR_FILE, variables)
    wanted = hashlib.sha256((module_hash(module_files) + generated).encode()).hexdigest()
    marker = workdir / INIT_MARKER
    initialised = (workdir / ".terraform").is_dir() and marker.exists() and marker.read_text() == wanted
    return not initialised


def mark_initialised(workdir: Path) -> None:
    """After a successful ``init``: remember what it was for (see :func:`prepare_workspace`). Terraform
    writes its lock file 0644 whatever the umask: everything the portal keeps is private to its user."""
    lock = workdir / ".terraform.lock.hcl"
    if lock.exists():
        lock.chmod(0o600)
    generated = (workdir / GENERATED_FILE).read_text()
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(workdir.glob("*.tf"))}
    (workdir / INIT_MARKER).write_text(hashlib.sha256((module_hash(files) + generated).encode()).hexdigest())


def write_var_file(path: Path, variables: Mapping) -> None:
    """Values as JSON data, readable only by the worker's user."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(dict(variables), handle, indent=2, sort_keys=True)


def write_private(path: Path, data: bytes) -> None:
    """A file only the worker's user may read (a saved plan may hold sensitive values)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
