"""The Terraform engine: one working dir per workspace, driven through our python-terraform adapter.

Everything comes from the run's snapshot (``ctx.spec``): the frozen module files, the variables,
the workspace. An approved apply applies the saved plan its preview made while Terraform accepts it
(a stale plan is planned again, and the log says so); applies nobody previewed plan and apply in
one command. Outputs are read from the state. No Django imports.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..cloud import strays
from ..cloud.sandbox import aws_client
from ..drift import attribute_changes
from ..runners.terraform import StalePlan, TerraformRunner, terraform_env
from ..workspace import VAR_FILE, mark_initialised, prepare_workspace, write_private
from .base import PlanSummary, RunContext, RunResult, TerraformSettings
from .tfstate import StateLocation, managed_resources, state_outputs


def state_schema(workspace: str) -> str:
    """The pg backend schema of a workspace: ``item-17`` → ``tfstate_item_17``."""
    return "tfstate_" + workspace.replace("-", "_")


def state_location(tf: TerraformSettings, workspace: str) -> StateLocation:
    if tf.state_backend == "pg":
        return StateLocation("pg", pg_conn=tf.pg_conn, schema=state_schema(workspace))
    return StateLocation("local", path=Path(tf.state_dir or tf.workspaces_dir) / f"{workspace}.tfstate")


def backend_block(location: StateLocation) -> tuple[dict, dict[str, str]]:
    """The backend block and the environment it needs (the connection string stays out of files)."""
    if location.backend == "pg":  # the schema is made by StateLocation.ensure (see there why)
        return ({"pg": {"schema_name": location.schema, "skip_schema_creation": True, "skip_table_creation": True,
                        "skip_index_creation": True}}, {"PG_CONN_STR": location.pg_conn})
    location.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {"local": {"path": str(location.path)}}, {}


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
    def _prepare(self, ctx: RunContext) -> tuple[TerraformRunner, StateLocation, Path]:
        tf, spec = ctx.settings.terraform, ctx.spec
        location = state_location(tf, spec.workspace)
        backend, backend_env = backend_block(location)
        workdir = Path(tf.workspaces_dir) / spec.workspace
        needs_init = prepare_workspace(workdir=workdir, module_files=spec.module_files, variables=spec.variables,
                                       provider_block=tf.provider_block, backend=backend)
        env = terraform_env(cli_config=tf.cli_config, extra={**tf.credentials_env, **backend_env})
        runner = TerraformRunner(workdir=workdir, env=env, on_line=ctx.log, on_tick=ctx.heartbeat,
                                 on_start=ctx.on_process, binary=tf.binary, tick_seconds=tf.tick_seconds,
                                 lock_timeout=tf.lock_timeout, stop_grace_seconds=tf.stop_grace_seconds,
                                 log_tag=f"run-{spec.run_id}")
        if needs_init:
            self._phase(ctx, "init")
            location.ensure()
            runner.init()
            mark_initialised(workdir)
        else:
            ctx.log("portal: init — skipped: this working dir is initialised for the same module and backend")
        return runner, location, workdir

    @staticmethod
    def _phase(ctx: RunContext, phase: str) -> None:
        ctx.heartbeat(phase=phase)
        ctx.log(f"portal: {phase} — started")

    @staticmethod
    def _plan_path(ctx: RunContext, workdir: Path) -> Path:
        return workdir / f"run-{ctx.spec.run_id}.tfplan"  # each run its own plan file

    def plan(self, ctx: RunContext) -> RunResult:
        """A preview for approvers; the plan file travels with the run (the apply uses it)."""
        runner, _, workdir = self._prepare(ctx)
        path = self._plan_path(ctx, workdir)
        try:
            self._phase(ctx, "plan")
            runner.plan(var_file=VAR_FILE, out=path.name, destroy=ctx.spec.destroying)
            summary = summarize_plan(runner.show_plan(path.name), with_attributes=True)
            saved = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
        return RunResult(plan_summary=summary.as_dict(), saved_plan=saved)

    def apply(self, ctx: RunContext) -> RunResult:
        """Outputs by name, read from the state; the sensitive ones named (the worker seals them)."""
        runner, location, workdir = self._prepare(ctx)
        self._terminate_strays(ctx, location)
        self._phase(ctx, "apply")
        used = self._applied_saved_plan(ctx, runner, workdir)
        if not used:
            runner.apply(var_file=VAR_FILE)
        ctx.heartbeat(phase="outputs")
        result = self._outputs(runner, location)
        result.used_saved_plan = used
        return result

    def destroy(self, ctx: RunContext) -> RunResult:
        runner, location, workdir = self._prepare(ctx)
        self._terminate_strays(ctx, location)
        if not managed_resources(location.read()):
            ctx.log("portal: the state holds no resources; nothing to destroy")
            return RunResult()
        self._phase(ctx, "destroy")
        used = self._applied_saved_plan(ctx, runner, workdir)
        if not used:
            runner.destroy(var_file=VAR_FILE)
        return RunResult(used_saved_plan=used)

    def check_drift(self, ctx: RunContext) -> PlanSummary:
        """``plan -detailed-exitcode`` with the item's declared variables: what an apply would change to
        bring the cloud back to them (nothing: in sync). Changes nothing; the plan file is only read."""
        runner, _, workdir = self._prepare(ctx)
        path = self._plan_path(ctx, workdir)
        try:
            self._phase(ctx, "plan")
            differs = runner.check_drift(var_file=VAR_FILE, out=path.name)
            summary = summarize_plan(runner.show_plan(path.name), with_attributes=True)
        finally:
            path.unlink(missing_ok=True)
        if differs and not summary.has_changes:
            ctx.log("portal: only outputs differ; the resources match their declared values")
        return summary

    @staticmethod
    def _terminate_strays(ctx: RunContext, location: StateLocation) -> None:
        """After a run stopped part-way: terminate the machines tagged as this item's that the state does
        not hold (see provisioning.cloud.strays), so nothing exists twice."""
        target, item = ctx.settings.terraform.cloud, (ctx.spec.variables.get("tags") or {}).get(strays.ITEM_TAG)
        if not (ctx.spec.after_interruption and target is not None and item):
            return
        ctx.heartbeat(phase="strays")
        ec2 = aws_client("ec2", region=target.region, sandbox_url=target.sandbox_url)
        found = strays.stray_instances(ec2, item=str(item), recorded=strays.recorded_instances(location.read()))
        if not found:
            ctx.log("portal: the last run here was stopped part-way; no machine it made is missing from the state")
            return
        ctx.log(f"portal: the last run here was stopped part-way and left {len(found)} machine(s) the state never "
                f"recorded; terminating {', '.join(found)}")
        strays.terminate(ec2, found)

    @staticmethod
    def _applied_saved_plan(ctx: RunContext, runner: TerraformRunner, workdir: Path) -> bool:
        """Apply the preview's saved plan; False when there is none or Terraform finds it stale."""
        spec = ctx.spec
        if not spec.saved_plan:
            ctx.log("portal: no saved plan to apply; planning and applying in one step")
            return False
        path = workdir / f"run-{spec.run_id}-approved.tfplan"
        write_private(path, spec.saved_plan)
        try:
            ctx.log(f"portal: applying the plan of preview run #{spec.saved_plan_run} (what the approvers saw)")
            runner.apply_plan(path.name)
            return True
        except StalePlan:
            ctx.log(f"portal: the plan of run #{spec.saved_plan_run} is stale (the state changed since it was "
                    "made); planning again with the same values")
            return False
        finally:
            path.unlink(missing_ok=True)

    @staticmethod
    def _outputs(runner: TerraformRunner, location: StateLocation) -> RunResult:
        outputs = None
        with contextlib.suppress(Exception):  # the state is Terraform's format: fall back to asking it
            outputs = state_outputs(location.read())
        if outputs is None:
            outputs = runner.outputs()
        return RunResult(outputs={name: out.get("value") for name, out in outputs.items()},
                         sensitive=frozenset(name for name, out in outputs.items() if out.get("sensitive")))
