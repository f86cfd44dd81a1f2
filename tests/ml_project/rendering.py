"""Render the ml-project scaffold and run tools on the result. No Django in here."""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import copier

REPO_ROOT = Path(__file__).resolve().parents[2]
SCAFFOLD_DIR = REPO_ROOT / "templates" / "ml-project"
TOOLS_BIN = Path(sys.executable).parent  # the portal's venv: ruff, check-jsonschema

BASE_ANSWERS = {
    "project_name": "Churn Model",
    "team": "fraud-analytics",
    "owner_email": "ada.lovelace@example.com",
}
CI_PROVIDERS = ("github", "gitlab")
MODEL_KINDS = ("classifier", "regressor")
PYTHON_VERSIONS = ("3.11", "3.12")


def render_project(dst: Path, **answers: str) -> Path:
    """Render the scaffold the way the portal does (unsafe=False, no prompts)."""
    copier.run_copy(
        str(SCAFFOLD_DIR),
        str(dst),
        data={**BASE_ANSWERS, **answers},
        defaults=True,
        unsafe=False,
        quiet=True,
    )
    return dst


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def output_of(result: subprocess.CompletedProcess) -> str:
    return f"$ {' '.join(map(str, result.args))}\n{result.stdout}\n{result.stderr}"


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess:
    """The portal's ruff on a generated project, with the project's own configuration."""
    return run([str(TOOLS_BIN / "ruff"), *args, "--no-cache", "."], cwd=project)


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """Validate files against a schema vendored in check-jsonschema (no network)."""
    cmd = [str(TOOLS_BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files)]
    return run(cmd, cwd=files[0].parent)


def project_env(venv: Path, package_name: str | None = None) -> dict[str, str]:
    """A clean environment for running a generated project's tools inside ``venv``.

    Drops what could leak from the portal's own test run (pytest options, Python paths, Django
    settings) and the project's settings variables, so the project sees only its config.yaml.
    """
    dropped: tuple[str, ...] = ("PYTEST_", "PYTHON", "VIRTUAL_ENV", "DJANGO_")
    if package_name:
        dropped += (f"{package_name.upper()}_",)
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def cache_root() -> Path:
    return Path(os.environ.get("PORTAL_TEST_CACHE") or REPO_ROOT / ".cache") / "ml-project-venvs"


def ensure_project_venv(project: Path) -> Path:
    """A virtualenv with the project's pinned requirements, cached by a hash of those files.

    Built once (a couple of minutes), then reused while requirements*.txt and the Python
    version stay the same. A file lock keeps parallel test runs from building it twice; a
    marker written last means a half-built venv is never used.
    """
    interpreter = f"{platform.python_version()} {platform.machine()} {sys.base_prefix}"
    digest = hashlib.sha256(interpreter.encode())
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update(name.encode() + b"\0" + (project / name).read_bytes())
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / digest.hexdigest()[:16]
    marker = venv / ".complete"
    with open(root / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and (venv / "bin" / "python").exists():  # exists() follows the link
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-r", "requirements-dev.txt"],
            [str(venv / "bin" / "python"), "-m", "pip", "check"],
        ]
        for cmd in steps:
            result = run(cmd, cwd=project, env=project_env(venv), timeout=1800)
            if result.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                raise RuntimeError(f"building the project venv failed:\n{output_of(result)}")
        marker.write_text("complete\n")
    return venv
