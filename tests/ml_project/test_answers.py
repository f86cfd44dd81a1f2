"""Answers are validated and are data: they never run as template code."""

from __future__ import annotations

import pytest
import yaml

from tests.ml_project.rendering import MODEL_KINDS, output_of, render_project, ruff

TRICKY_NAME = """Churn {{ 7*7 }} "double" 'single' {% raw %} {# not a comment #}"""
TRICKY_DESCRIPTION = """Predicts {% if true %}churn{% endif %} \\ back\\slash {{ "x" * 3 }} {% endraw %}"""


def test_answers_are_inserted_literally(tmp_path):
    project = render_project(
        tmp_path / "p",
        project_name=TRICKY_NAME,
        description=TRICKY_DESCRIPTION,
        package_name="churn",
    )
    readme = (project / "README.md").read_text()
    assert readme.splitlines()[0] == f"# {TRICKY_NAME}"
    assert TRICKY_DESCRIPTION in readme.splitlines()
    assert "49" not in readme
    assert "xxx" not in readme
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == TRICKY_NAME
    assert answers["description"] == TRICKY_DESCRIPTION
    result = ruff(project, "check")  # free text never lands in Python code
    assert result.returncode == 0, output_of(result)


@pytest.mark.parametrize("package_name", ["1abc", "import", "my-pkg", "Churn", "tests", "a" * 41])
def test_bad_package_names_are_refused(tmp_path, package_name):
    with pytest.raises(ValueError, match="package_name"):
        render_project(tmp_path / "p", package_name=package_name)
    assert not (tmp_path / "p" / "README.md").exists()


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("project_name", "   "),
        ("project_name", "two\nlines"),
        ("team", "Fraud Analytics"),
        ("team", "fraud_analytics"),
        ("owner_email", "ada.lovelace"),
        ("owner_email", "ada@localhost"),
        ("retrain_schedule", "every monday"),
        ("retrain_schedule", "0 3 * *"),
        ("retrain_schedule", '0 3 * * 1"; curl evil'),
        ("python_version", "3.10"),
        ("ci_provider", "jenkins"),
        ("model_kind", "clustering"),
    ],
)
def test_bad_answers_are_refused(tmp_path, question, answer):
    with pytest.raises(ValueError, match=question):
        render_project(tmp_path / "p", **{question: answer})


@pytest.mark.parametrize(
    ("project_name", "package_name"),
    [
        ("Churn Model", "churn_model"),
        ("Fraud Detection 2.0", "fraud_detection_2_0"),
        ("2024 Churn!", "churn"),
        ("Import", "ml_project"),
        ("A project name that is much longer than any package name should be", None),
    ],
)
def test_package_name_default_is_a_valid_identifier(tmp_path, project_name, package_name):
    project = render_project(tmp_path / "p", project_name=project_name)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    derived = answers["package_name"]
    assert derived.isidentifier()
    assert len(derived) <= 40
    if package_name is not None:
        assert derived == package_name
    assert (project / derived / "api.py").is_file()


@pytest.mark.parametrize("model_kind", MODEL_KINDS)
def test_longest_package_name_still_lints(tmp_path, model_kind):
    project = render_project(
        tmp_path / "p", package_name="a_forty_character_package_name_for_lint_", model_kind=model_kind
    )
    for args in (["check"], ["format", "--check"]):
        result = ruff(project, *args)
        assert result.returncode == 0, output_of(result)
