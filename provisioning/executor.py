"""What a worker does with one run: claim it, hand it to the item's engine, record how it ended."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from .engines import EngineUnavailable, RunContext, engine_for
from .models import Run
from .runners.terraform import TerraformFailed
from .services import LogWriter, RunLost, claim_run, fail_run, finish_run, heartbeat, worker_name

log = logging.getLogger(__name__)


def execute_run(run_pk: int) -> Run | None:
    """Claim and carry out a run; returns it ended, or None if it was not ours to run."""
    run = claim_run(run_pk=run_pk, worker=worker_name())
    if run is None:
        log.info("run %s is not queued any more; nothing to do", run_pk)
        return None
    writer = LogWriter(run)
    try:
        outputs, plan_summary = _carry_out(run, writer)
    except RunLost:
        log.warning("run %s was taken from this worker", run_pk)
        return None
    except TerraformFailed as error:
        return fail_run(run=run, error=_explain(error))
    except EngineUnavailable as error:
        writer(f"portal: {error}")
        return fail_run(run=run, error=str(error))
    except Exception as error:  # a run must always end with a reason, whatever broke
        log.exception("run %s broke", run_pk)
        writer(f"portal: {type(error).__name__}: {error}")
        return fail_run(run=run, error=f"The worker could not carry out the run: {error}")
    return finish_run(run=run, outputs=outputs, plan_summary=plan_summary)


def _carry_out(run: Run, writer: LogWriter) -> tuple[dict, dict | None]:
    last_beat = [time.monotonic()]

    def beat(phase: str | None = None) -> None:
        heartbeat(run=run, phase=phase)
        last_beat[0] = time.monotonic()

    def on_line(text: str) -> None:
        writer(text)
        if time.monotonic() - last_beat[0] >= settings.RUN_HEARTBEAT_SECONDS:
            beat()

    ctx = RunContext(run=run, item=run.item, log=on_line, heartbeat=beat)
    engine = engine_for(run.item.template_version.engine)
    if run.action == Run.Action.PLAN:
        return {}, engine.plan(ctx).as_dict()
    if run.action == Run.Action.DESTROY:
        engine.destroy(ctx)
        return {}, None
    return engine.apply(ctx), None


def _explain(error: TerraformFailed) -> str:
    """The error lines Terraform printed, for a person; the full log stays on the run."""
    lines = [line.strip(" │╷╵") for line in error.tail]
    messages = [line for line in lines if line.startswith("Error:")]
    detail = "; ".join(messages) or (lines[-1] if lines else "")
    return f"terraform {error.command} failed (exit {error.returncode}). {detail}".strip()
