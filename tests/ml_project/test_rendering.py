"""Render every combination of the ml-project choices and check what a team would get.

Like cookiecutter-django's own test: each combination must lint clean, contain the files the
team needs (and only its CI provider's), and have CI configuration that GitHub / GitLab accept.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.ml_project.rendering import (
    CI_PROVIDERS,
    MODEL_KINDS,
    PYTHON_VERSIONS,
    check_jsonschema,
    output_of,
    render_project,
    ruff,
)

PACKAGE = "churn_model"  # derived from BASE_ANSWERS["project_name"]
COMMON_FILES = [
    ".copier-answers.yml",
    ".dockerignore",
    ".gitignore",
    "Dockerfile",
    "Makefile",
    "README.md",
    "config.yaml",
    "data/sample.csv",
    "pyproject.toml",
    "requirements.txt",
    "requirements-dev.txt",
    *(f"{PACKAGE}/{name}.py" for name in ("__init__", "config", "data", "features", "train")),
    *(f"{PACKAGE}/{name}.py" for name in ("evaluate", "predict", "registry", "api")),
    *(f"tests/{name}.py" for name in ("conftest", "test_features", "test_predict")),
    *(f"tests/{name}.py" for name in ("test_versioning", "test_api", "test_config")),
]
GITHUB_FILES = [".github/workflows/ci.yml", ".github/workflows/retrain.yml"]
GITLAB_FILES = [".gitlab-ci.yml"]
COMBINATIONS = list(itertools.product(CI_PROVIDERS, MODEL_KINDS, PYTHON_VERSIONS))


@dataclass(frozen=True)
class Rendered:
    path: Path
    ci_provider: str
    model_kind: str
    python_version: str


@pytest.fixture(scope="module", params=COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def rendered(request, tmp_path_factory) -> Rendered:
    ci_provider, model_kind, python_version = request.param
    dst = tmp_path_factory.mktemp("-".join(request.param)) / "project"
    render_project(dst, ci_provider=ci_provider, model_kind=model_kind, python_version=python_version)
    return Rendered(dst, ci_provider, model_kind, python_version)


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_ruff_lint_and_format_pass(rendered):
    for args in (["check"], ["format", "--check"]):
        result = ruff(rendered.path, *args)
        assert result.returncode == 0, output_of(result)


def test_expected_files_and_only_the_chosen_ci_provider(rendered):
    missing = [name for name in COMMON_FILES if not (rendered.path / name).is_file()]
    assert missing == []
    chosen, other = (GITHUB_FILES, GITLAB_FILES) if rendered.ci_provider == "github" else (GITLAB_FILES, GITHUB_FILES)
    assert [name for name in chosen if not (rendered.path / name).is_file()] == []
    assert [name for name in other if (rendered.path / name).exists()] == []
    if rendered.ci_provider == "gitlab":
        assert not (rendered.path / ".github").exists()


def test_ci_configuration_is_valid_for_the_provider(rendered):
    if rendered.ci_provider == "github":
        files = [rendered.path / name for name in GITHUB_FILES]
        result = check_jsonschema("vendor.github-workflows", *files)
    else:
        result = check_jsonschema("vendor.gitlab-ci", rendered.path / ".gitlab-ci.yml")
    assert result.returncode == 0, output_of(result)


def test_python_version_reaches_docker_ci_and_ruff(rendered):
    version = rendered.python_version
    dockerfile = (rendered.path / "Dockerfile").read_text()
    assert re.search(rf"^FROM python:{re.escape(version)}-slim$", dockerfile, re.MULTILINE)
    pyproject = tomllib.loads((rendered.path / "pyproject.toml").read_text())
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    if rendered.ci_provider == "github":
        for name in GITHUB_FILES:
            jobs = _workflow(rendered.path / name)["jobs"]
            setups = [
                step["with"]["python-version"]
                for job in jobs.values()
                for step in job["steps"]
                if step.get("uses", "").startswith("actions/setup-python")
            ]
            assert setups
            assert set(setups) == {version}
    else:
        gitlab = yaml.safe_load((rendered.path / ".gitlab-ci.yml").read_text())
        assert gitlab["default"]["image"] == f"python:{version}-slim"


def test_model_kind_reaches_config_and_code(rendered):
    config = yaml.safe_load((rendered.path / "config.yaml").read_text())
    train_code = (rendered.path / PACKAGE / "train.py").read_text()
    if rendered.model_kind == "classifier":
        assert config["target"] == "churned"
        assert "RandomForestClassifier(" in train_code
        assert "RandomForestRegressor" not in train_code
    else:
        assert config["target"] == "monthly_spend"
        assert "RandomForestRegressor(" in train_code
        assert "RandomForestClassifier" not in train_code
    header = (rendered.path / "data" / "sample.csv").read_text().splitlines()[0].split(",")
    assert config["target"] in header


def test_ci_jobs_and_retraining_schedule(rendered):
    if rendered.ci_provider == "github":
        ci = _workflow(rendered.path / ".github/workflows/ci.yml")
        assert set(ci["jobs"]) == {"lint", "test", "docker"}
        runs = [step.get("run", "") for job in ci["jobs"].values() for step in job["steps"]]
        assert "make lint" in runs
        assert "make test" in runs
        assert any(run.startswith("make docker-build") for run in runs)
        retrain = _workflow(rendered.path / ".github/workflows/retrain.yml")
        assert retrain["on"]["schedule"] == [{"cron": "0 3 * * 1"}]
        steps = retrain["jobs"]["retrain"]["steps"]
        assert {"run": "make train"} in steps
    else:
        gitlab = yaml.safe_load((rendered.path / ".gitlab-ci.yml").read_text())
        assert gitlab["stages"] == ["lint", "test", "build", "retrain"]
        assert {gitlab[job]["stage"] for job in ("lint", "test", "build")} == {
            "lint",
            "test",
            "build",
        }
        assert f"python -m {PACKAGE}.train" in gitlab["retrain"]["script"]
        assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in gitlab["retrain"]["rules"]
        schedule_never = {"if": '$CI_PIPELINE_SOURCE == "schedule"', "when": "never"}
        assert schedule_never in gitlab[".python"]["rules"]  # lint/test skip scheduled runs
        assert schedule_never in gitlab["build"]["rules"]
        readme = (rendered.path / "README.md").read_text()
        assert "cron `0 3 * * 1`" in readme


def test_no_template_syntax_left_behind(rendered):
    leftovers = []
    for path in rendered.path.rglob("*"):
        if path.is_file() and path.suffix != ".csv":
            text = path.read_text()
            # GitHub's own expressions are ${{ ... }}; anything else would be unrendered Jinja.
            if re.search(r"(?<!\$)\{\{|\{%|\{#", text) or path.name.endswith(".jinja"):
                leftovers.append(str(path.relative_to(rendered.path)))
    assert leftovers == []


def test_answers_file_allows_copier_update(rendered):
    answers = yaml.safe_load((rendered.path / ".copier-answers.yml").read_text())
    assert answers["_src_path"]
    assert answers["ci_provider"] == rendered.ci_provider
    assert answers["model_kind"] == rendered.model_kind
    assert answers["python_version"] == rendered.python_version
    assert answers["package_name"] == PACKAGE
    assert answers["project_name"] == "Churn Model"
    assert "reserved_package_names" not in answers  # computed, not an answer


@pytest.mark.parametrize("ci_provider", CI_PROVIDERS)
def test_custom_retrain_schedule(tmp_path, ci_provider):
    project = render_project(tmp_path / "p", ci_provider=ci_provider, retrain_schedule="15 4 1 * *")
    readme = (project / "README.md").read_text()
    assert "cron `15 4 1 * *`" in readme
    if ci_provider == "github":
        retrain = _workflow(project / ".github/workflows/retrain.yml")
        assert retrain["on"]["schedule"] == [{"cron": "15 4 1 * *"}]
    else:
        assert 'cron "15 4 1 * *"' in (project / ".gitlab-ci.yml").read_text()


def test_schema_check_rejects_broken_ci_configuration(tmp_path):
    """The CI validation above is only worth something if it can fail."""
    github = render_project(tmp_path / "gh", ci_provider="github")
    workflow = _workflow(github / ".github/workflows/ci.yml")
    del workflow["jobs"]["lint"]["runs-on"]
    broken = tmp_path / "ci.yml"
    broken.write_text(yaml.safe_dump(workflow))
    assert check_jsonschema("vendor.github-workflows", broken).returncode != 0

    gitlab = render_project(tmp_path / "gl", ci_provider="gitlab")
    config = yaml.safe_load((gitlab / ".gitlab-ci.yml").read_text())
    config["retrain"]["rules"][0]["when"] = "sometimes"
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(yaml.safe_dump(config))
    assert check_jsonschema("vendor.gitlab-ci", broken).returncode != 0
