"""The repo kind: a run renders the scaffold and pushes a clone-able repo; a re-run adds nothing."""

from pathlib import Path

import git

from portal.onboarding.models import RequestItem
from provisioning.executor import execute_run
from provisioning.models import Run

FIXTURES = Path(__file__).resolve().parents[1] / "scaffold" / "fixtures"


def test_repo_run_pushes_main_once(in_process_worker, make_item, tmp_path):
    in_process_worker.PORTAL_SCAFFOLDS_DIR = FIXTURES
    item = make_item("repo", "scaffold", "mini-v1", {"name": "churn-model", "project_name": "Churn {{ 7*7 }}"})
    item.request.requester.email = "requester@example.org"
    item.request.requester.save()

    first = execute_run(Run.objects.create(item=item, action="apply").pk)
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
    again = execute_run(Run.objects.create(item=item, action="apply").pk)
    assert again.status == "succeeded" and again.outputs["commit_sha"] == head.hexsha
    clone.remotes.origin.fetch()
    assert len(list(clone.iter_commits("origin/main"))) == 1


def test_repo_from_the_ml_project_scaffold(in_process_worker, make_item, tmp_path):
    item = make_item("repo", "scaffold", "ml-project", {
        "name": "churn-model", "project_name": "Churn Model", "ci_provider": "gitlab", "model_kind": "regressor"})
    run = execute_run(Run.objects.create(item=item, action="apply").pk)
    assert run.status == "succeeded", run.error
    clone = tmp_path / "clone"
    git.Repo.clone_from(run.outputs["clone_url"], clone)
    assert (clone / "churn_model" / "predict.py").is_file()
    assert (clone / ".gitlab-ci.yml").is_file() and not (clone / ".github").exists()
    answers = (clone / ".copier-answers.yml").read_text()
    assert "team: churn-modelling" in answers and "_commit: v1" in answers
