"""Raw Terraform, the way a person would run it by hand: ``terraform init && terraform apply -auto-approve``
in a fresh directory with the pg backend (a schema of its own) — the baseline the portal is compared with."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def raw_dir(root: Path, name: str, *, variables: dict, sandbox_url: str, pg_url: str) -> tuple[Path, dict]:
    from provisioning.workspace import CloudTarget, read_module, write_cli_config

    workdir = root / name
    workdir.mkdir(parents=True)
    for file, text in read_module(REPO / "terraform/modules/cpu_vm").items():
        (workdir / file).write_text(text)
    target = CloudTarget(region="us-east-1", sandbox_url=sandbox_url)
    generated = {"terraform": {"backend": {"pg": {"schema_name": f"bench_{name.replace('-', '_')}"}}},
                 "provider": {"aws": target.provider_block()}}
    (workdir / "_gen.tf.json").write_text(json.dumps(generated))
    (workdir / "vars.tfvars.json").write_text(json.dumps(variables))
    cli = write_cli_config(root / "cli.tfrc", Path(os.environ.get("TERRAFORM_PROVIDER_MIRROR", "/opt/tf-plugins")))
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "TF_CLI_CONFIG_FILE": str(cli),  # noqa: S108
           "TF_INPUT": "0", "TF_IN_AUTOMATION": "1", "PG_CONN_STR": pg_url, **target.credentials_env()}
    return workdir, env


def timed(argv: list[str], *, cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def init_and_apply(workdir: Path, env: dict) -> float:
    """Seconds for ``init`` + ``apply -auto-approve`` (plan included)."""
    return (timed(["terraform", "init", "-input=false", "-no-color"], cwd=workdir, env=env)
            + timed(["terraform", "apply", "-auto-approve", "-input=false", "-no-color",
                     "-var-file=vars.tfvars.json", "-lock-timeout=300s"], cwd=workdir, env=env))


def destroy(workdir: Path, env: dict) -> None:
    timed(["terraform", "apply", "-destroy", "-auto-approve", "-input=false", "-no-color",
           "-var-file=vars.tfvars.json", "-lock-timeout=300s"], cwd=workdir, env=env)
