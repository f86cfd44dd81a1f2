"""The generated project works out of the box: its own lint and tests pass, it trains and serves.

The project's virtualenv is built from its pinned requirements once and cached (see
``rendering.ensure_project_venv``); the first run takes a couple of minutes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ml_project.rendering import (
    ensure_project_venv,
    output_of,
    project_env,
    render_project,
    run,
)

PACKAGE = "churn_model"
RECORD = {"age": 41, "income": 52.5, "tenure_months": 3, "num_products": 1, "region": "south"}


@pytest.fixture(scope="module")
def classifier_project(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("generated-classifier") / "project"
    return render_project(dst, ci_provider="github", model_kind="classifier")


@pytest.fixture(scope="module")
def venv(classifier_project) -> Path:
    return ensure_project_venv(classifier_project)


def _make(project: Path, venv: Path, *targets: str) -> subprocess.CompletedProcess:
    python = venv / "bin" / "python"
    return run(["make", *targets, f"PYTHON={python}"], project, project_env(venv, PACKAGE))


def _assert_tests_passed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, output_of(result)
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed, output_of(result)
    assert int(passed.group(1)) >= 20, output_of(result)
    assert " failed" not in result.stdout
    assert " skipped" not in result.stdout


def test_classifier_project_lint_and_tests_pass_with_make(classifier_project, venv):
    """What the GitHub CI workflow runs: make lint, make test."""
    lint = _make(classifier_project, venv, "lint")
    assert lint.returncode == 0, output_of(lint)
    _assert_tests_passed(_make(classifier_project, venv, "test"))


def test_classifier_project_trains_evaluates_and_serves_over_http(classifier_project, venv):
    trained = _make(classifier_project, venv, "train")
    assert trained.returncode == 0, output_of(trained)
    metadata = json.loads((classifier_project / "models/v0001/metadata.json").read_text())
    assert metadata["version"] == "v0001"
    assert metadata["model_kind"] == "classifier"
    assert len(metadata["data_sha256"]) == 64
    assert metadata["metrics"]["f1_macro"] > metadata["baseline_metrics"]["f1_macro"]

    evaluated = _make(classifier_project, venv, "evaluate")
    assert evaluated.returncode == 0, output_of(evaluated)
    assert '"version": "v0001"' in evaluated.stdout

    with _serving(classifier_project, venv) as base_url:
        health = _get_json(f"{base_url}/health")
        assert health == {"status": "ok", "model_version": "v0001"}
        answer = _post_json(f"{base_url}/predict", {"records": [RECORD]})
        assert answer["model_version"] == "v0001"
        assert answer["predictions"][0] in (0, 1)
        assert set(answer["probabilities"][0]) == {"0", "1"}


def test_regressor_project_passes_what_gitlab_ci_runs(tmp_path, venv):
    """The other model kind, with the commands of the GitLab CI jobs, in the same cached venv."""
    project = render_project(tmp_path / "project", ci_provider="gitlab", model_kind="regressor")
    env = project_env(venv, PACKAGE)
    bin_dir = venv / "bin"
    for cmd in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = run([str(bin_dir / cmd[0]), *cmd[1:]], project, env)
        assert result.returncode == 0, output_of(result)
    _assert_tests_passed(run([str(bin_dir / "pytest")], project, env))


class _serving:
    """``make serve`` on a free port, stopped (its whole process group) on exit."""

    def __init__(self, project: Path, venv: Path) -> None:
        self.project, self.venv = project, venv

    def __enter__(self) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        python = self.venv / "bin" / "python"
        self.process = subprocess.Popen(
            ["make", "serve", f"PYTHON={python}", f"PORT={port}"],
            cwd=self.project,
            env=project_env(self.venv, PACKAGE),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"make serve exited:\n{self.process.stdout.read()}")
            try:
                _get_json(f"{base_url}/health")
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
            else:
                return base_url
        self.__exit__(None, None, None)
        raise AssertionError("the API did not answer /health within 90 s")

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process.stdout.close()


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local test server)
        return json.load(response)


def _post_json(url: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 (local test server)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local test server)
        return json.load(response)
