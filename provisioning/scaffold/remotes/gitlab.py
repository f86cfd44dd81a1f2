"""GitLab (gitlab.com or self-managed) through its REST API v4: projects in a group, group shares,
and the pipeline schedule that runs a generated project's scheduled retraining."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import requests

from ..errors import RemoteError
from .base import RepoInfo, check_repo_name
from .rest import JsonApi, Secret, segment, with_credentials

log = logging.getLogger(__name__)

DEVELOPER = 30  # GitLab access level: push to non-protected branches, open merge requests
RETRAIN_SCHEDULE = "Scheduled retraining (set up by the onboarding portal)"  # how a re-run finds its own
_CRON = re.compile(r"^[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){4}$")
_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")


@dataclass(frozen=True)
class PipelineSchedule:
    """A GitLab pipeline schedule; ``created``/``updated`` say what this call did to it."""

    id: int
    cron: str
    ref: str
    cron_timezone: str
    active: bool
    created: bool = False
    updated: bool = False


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

    def ensure_pipeline_schedule(
        self,
        name: str,
        *,
        cron: str,
        ref: str = "main",
        cron_timezone: str = "UTC",
        description: str = RETRAIN_SCHEDULE,
    ) -> PipelineSchedule:
        """Make project ``name`` run its pipeline on ``cron`` (the CI file's ``schedule`` jobs).

        Idempotent: a schedule with this ``description`` is reused, never duplicated; if its cron,
        branch or time zone differ it is edited to match (whether it is active is left to the team).
        """
        if not _CRON.match(cron):
            raise RemoteError(f"not a 5-field cron expression: {cron!r}")
        if not _BRANCH.match(ref) or ".." in ref:
            raise RemoteError(f"not a branch name: {ref!r}")
        project = self._require(name)
        base = f"/projects/{project['id']}/pipeline_schedules"
        wanted = {"description": description, "ref": ref, "cron": cron, "cron_timezone": cron_timezone}
        existing = self._find_schedule(base, description, f"{self.group_path}/{name}")
        if existing is None:
            response = self._api.call("POST", base, json={**wanted, "active": True}, ok=(201,))
            if response.status_code != 201:
                raise self._api.fail(f"scheduling pipelines of {self.group_path}/{name}", response)
            log.info("created pipeline schedule %r (%s) for %s/%s", description, cron, self.group_path, name)
            return _as_schedule(response.json(), created=True)
        current = _as_schedule(existing)
        if (current.cron, _branch(current.ref), current.cron_timezone) == (cron, ref, cron_timezone):
            return current
        response = self._api.call("PUT", f"{base}/{current.id}", json=wanted)
        if response.status_code != 200:
            raise self._api.fail(f"editing pipeline schedule {current.id} of {self.group_path}/{name}", response)
        log.info("edited pipeline schedule %s of %s/%s to %s", current.id, self.group_path, name, cron)
        return _as_schedule(response.json(), updated=True)

    def _find_schedule(self, base: str, description: str, full_path: str) -> dict[str, Any] | None:
        page = 1
        while True:
            response = self._api.call("GET", f"{base}?per_page=100&page={page}")
            if response.status_code != 200:
                raise self._api.fail(f"listing pipeline schedules of {full_path}", response)
            schedules = response.json()
            found = next((s for s in schedules if s.get("description") == description), None)
            if found is not None or len(schedules) < 100:
                return found
            page += 1

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


def _branch(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _as_schedule(data: dict[str, Any], *, created: bool = False, updated: bool = False) -> PipelineSchedule:
    return PipelineSchedule(
        id=int(data["id"]),
        cron=str(data["cron"]),
        ref=_branch(str(data.get("ref") or "")),
        cron_timezone=str(data.get("cron_timezone") or "UTC"),
        active=bool(data.get("active", True)),
        created=created,
        updated=updated,
    )
