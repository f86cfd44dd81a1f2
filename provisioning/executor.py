"""What a worker does with one run: prepare the item's working dir and drive Terraform."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings

from .config import cli_config, cloud_target, state_backend, workdir_for
from .models import Run
from .runners.terraform import TerraformFailed, TerraformRunner, terraform_env
from .services import LogWriter, RunLost, claim_run, fail_run, finish_run, heartbeat, worker_name
from .workspace import VAR_FILE, prepare_workspace

log = logging.getLogger(__name__)
MASK = "(sensitive)"


def ownership_tags(item) -> dict[str, str]:
    return {
        "portal:team": item.request.team.slug,
        "portal:request": str(item.request_id),
        "portal:item": str(item.pk),
    }


def terraform_variables(item) -> dict:
    """Requester values, then admin-fixed values (they win), then the ownership tags."""
    version = item.template_version
    return {**item.values, **version.fixed_values, "tags": ownership_tags(item)}


def execute_run(run_pk: int) -> Run | None:
    """Claim and carry out a run; returns it ended, or None if it was not ours to run."""
    run = claim_run(run_pk=run_pk, worker=worker_name())
    if run is None:
        log.info("run %s is not queued any more; nothing to do", run_pk)
        return None
    writer = LogWriter(run)
    try:
        outputs = _apply(run, writer)
    except RunLost:
        log.warning("run %s was taken from this worker", run_pk)
        return None
    except TerraformFailed as error:
        return fail_run(run=run, error=_explain(error))
    except Exception as error:  # a run must always end with a reason, whatever broke
        log.exception("run %s broke", run_pk)
        writer(f"portal: {type(error).__name__}: {error}")
        return fail_run(run=run, error=f"The worker could not carry out the run: {error}")
    return finish_run(run=run, outputs=outputs)


def _apply(run: Run, writer: LogWriter) -> dict:
    item = run.item
    target = cloud_target()
    backend, backend_env = state_backend(item)
    workdir = prepare_workspace(
        workdir=workdir_for(item),
        module_dir=Path(settings.TERRAFORM_MODULES_DIR) / item.template_version.module,
        variables=terraform_variables(item), target=target, backend=backend,
    )
    env = terraform_env(cli_config=cli_config(), extra={**target.credentials_env(), **backend_env})
    last_beat = [time.monotonic()]

    def tick() -> None:
        heartbeat(run=run)
        last_beat[0] = time.monotonic()

    def on_line(text: str) -> None:
        writer(text)
        if time.monotonic() - last_beat[0] >= settings.RUN_HEARTBEAT_SECONDS:
            tick()

    runner = TerraformRunner(workdir=workdir, env=env, on_line=on_line, on_tick=tick,
                             binary=settings.TERRAFORM_BIN, tick_seconds=settings.RUN_HEARTBEAT_SECONDS)
    for phase, step in (("init", runner.init), ("plan", lambda: runner.plan(var_file=VAR_FILE)),
                        ("apply", runner.apply)):
        heartbeat(run=run, phase=phase)
        writer(f"portal: {phase} — started")
        step()
    heartbeat(run=run, phase="outputs")
    return {name: (MASK if out.get("sensitive") else out.get("value")) for name, out in runner.outputs().items()}


def _explain(error: TerraformFailed) -> str:
    """The error lines Terraform printed, for a person; the full log stays on the run."""
    lines = [line.strip(" │╷╵") for line in error.tail]
    messages = [line for line in lines if line.startswith("Error:")]
    detail = "; ".join(messages) or (lines[-1] if lines else "")
    return f"terraform {error.command} failed (exit {error.returncode}). {detail}".strip()
