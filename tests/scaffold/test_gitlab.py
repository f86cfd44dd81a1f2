"""GitLabRemote against recorded GitLab REST v4 responses (bodies as in the public API docs)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import responses
from responses import matchers

from provisioning.scaffold import GitLabRemote, RemoteAuthError, RemoteError, RepoInfo
from provisioning.scaffold.remotes import GitRemote

API = "https://gitlab.example.com/api/v4"
TOKEN = "glpat-Sup3rS3cretT0kenValue01"
RECORDED = Path(__file__).parent / "recorded" / "gitlab"
PROJECT_URL = f"{API}/projects/ml-teams%2Ffraud%2Ffraud"
AUTH = matchers.header_matcher({"PRIVATE-TOKEN": TOKEN})


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def remote() -> GitLabRemote:
    return GitLabRemote(API, "ml-teams/fraud", TOKEN)


def test_it_is_a_git_remote(remote) -> None:
    assert isinstance(remote, GitRemote)


def test_a_missing_project_is_created_private_in_the_group(api, remote) -> None:
    api.get(PROJECT_URL, status=404, json=recorded("project_not_found"), match=[AUTH])
    api.get(f"{API}/groups/ml-teams%2Ffraud", json=recorded("group"), match=[AUTH])
    api.post(
        f"{API}/projects",
        status=201,
        json=recorded("project"),
        match=[
            AUTH,
            matchers.json_params_matcher(
                {
                    "name": "fraud",
                    "path": "fraud",
                    "namespace_id": 88,
                    "description": "Fraud detection",
                    "visibility": "private",
                    "initialize_with_readme": False,
                }
            ),
        ],
    )

    info = remote.ensure_repo("fraud", "Fraud detection")

    assert info == RepoInfo(
        clone_url="https://gitlab.example.com/ml-teams/fraud/fraud.git",
        web_url="https://gitlab.example.com/ml-teams/fraud/fraud",
    )


def test_an_existing_project_is_used_as_is(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"), match=[AUTH])
    assert remote.ensure_repo("fraud", "").web_url == "https://gitlab.example.com/ml-teams/fraud/fraud"


def test_already_taken_from_a_concurrent_create_is_not_an_error(api, remote) -> None:
    api.get(PROJECT_URL, status=404, json=recorded("project_not_found"))
    api.get(f"{API}/groups/ml-teams%2Ffraud", json=recorded("group"))
    api.post(f"{API}/projects", status=400, json=recorded("already_taken"))
    api.get(PROJECT_URL, json=recorded("project"))
    assert remote.ensure_repo("fraud", "").clone_url.endswith("/ml-teams/fraud/fraud.git")


def test_a_missing_parent_group_is_a_clear_error(api, remote) -> None:
    api.get(PROJECT_URL, status=404, json=recorded("project_not_found"))
    api.get(f"{API}/groups/ml-teams%2Ffraud", status=404, json=recorded("group_not_found"))
    with pytest.raises(
        RemoteError, match=r"finding group ml-teams/fraud failed \(HTTP 404: 404 Group Not Found\)"
    ):
        remote.ensure_repo("fraud", "")


def test_the_team_group_gets_developer_access(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(f"{API}/groups/teams%2Fds-fraud", json=recorded("team_group"))
    api.post(
        f"{API}/projects/4711/share",
        status=201,
        json=recorded("share"),
        match=[AUTH, matchers.json_params_matcher({"group_id": 91, "group_access": 30})],
    )
    remote.grant_group_access("fraud", "teams/ds-fraud")


def test_sharing_again_is_not_an_error(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(f"{API}/groups/teams%2Fds-fraud", json=recorded("team_group"))
    api.post(f"{API}/projects/4711/share", status=409, json=recorded("already_shared"))
    remote.grant_group_access("fraud", "teams/ds-fraud")


def test_sharing_a_missing_project_is_a_clear_error(api, remote) -> None:
    api.get(PROJECT_URL, status=404, json=recorded("project_not_found"))
    with pytest.raises(RemoteError, match="GitLab project ml-teams/fraud/fraud does not exist"):
        remote.grant_group_access("fraud", "teams/ds-fraud")


def test_push_url_carries_the_token_for_git_only(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    assert remote.push_url("fraud") == f"https://oauth2:{TOKEN}@gitlab.example.com/ml-teams/fraud/fraud.git"


def test_unauthorized_is_a_clear_error_without_the_token(api, remote, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    api.get(PROJECT_URL, status=401, json=recorded("unauthorized"))

    with pytest.raises(
        RemoteAuthError, match=r"GitLab refused the portal's credentials .*HTTP 401: 401 Unauthorized"
    ) as caught:
        remote.ensure_repo("fraud", "")

    for text in (str(caught.value), repr(caught.value), repr(remote), str(vars(remote)), caplog.text):
        assert TOKEN not in text


SCHEDULES_URL = f"{API}/projects/4711/pipeline_schedules"
LIST_URL = f"{SCHEDULES_URL}?per_page=100&page=1"
RETRAIN = "Scheduled retraining (set up by the onboarding portal)"


def test_the_retraining_schedule_is_created_when_there_is_none(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"), match=[AUTH])
    api.get(LIST_URL, json=[recorded("pipeline_schedules")[0]], match=[AUTH])  # only the team's own
    api.post(
        SCHEDULES_URL,
        status=201,
        json=recorded("pipeline_schedule"),
        match=[
            AUTH,
            matchers.json_params_matcher(
                {"description": RETRAIN, "ref": "main", "cron": "0 3 * * 1", "cron_timezone": "UTC", "active": True}
            ),
        ],
    )

    schedule = remote.ensure_pipeline_schedule("fraud", cron="0 3 * * 1")

    assert (schedule.id, schedule.cron, schedule.ref, schedule.cron_timezone) == (14, "0 3 * * 1", "main", "UTC")
    assert schedule.created and not schedule.updated and schedule.active


def test_a_rerun_finds_the_schedule_and_creates_no_second_one(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(LIST_URL, json=recorded("pipeline_schedules"))
    # No POST and no PUT registered: any would fail the test (and assert_all_requests_are_fired
    # checks that the list was read).

    schedule = remote.ensure_pipeline_schedule("fraud", cron="0 3 * * 1")

    assert schedule.id == 14 and not schedule.created and not schedule.updated
    assert schedule.active is False  # the team paused it: left paused
    assert [c.request.method for c in api.calls] == ["GET", "GET"]


def test_a_changed_cron_edits_the_same_schedule(api, remote) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(LIST_URL, json=recorded("pipeline_schedules"))
    api.put(
        f"{SCHEDULES_URL}/14",
        json=recorded("pipeline_schedule_edited"),
        match=[
            AUTH,
            matchers.json_params_matcher(
                {"description": RETRAIN, "ref": "main", "cron": "15 4 1 * *", "cron_timezone": "UTC"}
            ),
        ],
    )

    schedule = remote.ensure_pipeline_schedule("fraud", cron="15 4 1 * *")

    assert (schedule.id, schedule.cron, schedule.updated, schedule.created) == (14, "15 4 1 * *", True, False)


def test_the_schedule_list_is_read_page_by_page(api, remote) -> None:
    others = [{**recorded("pipeline_schedules")[0], "id": n, "description": f"team job {n}"} for n in range(100)]
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(LIST_URL, json=others)
    api.get(f"{SCHEDULES_URL}?per_page=100&page=2", json=[recorded("pipeline_schedules")[1]])
    assert remote.ensure_pipeline_schedule("fraud", cron="0 3 * * 1").id == 14


@pytest.mark.parametrize("cron", ["0 3 * *", "0 3 * * 1; rm -rf /", "@weekly", ""])
def test_a_bad_cron_is_refused_before_any_call(api, remote, cron) -> None:
    with pytest.raises(RemoteError, match="not a 5-field cron expression"):
        remote.ensure_pipeline_schedule("fraud", cron=cron)
    assert len(api.calls) == 0


def test_gitlab_refusing_the_schedule_is_a_clear_error(api, remote, caplog) -> None:
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(LIST_URL, json=[])
    api.post(SCHEDULES_URL, status=400, json=recorded("cron_invalid"))
    with pytest.raises(RemoteError, match=r"scheduling pipelines of ml-teams/fraud/fraud failed \(HTTP 400: .*cron"):
        remote.ensure_pipeline_schedule("fraud", cron="0 3 * * 1")


def test_a_token_without_the_right_to_schedule_is_an_auth_error(api, remote, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    api.get(PROJECT_URL, json=recorded("project"))
    api.get(LIST_URL, status=403, json=recorded("forbidden"))
    with pytest.raises(RemoteAuthError, match="HTTP 403: 403 Forbidden") as caught:
        remote.ensure_pipeline_schedule("fraud", cron="0 3 * * 1")
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text
