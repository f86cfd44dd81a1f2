"""GitHubRemote against recorded GitHub REST responses (bodies as in the public API docs)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from provisioning.scaffold import GitHubRemote, RemoteAuthError, RemoteError, RemoteUnavailableError, RepoInfo
from provisioning.scaffold.remotes import GitRemote

API = "https://api.github.com"
TOKEN = "ghp_Sup3rS3cretT0kenValue0123456789abcd"
RECORDED = Path(__file__).parent / "recorded" / "github"
REPO_URL = f"{API}/repos/acme-ml/fraud"
AUTH = matchers.header_matcher(
    {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
)


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def remote() -> GitHubRemote:
    return GitHubRemote(API, "acme-ml", TOKEN)


def test_it_is_a_git_remote(remote) -> None:
    assert isinstance(remote, GitRemote)


def test_a_missing_repo_is_created_private_in_the_org(api, remote) -> None:
    api.get(REPO_URL, status=404, json=recorded("not_found"), match=[AUTH])
    api.post(
        f"{API}/orgs/acme-ml/repos",
        status=201,
        json=recorded("repo"),
        match=[
            AUTH,
            matchers.json_params_matcher(
                {"name": "fraud", "description": "Fraud detection", "private": True, "auto_init": False}
            ),
        ],
    )

    info = remote.ensure_repo("fraud", "Fraud detection")

    assert info == RepoInfo(
        clone_url="https://github.com/acme-ml/fraud.git", web_url="https://github.com/acme-ml/fraud"
    )


def test_an_existing_repo_is_used_as_is(api, remote) -> None:
    api.get(REPO_URL, json=recorded("repo"), match=[AUTH])  # no POST registered: creating would fail
    assert remote.ensure_repo("fraud", "Fraud detection").clone_url == "https://github.com/acme-ml/fraud.git"


def test_already_exists_from_a_concurrent_create_is_not_an_error(api, remote) -> None:
    api.get(REPO_URL, status=404, json=recorded("not_found"))
    api.post(f"{API}/orgs/acme-ml/repos", status=422, json=recorded("already_exists"))
    api.get(REPO_URL, json=recorded("repo"))
    assert remote.ensure_repo("fraud", "").web_url == "https://github.com/acme-ml/fraud"


def test_exists_but_invisible_to_the_token_is_a_clear_error(api, remote) -> None:
    api.get(REPO_URL, status=404, json=recorded("not_found"))
    api.post(f"{API}/orgs/acme-ml/repos", status=422, json=recorded("already_exists"))
    api.get(REPO_URL, status=404, json=recorded("not_found"))
    with pytest.raises(
        RemoteError, match="creating repository acme-ml/fraud failed .*HTTP 422.*already exists"
    ):
        remote.ensure_repo("fraud", "")


def test_the_team_gets_push_permission(api, remote) -> None:
    api.put(
        f"{API}/orgs/acme-ml/teams/ds-fraud/repos/acme-ml/fraud",
        status=204,
        match=[AUTH, matchers.json_params_matcher({"permission": "push"})],
    )
    remote.grant_group_access("fraud", "ds-fraud")


def test_an_unknown_team_is_a_clear_error(api, remote) -> None:
    api.put(
        f"{API}/orgs/acme-ml/teams/nobody/repos/acme-ml/fraud", status=404, json=recorded("team_not_found")
    )
    with pytest.raises(
        RemoteError, match=r"giving team nobody push on acme-ml/fraud failed \(HTTP 404: Not Found\)"
    ):
        remote.grant_group_access("fraud", "nobody")


def test_push_url_carries_the_token_for_git_only(api, remote) -> None:
    api.get(REPO_URL, json=recorded("repo"))
    assert remote.push_url("fraud") == f"https://x-access-token:{TOKEN}@github.com/acme-ml/fraud.git"


def test_bad_credentials_are_a_clear_error_without_the_token(api, remote, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    api.get(REPO_URL, status=401, json=recorded("bad_credentials"))

    with pytest.raises(
        RemoteAuthError, match=r"GitHub refused the portal's credentials .*HTTP 401: Bad credentials"
    ) as caught:
        remote.ensure_repo("fraud", "")

    assert caught.value.status == 401
    for text in (str(caught.value), repr(caught.value), repr(remote), str(vars(remote)), caplog.text):
        assert TOKEN not in text


def test_a_token_echoed_back_by_the_server_is_scrubbed(api, remote) -> None:
    api.get(REPO_URL, status=403, json={"message": f"token {TOKEN} lacks the repo scope"})
    with pytest.raises(RemoteAuthError, match=r"token \*\*\* lacks the repo scope") as caught:
        remote.ensure_repo("fraud", "")
    assert TOKEN not in str(caught.value)


def test_an_unreachable_api_is_retryable_and_says_so_without_the_token(api, remote) -> None:
    api.get(REPO_URL, body=requests.ConnectionError(f"connection refused (Authorization: Bearer {TOKEN})"))
    with pytest.raises(
        RemoteUnavailableError, match="GitHub at https://api.github.com unreachable"
    ) as caught:
        remote.ensure_repo("fraud", "")
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_server_errors_are_retryable(api, remote) -> None:
    api.get(REPO_URL, status=502, body="Bad Gateway")
    with pytest.raises(RemoteUnavailableError, match="HTTP 502: Bad Gateway"):
        remote.ensure_repo("fraud", "")
