"""GitLab (gitlab.com or self-managed) through its REST API v4: projects in a group, group shares."""

from __future__ import annotations

import logging
from typing import Any

import requests

from ..errors import RemoteError
from .base import RepoInfo, check_repo_name
from .rest import JsonApi, Secret, segment, with_credentials

log = logging.getLogger(__name__)

DEVELOPER = 30  # GitLab access level: push to non-protected branches, open merge requests


class GitLabRemote:
    """Projects under ``group_path``; ``grant_group_access`` shares a project with another group."""

    def __init__(
        self,
        api_url: str,
        group_path: str,
        token: str,
        *,
        access_level: int = DEVELOPER,
        session: requests.Session | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.group_path, self.access_level = group_path.strip("/"), access_level
        self._token = Secret(token)
        self._api = JsonApi("GitLab", api_url, self._headers, self._token, session=session, timeout=timeout)

    def __repr__(self) -> str:
        return f"GitLabRemote(api_url={self._api.base_url!r}, group_path={self.group_path!r})"

    def _headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": self._token.reveal()}

    def ensure_repo(self, name: str, description: str) -> RepoInfo:
        project = self._project(name)
        if project is None:
            body = {
                "name": name,
                "path": name,
                "namespace_id": self._group_id(self.group_path),
                "description": description,
                "visibility": "private",
                "initialize_with_readme": False,
            }
            response = self._api.call("POST", "/projects", json=body, ok=(201,))
            if response.status_code == 201:
                log.info("created GitLab project %s/%s", self.group_path, name)
                project = response.json()
            elif response.status_code == 400 and "has already been taken" in response.text:
                project = self._project(name)  # created concurrently, e.g. by a retried task
            if project is None:
                raise self._api.fail(f"creating project {self.group_path}/{name}", response)
        return RepoInfo(clone_url=project["http_url_to_repo"], web_url=project["web_url"])

    def push_url(self, name: str) -> str:
        project = self._require(name)
        return with_credentials(project["http_url_to_repo"], "oauth2", self._token)

    def grant_group_access(self, name: str, group: str) -> None:
        project = self._require(name)
        body = {"group_id": self._group_id(group), "group_access": self.access_level}
        response = self._api.call("POST", f"/projects/{project['id']}/share", json=body, ok=(201,))
        if response.status_code == 409:  # "Group already shared with this group": nothing to do
            log.info("GitLab project %s/%s already shared with %s", self.group_path, name, group)
            return
        if response.status_code != 201:
            raise self._api.fail(f"sharing {self.group_path}/{name} with group {group}", response)
        log.info("shared GitLab project %s/%s with %s", self.group_path, name, group)

    def _project(self, name: str) -> dict[str, Any] | None:
        full_path = f"{self.group_path}/{check_repo_name(name)}"
        response = self._api.call("GET", f"/projects/{segment(full_path)}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._api.fail(f"reading project {full_path}", response)
        data: dict[str, Any] = response.json()
        return data

    def _require(self, name: str) -> dict[str, Any]:
        project = self._project(name)
        if project is None:
            raise RemoteError(f"GitLab project {self.group_path}/{name} does not exist", status=404)
        return project

    def _group_id(self, group_path: str) -> int:
        response = self._api.call("GET", f"/groups/{segment(group_path.strip('/'))}")
        if response.status_code != 200:
            raise self._api.fail(f"finding group {group_path}", response)
        return int(response.json()["id"])
