"""The scaffold engine: render the item's copier scaffold and publish it to the team's git remote.

The run's snapshot holds everything it needs (``spec.variables``): ``repo_name``, ``team``, the
scaffold ``answers``, ``co_author`` and ``request``; an upgrade also ``to`` (the newest published version
and its scaffold). The scaffold's files come frozen with the run (``spec.module_files``; an upgrade also
the newest version's, ``spec.upgrade_module_files``), so any worker can render or upgrade; only a run
queued before scaffolds were frozen reads the templates directory. No Django imports.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..scaffold import (
    BareDirectoryRemote,
    GitHubRemote,
    GitLabRemote,
    ScaffoldSource,
    cached_scaffold,
    materialise_frozen,
    materialise_scaffold,
    publish_repo,
    render_scaffold,
    upgrade_repo,
)
from ..scaffold.answers import read_answers
from .base import EngineUnavailable, PlanSummary, RunContext, RunResult


def git_remote(config: Mapping):
    """The team's git remote from the scaffold settings (``provisioning.config.scaffold_settings``)."""
    kind = config.get("remote", "bare")
    if kind == "bare":
        return BareDirectoryRemote(config["git_root"], public_url=config.get("public_url"))
    if not (config.get("api_url") and config.get("namespace") and config.get("token")):
        raise EngineUnavailable(f"The {kind} remote needs PORTAL_GIT_API_URL, _NAMESPACE and _TOKEN.")
    if kind == "github":
        return GitHubRemote(config["api_url"], config["namespace"], config["token"])
    if kind == "gitlab":
        return GitLabRemote(config["api_url"], config["namespace"], config["token"])
    raise EngineUnavailable(f"Unknown git remote kind '{kind}' (PORTAL_GIT_REMOTE: bare, github or gitlab).")


def repo_name(team_slug: str, name: str) -> str:
    return f"{team_slug}-{name}"


def schedule_retraining(ctx: RunContext, remote, name: str, answers: dict) -> dict:
    """GitLab runs the CI file's ``schedule`` jobs only from a pipeline schedule made through its API;
    GitHub Actions needs nothing (the cron is in the retrain workflow). Returns extra outputs."""
    cron = answers.get("retrain_schedule")
    if answers.get("ci_provider") != "gitlab" or not isinstance(cron, str) or not cron:
        return {}
    if not isinstance(remote, GitLabRemote):
        ctx.log(f"portal: the repo's CI is GitLab CI but its remote is not GitLab: no pipeline schedule was made; "
                f"create one for main with the cron '{cron}' (UTC) where its CI runs")
        return {}
    schedule = remote.ensure_pipeline_schedule(name, cron=cron, ref="main", cron_timezone="UTC")
    done = "created" if schedule.created else "updated" if schedule.updated else "kept the existing"
    ctx.log(f"portal: {done} GitLab pipeline schedule #{schedule.id} for retraining: '{schedule.cron}' "
            f"({schedule.cron_timezone}) on {schedule.ref}{'' if schedule.active else ' (paused by the team)'}")
    return {"retrain_schedule": f"{schedule.cron} ({schedule.cron_timezone})"}


def scaffold_source(config: Mapping, module: str, files: Mapping[str, str], version: int) -> ScaffoldSource:
    """Tag ``v<version>`` of ``module`` in this worker's cache, from the run's frozen files."""
    if files:
        return materialise_frozen(module, dict(files), version=version, cache_dir=config["cache_dir"])
    return materialise_scaffold(Path(config["scaffolds_dir"]) / module, version=version, cache_dir=config["cache_dir"])


class ScaffoldEngine:
    def plan(self, ctx: RunContext) -> RunResult:
        name = ctx.spec.variables["repo_name"]
        ctx.log(f"portal: would render scaffold '{ctx.spec.module}' and push {name} (main)")
        summary = PlanSummary(add=1, resources=[{"address": f"git_repository.{name}", "type": "git_repository",
                                                 "actions": ["create"]}])
        return RunResult(plan_summary=summary.as_dict())

    def apply(self, ctx: RunContext) -> RunResult:
        spec, config, v = ctx.spec, ctx.settings.scaffold, ctx.spec.variables
        ctx.heartbeat(phase="render")
        source = scaffold_source(config, spec.module, spec.module_files, v["version"])
        ctx.log(f"portal: rendering scaffold {spec.module} {source.ref}")
        name = v["repo_name"]
        with tempfile.TemporaryDirectory(prefix="portal-render-") as tmp:
            rendered = render_scaffold(source.src_path, source.ref, dict(v["answers"]), Path(tmp) / "out")
            ctx.heartbeat(phase="push")
            remote = git_remote(config)
            result = publish_repo(
                remote, name, rendered, author=tuple(config["author"]), co_author=tuple(v["co_author"]),
                message=f"Scaffold {spec.module} {source.ref} for {v['team']}\n\n"
                        f"Requested in onboarding request #{v['request']}.",
                description=v.get("description", ""),
            )
            remote.grant_group_access(name, v["team"])
            ctx.log(f"portal: pushed {result.commit_sha[:12]} to {result.clone_url}"
                    + ("" if result.created else " (already there: nothing new pushed)"))
            scheduled = schedule_retraining(ctx, remote, name, read_answers(rendered))
        return RunResult(outputs={"clone_url": result.clone_url, "commit_sha": result.commit_sha,
                                  "scaffold_version": source.ref, **scheduled})

    def upgrade(self, ctx: RunContext) -> RunResult:
        """Push ``portal/upgrade-v<M>`` moving the repo to the newest published version M (``to``)."""
        spec, config, v = ctx.spec, ctx.settings.scaffold, ctx.spec.variables
        name, pinned, newest = v["repo_name"], v["version"], v.get("to") or {}
        if not newest or newest["version"] <= pinned:
            raise EngineUnavailable(f"{name} is on v{pinned}, the newest published version.")
        if newest["module"] != spec.module:
            raise EngineUnavailable(f"v{newest['version']} uses scaffold {newest['module']}, not {spec.module}: "
                                    "a repo can only be upgraded within one scaffold.")
        ctx.heartbeat(phase="render")
        # The repo's own version first, from its frozen files (the directory now holds the newest one).
        if spec.module_files:
            scaffold_source(config, spec.module, spec.module_files, pinned)
        elif cached_scaffold(spec.module, version=pinned, cache_dir=config["cache_dir"]) is None:
            raise EngineUnavailable(f"scaffold {spec.module} v{pinned} was never frozen and is not in this "
                                    "worker's scaffold cache; publish it again as a new version")
        source = scaffold_source(config, newest["module"], spec.upgrade_module_files, newest["version"])
        ctx.log(f"portal: upgrading {name} from v{pinned} to {source.ref}")
        ctx.heartbeat(phase="push")
        result = upgrade_repo(git_remote(config), name, scaffold_src=source.src_path, new_ref=source.ref,
                              author=tuple(config["author"]))
        if not result.changed:
            ctx.log(f"portal: nothing to upgrade: {source.ref} changes nothing in this repo (no branch pushed)")
        elif result.conflicts:
            ctx.log(f"portal: pushed {result.branch} at {result.commit_sha[:12]} with conflicts to resolve: "
                    + ", ".join(result.conflicts))
        else:
            ctx.log(f"portal: pushed {result.branch} at {result.commit_sha[:12]}; merge it when it suits the team")
        return RunResult(outputs={"upgrade_branch": result.branch or "", "commit_sha": result.commit_sha or "",
                                  "conflicts": result.conflicts, "to_version": result.to_ref,
                                  "changed": result.changed})

    def destroy(self, ctx: RunContext) -> RunResult:
        name = ctx.spec.variables["repo_name"]
        remote = git_remote(ctx.settings.scaffold)
        if not isinstance(remote, BareDirectoryRemote):
            # Code outlives environments: the portal lets go of it (a decommission or an offboarding
            # goes on) and leaves deleting or archiving it to the team on the hosted remote.
            ctx.log(f"portal: {name} is on a hosted remote and is not deleted: the portal stops "
                    "managing it; archive or delete it there if the team no longer needs it")
            return RunResult()
        path = remote.path(name)
        shutil.rmtree(path, ignore_errors=True)
        ctx.log(f"portal: removed {path.name}")
        return RunResult()
