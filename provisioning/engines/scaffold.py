"""The scaffold engine: render the item's copier scaffold and publish it to the team's git remote."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from ..scaffold import (
    BareDirectoryRemote,
    GitHubRemote,
    GitLabRemote,
    cached_scaffold,
    materialise_scaffold,
    publish_repo,
    render_scaffold,
    upgrade_repo,
)
from ..scaffold.answers import read_answers
from .base import EngineUnavailable, PlanSummary, RunContext


def git_remote():
    kind = settings.PORTAL_GIT_REMOTE
    if kind == "bare":
        return BareDirectoryRemote(settings.PORTAL_GIT_ROOT, public_url=settings.PORTAL_GIT_PUBLIC_URL)
    if not (settings.PORTAL_GIT_API_URL and settings.PORTAL_GIT_NAMESPACE and settings.PORTAL_GIT_TOKEN):
        raise EngineUnavailable(f"The {kind} remote needs PORTAL_GIT_API_URL, _NAMESPACE and _TOKEN.")
    if kind == "github":
        return GitHubRemote(settings.PORTAL_GIT_API_URL, settings.PORTAL_GIT_NAMESPACE, settings.PORTAL_GIT_TOKEN)
    if kind == "gitlab":
        return GitLabRemote(settings.PORTAL_GIT_API_URL, settings.PORTAL_GIT_NAMESPACE, settings.PORTAL_GIT_TOKEN)
    raise EngineUnavailable(f"Unknown git remote kind '{kind}' (PORTAL_GIT_REMOTE: bare, github or gitlab).")


def repo_name(item) -> str:
    return f"{item.request.team.slug}-{item.values['name']}"


def scaffold_answers(item) -> dict:
    """The requester's values are data for the scaffold's questions; the portal adds who owns it."""
    requester = item.request.requester
    answers = {k: v for k, v in item.values.items() if k != "name"}
    answers.update(team=item.request.team.slug, owner_email=requester.email or f"{requester.username}@invalid")
    answers.setdefault("project_name", item.values["name"])
    return answers


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


class ScaffoldEngine:
    def plan(self, ctx: RunContext) -> PlanSummary:
        name = repo_name(ctx.item)
        ctx.log(f"portal: would render scaffold '{ctx.item.template_version.module}' and push {name} (main)")
        return PlanSummary(add=1, resources=[{"address": f"git_repository.{name}", "type": "git_repository",
                                              "actions": ["create"]}])

    def apply(self, ctx: RunContext) -> dict:
        item, version = ctx.item, ctx.item.template_version
        ctx.heartbeat(phase="render")
        source = materialise_scaffold(Path(settings.PORTAL_SCAFFOLDS_DIR) / version.module,
                                      version=version.number, cache_dir=settings.PORTAL_SCAFFOLD_CACHE)
        ctx.log(f"portal: rendering scaffold {version.module} {source.ref}")
        requester = item.request.requester
        with tempfile.TemporaryDirectory(prefix="portal-render-") as tmp:
            rendered = render_scaffold(source.src_path, source.ref, scaffold_answers(item), Path(tmp) / "out")
            ctx.heartbeat(phase="push")
            remote = git_remote()
            result = publish_repo(
                remote, repo_name(item), rendered, author=settings.PORTAL_GIT_AUTHOR,
                co_author=(str(requester), requester.email or f"{requester.username}@invalid"),
                message=f"Scaffold {version.module} {source.ref} for {item.request.team.slug}\n\n"
                        f"Requested in onboarding request #{item.request_id}.",
                description=item.values.get("description", ""),
            )
            remote.grant_group_access(repo_name(item), item.request.team.slug)
            ctx.log(f"portal: pushed {result.commit_sha[:12]} to {result.clone_url}"
                    + ("" if result.created else " (already there: nothing new pushed)"))
            scheduled = schedule_retraining(ctx, remote, repo_name(item), read_answers(rendered))
        return {"clone_url": result.clone_url, "commit_sha": result.commit_sha, "scaffold_version": source.ref,
                **scheduled}

    def upgrade(self, ctx: RunContext) -> dict:
        """Push ``portal/upgrade-v<M>`` moving the repo to the template's newest published version M."""
        pinned = ctx.item.template_version
        newest = pinned.template.published_version()
        if newest is None or newest.number <= pinned.number:
            raise EngineUnavailable(f"{repo_name(ctx.item)} is on v{pinned.number}, the newest published version.")
        if newest.module != pinned.module:
            raise EngineUnavailable(f"v{newest.number} uses scaffold {newest.module}, not {pinned.module}: "
                                "a repo can only be upgraded within one scaffold.")
        ctx.heartbeat(phase="render")
        source = materialise_scaffold(Path(settings.PORTAL_SCAFFOLDS_DIR) / newest.module,
                                      version=newest.number, cache_dir=settings.PORTAL_SCAFFOLD_CACHE)
        # The repo's own version can't be re-made from the directory (it now holds the newest one):
        # it must still be in the cache from when the repo was created.
        if cached_scaffold(pinned.module, version=pinned.number, cache_dir=settings.PORTAL_SCAFFOLD_CACHE) is None:
            raise EngineUnavailable(f"scaffold {pinned.module} v{pinned.number} is not in the scaffold cache; "
                                "restore it before upgrading")
        ctx.log(f"portal: upgrading {repo_name(ctx.item)} from v{pinned.number} to {source.ref}")
        ctx.heartbeat(phase="push")
        result = upgrade_repo(git_remote(), repo_name(ctx.item), scaffold_src=source.src_path,
                              new_ref=source.ref, author=settings.PORTAL_GIT_AUTHOR)
        if not result.changed:
            ctx.log(f"portal: nothing to upgrade: {source.ref} changes nothing in this repo (no branch pushed)")
        elif result.conflicts:
            ctx.log(f"portal: pushed {result.branch} at {result.commit_sha[:12]} with conflicts to resolve: "
                    + ", ".join(result.conflicts))
        else:
            ctx.log(f"portal: pushed {result.branch} at {result.commit_sha[:12]}; merge it when it suits the team")
        return {"upgrade_branch": result.branch or "", "commit_sha": result.commit_sha or "",
                "conflicts": result.conflicts, "to_version": result.to_ref, "changed": result.changed}

    def destroy(self, ctx: RunContext) -> None:
        remote = git_remote()
        if not isinstance(remote, BareDirectoryRemote):
            # Code outlives environments: the portal lets go of it (a decommission or an offboarding
            # goes on) and leaves deleting or archiving it to the team on the hosted remote.
            ctx.log(f"portal: {repo_name(ctx.item)} is on a hosted remote and is not deleted: the portal stops "
                    "managing it; archive or delete it there if the team no longer needs it")
            return
        path = remote.path(repo_name(ctx.item))
        shutil.rmtree(path, ignore_errors=True)
        ctx.log(f"portal: removed {path.name}")
