"""Every module under terraform/modules: its layout, `terraform validate`, and `terraform fmt`."""

from __future__ import annotations

import re
import subprocess

import pytest

from provisioning.runners.terraform import terraform_env

from .conftest import MODULES_DIR, validation

MODULES = sorted(p.name for p in MODULES_DIR.iterdir() if p.is_dir() and not p.name.startswith("."))
FILES = ("versions.tf", "variables.tf", "main.tf", "outputs.tf", "README.md")


def _declared(module: str, kind: str) -> set[str]:
    text = "".join(p.read_text() for p in (MODULES_DIR / module).glob("*.tf"))
    return set(re.findall(rf'^{kind} "([A-Za-z0-9_]+)"', text, flags=re.MULTILINE))


def test_every_resource_kind_has_a_module():
    assert {"cpu_vm", "gpu_vm", "cluster", "storage", "ci_pipeline", "directory_group_sandbox"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_layout(module):
    directory = MODULES_DIR / module
    assert sorted(p.name for p in directory.iterdir() if p.is_file()) == sorted(FILES)
    variables = _declared(module, "variable")
    assert {"name", "tags"} <= variables
    text = "".join(p.read_text() for p in directory.glob("*.tf"))
    # The portal generates provider and backend into each working directory.
    assert not re.search(r'^(provider|backend)\s+"', text, flags=re.MULTILINE)
    assert "backend" not in (directory / "versions.tf").read_text()
    readme = (directory / "README.md").read_text()
    undocumented = {n for n in variables | _declared(module, "output") if f"`{n}`" not in readme}
    assert not undocumented, f"{module}/README.md does not mention {sorted(undocumented)}"


@pytest.mark.parametrize("check", [validation(module) for module in MODULES], ids=MODULES)
def test_module_validates(check, terraform_jobs):
    # init + validate of the module in its own working dir, run in the background alongside the
    # apply tests (see BackgroundJobs); the checks are on what Terraform printed.
    result = terraform_jobs.result(check)
    lines = result.lines
    assert result.error is None, f"{check.module}: {result.error}\n" + "\n".join(lines[-60:])
    assert any("The configuration is valid" in line for line in lines)
    assert not any("Warning" in line for line in lines if "lock file" not in line), "\n".join(lines)


def test_terraform_fmt(tf_cli_config):
    terraform_dir = MODULES_DIR.parent
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", "-no-color", str(terraform_dir)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        env=terraform_env(cli_config=tf_cli_config),
    )
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"
