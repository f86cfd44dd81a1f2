"""Upgrading a repo behind its template: a run pushes ``portal/upgrade-v<M>`` for the team to merge;
conflicts are listed, main and the request are left alone, only the team (or staff) may ask."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.audit.models import AuditEvent
from portal.catalog.models import TemplateVersion
from portal.core.errors import ApplicationError, PermissionDenied
from portal.inventory.models import ProvisionedResource
from portal.inventory.selectors import active_resources, repos_behind
from portal.inventory.services import record_resource
from portal.onboarding.models import OnboardingRequest, RequestItem
from portal.onboarding.services import request_repo_upgrade
from portal.teams.models import Team
from provisioning.executor import execute_run
from provisioning.models import Run
from tests.fixtures.runs import make_run

FIXTURES = Path(__file__).resolve().parents[1] / "scaffold" / "fixtures"
BRANCH = "portal/upgrade-v2"
USER_GIT = {"GIT_AUTHOR_NAME": "Someone", "GIT_AUTHOR_EMAIL": "someone@example.org",
            "GIT_COMMITTER_NAME": "Someone", "GIT_COMMITTER_EMAIL": "someone@example.org"}


def git(*args, cwd=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **USER_GIT}, capture_output=True,
                          text=True, check=True, timeout=60).stdout.strip()


@pytest.fixture
def repo(in_process_worker, make_item, tmp_path, django_capture_on_commit_callbacks):
    """An active repo made from scaffold ``mini`` v1; then ``mini`` holds v2 and v2 is published."""
    scaffolds = tmp_path / "scaffold-dirs"
    shutil.copytree(FIXTURES / "mini-v1", scaffolds / "mini")
    in_process_worker.PORTAL_SCAFFOLDS_DIR = scaffolds
    item = make_item("repo", "scaffold", "mini", {"name": "fraud", "project_name": "fraud"})
    run = execute_run(make_run(item=item, action="apply").pk)
    assert run.status == "succeeded", run.error
    OnboardingRequest.objects.filter(pk=item.request_id).update(status="active")
    RequestItem.objects.filter(pk=item.pk).update(status="active")
    resource = record_resource(item=item, outputs=run.outputs)

    shutil.rmtree(scaffolds / "mini")
    shutil.copytree(FIXTURES / "mini-v2", scaffolds / "mini")
    v1 = item.template_version
    TemplateVersion.objects.create(template=v1.template, number=2, engine="scaffold", module="mini",
                                   status="published", parameter_schema=v1.parameter_schema)
    resource.bare = str(in_process_worker.PORTAL_GIT_ROOT / "churn-modelling-fraud.git")
    resource.main_sha = run.outputs["commit_sha"]
    return resource


def upgrade(resource, actor, capture) -> Run:
    with capture(execute=False):
        run = request_repo_upgrade(resource=resource, actor=actor)
    return execute_run(run.pk)


def test_upgrade_pushes_a_branch_and_leaves_main_the_request_and_the_outputs_alone(
        repo, demo, django_capture_on_commit_callbacks):
    team = repo.team
    assert [b.resource.pk for b in repos_behind(active_resources(team))] == [repo.pk]

    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)

    assert run.status == "succeeded", run.error
    assert run.outputs["upgrade_branch"] == BRANCH and run.outputs["conflicts"] == []
    assert run.outputs["to_version"] == "v2" and run.outputs["changed"] is True
    assert git("--git-dir", repo.bare, "rev-parse", "main") == repo.main_sha
    assert git("--git-dir", repo.bare, "rev-parse", BRANCH) == run.outputs["commit_sha"]
    assert "EPOCHS = 20" in git("--git-dir", repo.bare, "show", f"{BRANCH}:train.py")
    assert "EPOCHS = 10" in git("--git-dir", repo.bare, "show", "main:train.py")
    # An upgrade run is not provisioning: the request, the item and the resource's outputs stay.
    assert OnboardingRequest.objects.get(pk=repo.item.request_id).status == "active"
    assert RequestItem.objects.get(pk=repo.item_id).status == "active"
    assert ProvisionedResource.objects.get(pk=repo.pk).outputs["scaffold_version"] == "v1"
    assert AuditEvent.objects.filter(verb="resource.upgrade_requested").count() == 1
    assert any("pushed portal/upgrade-v2" in line for line in run.log_lines.values_list("text", flat=True))

    # Asked again: the same branch, nothing new pushed.
    again = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)
    assert again.status == "succeeded" and again.outputs["commit_sha"] == run.outputs["commit_sha"]


def test_a_worker_that_never_saw_either_version_upgrades_from_the_frozen_scaffolds(
        repo, demo, in_process_worker, django_capture_on_commit_callbacks):
    """Another host: no scaffold cache, no templates directory. Both versions' files come with the run."""
    from portal.catalog.modules import freeze_module

    newest = TemplateVersion.objects.get(template=repo.item.template_version.template, number=2)
    assert freeze_module(newest) is not None  # publishing freezes the scaffold's files
    shutil.rmtree(in_process_worker.PORTAL_SCAFFOLD_CACHE)
    shutil.rmtree(in_process_worker.PORTAL_SCAFFOLDS_DIR)

    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)

    assert run.status == "succeeded", run.error
    assert run.outputs["upgrade_branch"] == BRANCH and run.outputs["conflicts"] == []
    assert "EPOCHS = 20" in git("--git-dir", repo.bare, "show", f"{BRANCH}:train.py")
    assert "EPOCHS = 10" in git("--git-dir", repo.bare, "show", "main:train.py")


def test_a_conflicting_edit_on_main_is_listed_not_forced(repo, demo, tmp_path, django_capture_on_commit_callbacks):
    clone = tmp_path / "user-clone"
    git("clone", "-q", repo.bare, str(clone))
    train = clone / "train.py"
    train.write_text(train.read_text().replace("EPOCHS = 10", "EPOCHS = 15"))
    git("commit", "-q", "-am", "more epochs", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    user_main = git("--git-dir", repo.bare, "rev-parse", "main")

    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)

    assert run.status == "succeeded", run.error
    assert run.outputs["conflicts"] == ["train.py"] and run.outputs["upgrade_branch"] == BRANCH
    assert git("--git-dir", repo.bare, "rev-parse", "main") == user_main


def test_an_upgrade_already_merged_changes_nothing_and_says_so(repo, demo, django_capture_on_commit_callbacks):
    first = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)
    git("--git-dir", repo.bare, "update-ref", "refs/heads/main", first.outputs["commit_sha"])  # the team merged
    git("--git-dir", repo.bare, "branch", "-D", BRANCH)

    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)

    assert run.status == "succeeded", run.error
    assert run.outputs == {"upgrade_branch": "", "commit_sha": "", "conflicts": [], "to_version": "v2",
                           "changed": False}
    assert any("nothing to upgrade" in line for line in run.log_lines.values_list("text", flat=True))
    assert git("--git-dir", repo.bare, "branch", "--list", "portal/*") == ""


def test_only_the_team_or_staff_may_upgrade_and_only_a_repo_behind(repo, demo, make_user,
                                                                    django_capture_on_commit_callbacks):
    other = Team.objects.create(slug="other-team", name="Other", kind=Team.Kind.MODELLING)
    with pytest.raises(PermissionDenied):
        request_repo_upgrade(resource=repo, actor=make_user("outsider", team=other))
    assert not Run.objects.filter(action="upgrade").exists()

    with django_capture_on_commit_callbacks(execute=False) as sent:
        request_repo_upgrade(resource=repo, actor=demo.people["admin"])
    assert len(sent) == 1
    with pytest.raises(ApplicationError, match="already queued"):
        request_repo_upgrade(resource=repo, actor=demo.people["requester"])

    ProvisionedResource.objects.filter(pk=repo.pk).update(outputs={**repo.outputs, "scaffold_version": "v2"})
    Run.objects.filter(action="upgrade").update(status="cancelled")
    repo.refresh_from_db()
    with pytest.raises(ApplicationError, match="not behind"):
        request_repo_upgrade(resource=repo, actor=demo.people["requester"])


def test_the_dashboard_button_posts_and_shows_the_result(repo, demo, make_user, client,
                                                          django_capture_on_commit_callbacks):
    url = f"/teams/churn-modelling/resources/{repo.pk}/upgrade/"
    other = Team.objects.create(slug="other-team", name="Other", kind=Team.Kind.MODELLING)
    client.force_login(make_user("outsider", team=other))
    assert client.post(url).status_code == 404
    client.force_login(demo.people["requester"])
    assert client.get(url).status_code == 405
    page = client.get("/teams/churn-modelling/").content.decode()
    assert f'action="{url}"' in page and 'data-upgrade="fraud"' in page

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert client.post(url).status_code == 302
    assert len(sent) == 1
    assert "Upgrade queued" in client.get("/teams/churn-modelling/").content.decode()
    execute_run(Run.objects.get(action="upgrade").pk)
    page = client.get("/teams/churn-modelling/").content.decode()
    assert f"Branch <code>{BRANCH}</code> pushed (v2); no conflicts." in page


def test_other_engines_refuse_an_upgrade(in_process_worker, make_item):
    item = make_item("ldap-group", "directory", "group", {"name": "fraud-readers"})
    run = execute_run(make_run(item=item, action="upgrade").pk)
    assert run.status == "failed" and "Only repositories can be upgraded." in run.error
