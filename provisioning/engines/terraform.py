"""The Terraform engine: one working dir per item, driven through our python-terraform adapter."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from portal.core.secrets import seal

from ..config import cli_config, cloud_target, state_backend, workdir_for
from ..drift import attribute_changes
from ..runners.terraform import TerraformRunner, terraform_env
from ..workspace import VAR_FILE, prepare_workspace
from .base import PlanSummary, RunContext


def ownership_tags(item) -> dict[str, str]:
    return {
        "portal:team": item.request.team.slug,
        "portal:request": str(item.request_id),
        "portal:item": str(item.pk),
    }


def terraform_variables(item, inputs: dict | None = None) -> dict:
    """Requester values (minus portal-only answers) and values fed by earlier items (they win over
    the requester's), then admin-fixed values (they win over both), then the ownership tags."""
    return {**item.template_version.engine_values({**item.values, **(inputs or {})}), "tags": ownership_tags(item)}


def summarize_plan(plan: dict, *, with_attributes: bool = False) -> PlanSummary:
    """Counts and resources of a ``terraform show -json`` plan; ``with_attributes`` adds, to each
    resource that changes or is replaced, the attributes that differ (see provisioning.drift)."""
    summary = PlanSummary()
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or actions == ["read"]:
            continue
        summary.add += "create" in actions
        summary.destroy += "delete" in actions
        summary.change += actions == ["update"]
        resource = {"address": change["address"], "type": change["type"], "actions": actions}
        if with_attributes and ("update" in actions or {"create", "delete"} <= set(actions)):
            resource["attributes"] = attribute_changes(change["change"])
        summary.resources.append(resource)
    return summary


class TerraformEngine:
    def _runner(self, ctx: RunContext) -> TerraformRunner:
        item = ctx.item
        target = cloud_target()
        backend, backend_env = state_backend(item)
        workdir = prepare_workspace(
            workdir=workdir_for(item),
            module_dir=Path(settings.TERRAFORM_MODULES_DIR) / item.template_version.module,
            variables=terraform_variables(item, ctx.inputs), target=target, backend=backend,
        )
        env = terraform_env(cli_config=cli_config(), extra={**target.credentials_env(), **backend_env})
        runner = TerraformRunner(workdir=workdir, env=env, on_line=ctx.log, on_tick=ctx.heartbeat,
                                 on_start=ctx.on_process, binary=settings.TERRAFORM_BIN,
                                 tick_seconds=settings.RUN_HEARTBEAT_SECONDS,
                                 lock_timeout=settings.TERRAFORM_LOCK_TIMEOUT,
                                 stop_grace_seconds=settings.RUN_STOP_GRACE_SECONDS)
        self._phase(ctx, "init")
        runner.init()
        return runner

    @staticmethod
    def _phase(ctx: RunContext, phase: str) -> None:
        ctx.heartbeat(phase=phase)
        ctx.log(f"portal: {phase} — started")

    def plan(self, ctx: RunContext, *, destroy: bool = False) -> PlanSummary:
        runner = self._runner(ctx)
        self._phase(ctx, "plan")
        runner.plan(var_file=VAR_FILE, destroy=destroy)
        return summarize_plan(runner.show_plan(), with_attributes=True)  # a change of values: what differs

    def apply(self, ctx: RunContext) -> dict:
        """Outputs by name; sensitive ones sealed (encrypted) before they leave the engine."""
        runner = self._runner(ctx)
        self._phase(ctx, "plan")
        runner.plan(var_file=VAR_FILE)
        self._phase(ctx, "apply")
        runner.apply()
        ctx.heartbeat(phase="outputs")
        return {name: (seal(out.get("value")) if out.get("sensitive") else out.get("value"))
                for name, out in runner.outputs().items()}

    def check_drift(self, ctx: RunContext) -> PlanSummary:
        """``plan -detailed-exitcode`` with the item's values: what an apply would change to bring the
        cloud back to them (nothing: in sync). Changes nothing; the plan file is only read."""
        runner = self._runner(ctx)
        self._phase(ctx, "plan")
        differs = runner.check_drift(var_file=VAR_FILE)
        summary = summarize_plan(runner.show_plan(), with_attributes=True)
        if differs and not summary.has_changes:
            ctx.log("portal: only outputs differ; the resources match their declared values")
        return summary

    def destroy(self, ctx: RunContext) -> None:
        runner = self._runner(ctx)
        if not runner.state_addresses():
            ctx.log("portal: the state holds no resources; nothing to destroy")
            return
        self._phase(ctx, "destroy")
        runner.destroy(var_file=VAR_FILE)
