"""The layering of pyproject's import-linter contracts holds, and a wrong-way import breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the tree at root, not the installed one
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layers_hold():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


WRONG_WAY = [
    ("portal/catalog/pricing.py", "from portal.onboarding import models as _upward  # noqa",
     "portal.catalog is not allowed to import portal.onboarding"),
    ("provisioning/executor.py", "from portal.onboarding import services as _portal  # noqa",
     "provisioning is not allowed to import portal"),
    ("provisioning/engines/terraform.py", "from django.conf import settings as _django  # noqa",
     "provisioning.engines is not allowed to import django"),
    ("portal/cli/client.py", "from django.conf import settings as _django  # noqa",
     "portal.cli is not allowed to import django"),
    ("portal/cli/app.py", "from portal.core import errors as _server  # noqa",
     "portal.cli is not allowed to import portal.core"),
]


@pytest.mark.parametrize(("path", "line", "message"), WRONG_WAY, ids=[p for p, _, _ in WRONG_WAY])
def test_a_wrong_way_import_fails_the_contract(tmp_path, path, line, message):
    for part in ("portal", "provisioning"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / path, "a") as module:
        module.write(f"\n{line}\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout
