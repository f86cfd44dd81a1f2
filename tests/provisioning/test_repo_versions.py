"""After a team merges the portal's upgrade branch the repo stops being "behind": a worker reads main's
``.copier-answers.yml`` (periodically, and when the dashboard shows repos behind). The request page
explains an upgrade run: branch to merge, clone URL, conflicting files, what to do."""

import html

import pytest
from django.core.cache import cache

from portal.audit.models import AuditEvent
from portal.inventory import repo_versions
from portal.inventory.models import ProvisionedResource
from portal.inventory.repo_versions import check_repo_versions
from portal.inventory.selectors import active_resources, repos_behind
from portal.inventory.tasks import check_repo_versions_task
from tests.provisioning.test_repo_upgrades import BRANCH, git, repo, upgrade  # noqa: F401  (fixture)


def team_merges(resource, tmp_path, *, resolve: str | None = None) -> str:
    """What the team does with the upgrade branch: merge it into main (resolving a conflict) and push."""
    clone = tmp_path / "team-clone"
    git("clone", "-q", resource.bare, str(clone))
    git("switch", "-q", BRANCH, cwd=clone)
    if resolve:
        (clone / "train.py").write_text(resolve)
        git("commit", "-q", "-am", "resolve the upgrade's conflicts", cwd=clone)
        git("push", "-q", "origin", BRANCH, cwd=clone)
    git("switch", "-q", "main", cwd=clone)
    git("merge", "-q", "--no-ff", "-m", "Merge the template upgrade", BRANCH, cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone)


def behind_names(team) -> list[str]:
    return [b.resource.name for b in repos_behind(active_resources(team))]


def team_edits_main(resource, tmp_path) -> None:
    clone = tmp_path / "edit-clone"
    git("clone", "-q", resource.bare, str(clone))
    train = clone / "train.py"
    train.write_text(train.read_text().replace("EPOCHS = 10", "EPOCHS = 15"))
    git("commit", "-q", "-am", "more epochs", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)


def test_a_merged_upgrade_branch_takes_the_repo_off_the_behind_list(
        repo, demo, tmp_path, client, django_capture_on_commit_callbacks):  # noqa: F811
    team = repo.team
    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)
    assert run.status == "succeeded" and run.outputs["conflicts"] == []

    # Pushed, not merged: main still names v1, so the repo stays behind (the commit is remembered).
    assert check_repo_versions() == []
    resource = ProvisionedResource.objects.get(pk=repo.pk)
    assert resource.outputs["scaffold_version"] == "v1"
    assert resource.outputs["scaffold_checked_commit"] == repo.main_sha
    assert behind_names(team) == ["fraud"]

    merged = team_merges(repo, tmp_path)
    assert check_repo_versions() == [{"resource": repo.pk, "from": "v1", "to": "v2"}]

    resource.refresh_from_db()
    assert resource.outputs["scaffold_version"] == "v2" and resource.outputs["scaffold_checked_commit"] == merged
    assert resource.outputs["clone_url"] == repo.outputs["clone_url"]  # the other outputs stay
    assert behind_names(team) == []
    event = AuditEvent.objects.get(verb="resource.scaffold_version_changed")
    assert event.data == {"name": "fraud", "from": "v1", "to": "v2", "main": merged} and event.actor is None
    client.force_login(demo.people["requester"])
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert 'data-upgrade="fraud"' not in page and "Every repository is on its template" in page

    # Checked again at the same main: nothing is fetched, nothing recorded.
    def no_fetch(*args, **kwargs):
        raise AssertionError("main did not move: no fetch expected")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repo_versions, "branch_version", no_fetch)
        assert check_repo_versions() == []
    assert AuditEvent.objects.filter(verb="resource.scaffold_version_changed").count() == 1


def test_conflicts_resolved_and_merged_count_too_and_the_request_page_says_what_to_do(
        repo, demo, tmp_path, client, django_capture_on_commit_callbacks):  # noqa: F811
    team_edits_main(repo, tmp_path)
    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)
    assert run.outputs["conflicts"] == ["train.py"]

    client.force_login(demo.people["requester"])
    page = html.unescape(client.get(f"/requests/{repo.item.request_id}/").content.decode())
    assert 'data-upgrade-result="conflicts"' in page
    assert "Upgrade branch pushed with 1 file to resolve before merging." in page
    assert '<ul class="upgrade-conflicts"><li><code>train.py</code></li></ul>' in page
    assert f"<code data-upgrade-branch>{BRANCH}</code>" in page
    assert f"<code data-upgrade-clone-url>{repo.outputs['clone_url']}</code>" in page
    assert "<<<<<<< before updating" in page and f"git push origin {BRANCH}" in page
    assert "['train.py']" not in page  # not the raw list any more
    fragment = html.unescape(client.get(f"/requests/{repo.item.request_id}/progress/").content.decode())
    assert "<li><code>train.py</code></li>" in fragment and BRANCH in fragment  # the live fragment says the same

    team_merges(repo, tmp_path, resolve="EPOCHS = 20\n")
    check_repo_versions_task(resource_pks=[repo.pk])
    assert behind_names(repo.team) == []


def test_a_clean_upgrade_says_merge_it(repo, demo, client, django_capture_on_commit_callbacks):  # noqa: F811
    run = upgrade(repo, demo.people["requester"], django_capture_on_commit_callbacks)
    client.force_login(demo.people["requester"])
    page = html.unescape(client.get(f"/requests/{repo.item.request_id}/").content.decode())
    assert 'data-upgrade-result="clean"' in page and "Clean upgrade branch pushed: merge it." in page
    assert f"<code data-upgrade-branch>{BRANCH}</code>" in page and run.outputs["commit_sha"][:12] in page
    assert "Files with conflicts" not in page
    assert f"git switch main && git merge {BRANCH} && git push origin main" in page


def test_the_dashboard_asks_a_worker_to_reread_main_at_most_once_a_minute(
        repo, demo, client, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    cache.clear()
    sent = []
    monkeypatch.setattr(check_repo_versions_task, "delay", lambda **kwargs: sent.append(kwargs))
    client.force_login(demo.people["requester"])
    url = f"/teams/{repo.team.slug}/"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url).content.decode()
    assert sent == [{"resource_pks": [repo.pk]}]
    assert "data-version-checked" in page and "last read" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert len(sent) == 1  # throttled

    check_repo_versions(resource_pks=sent[0]["resource_pks"])  # what the worker does with it
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url).content.decode()
    assert len(sent) == 1  # read a moment ago: no new check
    assert "last read" in page


def test_one_unreadable_repo_does_not_stop_the_others(repo, make_item, in_process_worker, caplog):  # noqa: F811
    other = make_item("scaffolded", "scaffold", "mini", {"name": "gone"})
    ProvisionedResource.objects.create(item=other, team=other.request.team, template_version=other.template_version,
                                       kind="repo", name="gone", outputs={"scaffold_version": "v1"})
    assert check_repo_versions() == []  # "gone" has no repo on the remote; fraud is still checked
    assert ProvisionedResource.objects.get(pk=repo.pk).outputs["scaffold_checked_commit"] == repo.main_sha
    assert "cannot read the scaffold version of repo gone" in caplog.text


def test_a_git_remote_without_its_settings_is_logged_not_raised(repo, in_process_worker, caplog):  # noqa: F811
    in_process_worker.PORTAL_GIT_REMOTE = "gitlab"
    in_process_worker.PORTAL_GIT_TOKEN = ""
    assert check_repo_versions() == []
    assert "cannot check repo versions: The gitlab remote needs PORTAL_GIT_API_URL" in caplog.text
