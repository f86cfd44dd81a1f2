"""The repo kind: a run renders the scaffold and pushes a clone-able repo; a re-run adds nothing."""

import json
from pathlib import Path

import git
import responses
import yaml
from responses import matchers

from portal.onboarding.models import RequestItem
from provisioning.executor import execute_run
from provisioning.scaffold import BareDirectoryRemote, GitLabRemote
from tests.fixtures.runs import make_run

FIXTURES = Path(__file__).resolve().parents[1] / "scaffold" / "fixtures"
RECORDED_GITLAB = Path(__file__).resolve().parents[1] / "scaffold" / "recorded" / "gitlab"
GITLAB_API = "https://gitlab.example.com/api/v4"


def recorded_gitlab(name: str):
    return json.loads((RECORDED_GITLAB / f"{name}.json").read_text())


def test_repo_run_pushes_main_once(in_process_worker, make_item, tmp_path):
    in_process_worker.PORTAL_SCAFFOLDS_DIR = FIXTURES
    item = make_item("repo", "scaffold", "mini-v1", {"name": "churn-model", "project_name": "Churn {{ 7*7 }}"})
    item.request.requester.email = "requester@example.org"
    item.request.requester.save()

    first = execute_run(make_run(item=item, action="apply").pk)
    assert first.status == "succeeded", first.error
    clone = git.Repo.clone_from(first.outputs["clone_url"], tmp_path / "clone")
    head = clone.head.commit
    assert head.author.name == "Onboarding portal"
    assert "Co-authored-by: requester <requester@example.org>" in head.message
    assert first.outputs["commit_sha"] == head.hexsha and first.outputs["scaffold_version"] == "v1"
    files = [p for p in (tmp_path / "clone").rglob("*") if p.is_file() and ".git" not in p.parts]
    rendered = "\n".join(p.read_text() for p in files)
    assert "Churn {{ 7*7 }}" in rendered and "Churn 49" not in rendered  # values are data, not template code

    # The worker died after pushing and the run is retried: same commit, no new one.
    item = RequestItem.objects.get(pk=item.pk)
    again = execute_run(make_run(item=item, action="apply").pk)
    assert again.status == "succeeded" and again.outputs["commit_sha"] == head.hexsha
    clone.remotes.origin.fetch()
    assert len(list(clone.iter_commits("origin/main"))) == 1


def test_repo_from_the_ml_project_scaffold(in_process_worker, make_item, tmp_path):
    item = make_item("repo", "scaffold", "ml-project", {
        "name": "churn-model", "project_name": "Churn Model", "ci_provider": "gitlab", "model_kind": "regressor"})
    run = execute_run(make_run(item=item, action="apply").pk)
    assert run.status == "succeeded", run.error
    clone = tmp_path / "clone"
    git.Repo.clone_from(run.outputs["clone_url"], clone)
    assert (clone / "churn_model" / "predict.py").is_file()
    assert (clone / ".gitlab-ci.yml").is_file() and not (clone / ".github").exists()
    answers = (clone / ".copier-answers.yml").read_text()
    assert "team: churn-modelling" in answers and "_commit: v1" in answers


class LocalGitLab(GitLabRemote):
    """GitLab's API from recorded responses; its git side a local bare directory (no network here)."""

    def __init__(self, root):
        super().__init__(GITLAB_API, "ml-teams", "glpat-EngineTestT0ken")
        self.bare = BareDirectoryRemote(root)

    def ensure_repo(self, name, description):
        return self.bare.ensure_repo(name, description)

    def push_url(self, name):
        return self.bare.push_url(name)

    def grant_group_access(self, name, group):
        pass


def test_a_gitlab_repo_gets_its_retraining_schedule_once(in_process_worker, make_item, monkeypatch):
    remote = LocalGitLab(in_process_worker.PORTAL_GIT_ROOT)
    monkeypatch.setattr("provisioning.engines.scaffold.git_remote", lambda config: remote)
    item = make_item("repo", "scaffold", "ml-project", {
        "name": "churn-model", "project_name": "Churn Model", "ci_provider": "gitlab",
        "retrain_schedule": "0 3 * * 1"})
    project = f"{GITLAB_API}/projects/ml-teams%2Fchurn-modelling-churn-model"
    schedules = f"{GITLAB_API}/projects/4711/pipeline_schedules"
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(project, json=recorded_gitlab("project"))
        api.get(f"{schedules}?per_page=100&page=1", json=[])  # first run: none yet
        api.get(f"{schedules}?per_page=100&page=1", json=[recorded_gitlab("pipeline_schedule")])  # then ours
        api.post(schedules, status=201, json=recorded_gitlab("pipeline_schedule"), match=[
            matchers.json_params_matcher({"description": "Scheduled retraining (set up by the onboarding portal)",
                                          "ref": "main", "cron": "0 3 * * 1", "cron_timezone": "UTC",
                                          "active": True})])

        first = execute_run(make_run(item=item, action="apply").pk)
        assert first.status == "succeeded", first.error
        assert first.outputs["retrain_schedule"] == "0 3 * * 1 (UTC)"
        # The worker died after scheduling and the run is retried: the schedule is found, not duplicated.
        again = execute_run(make_run(item=RequestItem.objects.get(pk=item.pk), action="apply").pk)
        assert again.status == "succeeded", again.error
        assert [c.request.method for c in api.calls].count("POST") == 1

    lines = list(again.log_lines.values_list("text", flat=True))
    assert any("kept the existing GitLab pipeline schedule #14" in line for line in lines)


def test_github_ci_needs_no_schedule_call_the_workflow_has_the_cron(in_process_worker, make_item, tmp_path):
    item = make_item("repo", "scaffold", "ml-project", {
        "name": "churn-gh", "project_name": "Churn GH", "ci_provider": "github", "retrain_schedule": "15 4 1 * *"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        run = execute_run(make_run(item=item, action="apply").pk)
        assert len(api.calls) == 0
    assert run.status == "succeeded", run.error
    assert "retrain_schedule" not in run.outputs
    clone = tmp_path / "clone"
    git.Repo.clone_from(run.outputs["clone_url"], clone)
    workflow = yaml.safe_load((clone / ".github/workflows/retrain.yml").read_text())
    assert workflow[True]["schedule"] == [{"cron": "15 4 1 * *"}]  # YAML 1.1 reads the key "on" as True


def test_decommission_lets_go_of_a_hosted_repo_without_deleting_it(in_process_worker, make_item, monkeypatch):
    remote = LocalGitLab(in_process_worker.PORTAL_GIT_ROOT)
    monkeypatch.setattr("provisioning.engines.scaffold.git_remote", lambda config: remote)
    item = make_item("repo", "scaffold", "ml-project", {"name": "kept-code"})
    with responses.RequestsMock() as api:  # no API call at all: nothing is deleted
        run = execute_run(make_run(item=item, action="destroy").pk)
        assert len(api.calls) == 0
    assert run.status == "succeeded", run.error
    lines = list(run.log_lines.values_list("text", flat=True))
    assert any("is on a hosted remote and is not deleted" in line for line in lines)
