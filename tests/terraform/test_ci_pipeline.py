"""ci_pipeline applies in the sandbox (project + IAM role, checked with boto3) and destroys; its
repository URL is an https:// one, or http:// to loopback (the embedded run's read-only git server).

moto ignores CodeBuild's delete (the provider deletes by ARN, moto looks the project up by name),
so after destroy this test checks what is true: Terraform exits 0, the state is empty and the
IAM role is gone — not that the project disappeared.
"""

from __future__ import annotations

import json

import pytest

from .conftest import planned_changes, refused_plan, scenario

TAGS = {"team": "vision", "request": "45", "item": "3"}
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make test\n"


@scenario("ci_pipeline")
def ci_pipeline_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "vision-detector-ci",
        "repo_url": "https://github.com/acme-ml/vision-detector.git",
        "source_type": "GITHUB",
        "branch": "main",
        "buildspec": BUILDSPEC,
        "compute_type": "BUILD_GENERAL1_MEDIUM",
        "image": "aws/codebuild/standard:7.0",
        "build_timeout_minutes": 90,
        "environment_variables": {"MODEL_NAME": "detector", "STAGE": "ci"},
        "tags": TAGS,
    }
    codebuild, iam = sandbox_client("codebuild"), sandbox_client("iam")

    out = run.apply(variables)

    assert out["project_name"] == "vision-detector-ci"
    [project] = codebuild.batch_get_projects(names=["vision-detector-ci"])["projects"]
    assert project["arn"] == out["project_arn"]
    assert project["source"]["type"] == "GITHUB"
    assert project["source"]["location"] == "https://github.com/acme-ml/vision-detector.git"
    assert project["source"]["buildspec"] == BUILDSPEC
    assert project["sourceVersion"] == "main"
    assert project["environment"]["computeType"] == "BUILD_GENERAL1_MEDIUM"
    assert project["environment"]["image"] == "aws/codebuild/standard:7.0"
    env = {v["name"]: v["value"] for v in project["environment"]["environmentVariables"]}
    assert env == {"MODEL_NAME": "detector", "STAGE": "ci"}
    assert project["timeoutInMinutes"] == 90
    assert {t["key"]: t["value"] for t in project["tags"]} == {**TAGS, "Name": "vision-detector-ci"}
    assert project["serviceRole"] == out["service_role_arn"]
    role = iam.get_role(RoleName="vision-detector-ci-codebuild")["Role"]
    assert role["Arn"] == out["service_role_arn"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert iam.list_role_policies(RoleName="vision-detector-ci-codebuild")["PolicyNames"] == ["build-logs"]

    run.destroy(variables)  # exits 0 (a failure raises)

    assert run.state_resources() == []
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert "vision-detector-ci-codebuild" not in roles


@pytest.mark.parametrize("job", [ci_pipeline_apply_and_destroy], ids=["ci_pipeline"])
def test_ci_pipeline_apply_and_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


def pipeline_for(repo_url: str) -> dict:
    return {"name": "vision-url-check", "repo_url": repo_url, "source_type": "GITHUB",
            "image": "aws/codebuild/standard:7.0", "tags": TAGS}


# A plan takes 10-25 s here, so one case each way; an https:// URL is applied by the scenario above, the
# embedded run's http://127.0.0.1 URL by tests/e2e/test_ml_starter.py, and tests/catalog/test_builtin_catalog.py
# checks more URLs (lookalike hosts, loopback as a user name…) against this module's own pattern.
ACCEPTED_URLS = {
    "ipv6-loopback-http": "http://[::1]:5056/acme/vision-detector.git",
}


@pytest.mark.parametrize("check", [planned_changes("ci_pipeline", pipeline_for(url)) for url in ACCEPTED_URLS.values()],
                         ids=list(ACCEPTED_URLS))
def test_ci_pipeline_builds_from_loopback_http(terraform_jobs, check):
    plan = terraform_jobs.result(check)  # ``terraform show -json`` of the plan (made in the background)

    planned = {r["address"]: r["change"]["after"] for r in plan["resource_changes"] if r["mode"] == "managed"}
    assert planned["aws_codebuild_project.this"]["source"][0]["location"] == check.variables["repo_url"]


REFUSED_URLS = {
    "plain-http": "http://git.example.org/acme-ml/vision-detector.git",
}


@pytest.mark.parametrize("refusal", [refused_plan("ci_pipeline", pipeline_for(url)) for url in REFUSED_URLS.values()],
                         ids=list(REFUSED_URLS))
def test_ci_pipeline_refuses_other_repository_urls(terraform_jobs, refusal):
    output = terraform_jobs.result(refusal)  # the plan's output (it ran in the background)
    assert "The repository URL must be an https:// clone URL" in output
