"""GitHub (github.com or Enterprise Server) through its REST API: org repos and team permissions."""

from __future__ import annotations

import logging
from typing import Any

import requests

from ..errors import RemoteError
from .base import RepoInfo, check_repo_name
from .rest import JsonApi, Secret, segment, with_credentials

log = logging.getLogger(__name__)


class GitHubRemote:
    """Repos in ``org``; ``grant_group_access`` gives a team (by slug) ``permission`` on a repo."""

    def __init__(
        self,
        api_url: str,
        org: str,
        token: str,
        *,
        permission: str = "push",
        session: requests.Session | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.org, self.permission = org, permission
        self._token = Secret(token)
        self._api = JsonApi("GitHub", api_url, self._headers, self._token, session=session, timeout=timeout)

    def __repr__(self) -> str:
        return f"GitHubRemote(api_url={self._api.base_url!r}, org={self.org!r})"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token.reveal()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def ensure_repo(self, name: str, description: str) -> RepoInfo:
        repo = self._get(name)
        if repo is None:
            body = {"name": name, "description": description, "private": True, "auto_init": False}
            response = self._api.call("POST", f"/orgs/{segment(self.org)}/repos", json=body, ok=(201,))
            if response.status_code == 201:
                log.info("created GitHub repository %s/%s", self.org, name)
                repo = response.json()
            elif response.status_code == 422 and "already exists" in response.text:
                repo = self._get(name)  # created concurrently, e.g. by a retried task
            if repo is None:
                raise self._api.fail(f"creating repository {self.org}/{name}", response)
        return RepoInfo(clone_url=repo["clone_url"], web_url=repo["html_url"])

    def push_url(self, name: str) -> str:
        repo = self._get(name)
        if repo is None:
            raise RemoteError(f"GitHub repository {self.org}/{name} does not exist", status=404)
        return with_credentials(repo["clone_url"], "x-access-token", self._token)

    def grant_group_access(self, name: str, group: str) -> None:
        path = f"/orgs/{segment(self.org)}/teams/{segment(group)}/repos/{segment(self.org)}/{segment(name)}"
        response = self._api.call("PUT", path, json={"permission": self.permission}, ok=(204,))
        if response.status_code != 204:
            raise self._api.fail(f"giving team {group} {self.permission} on {self.org}/{name}", response)
        log.info("team %s has %s on GitHub repository %s/%s", group, self.permission, self.org, name)

    def _get(self, name: str) -> dict[str, Any] | None:
        response = self._api.call("GET", f"/repos/{segment(self.org)}/{segment(check_repo_name(name))}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._api.fail(f"reading repository {self.org}/{name}", response)
        data: dict[str, Any] = response.json()
        return data
