"""What a worker does with one run: claim it, hand it to the item's engine, record how it ended."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from .drift import check_drift
from .engines import EngineUnavailable, RunContext, engine_for
from .failures import explain
from .models import Run
from .services import LogWriter, RunLost, claim_run, fail_run, finish_run, heartbeat, record_process, worker_name

log = logging.getLogger(__name__)


def execute_run(run_pk: int) -> Run | None:
    """Claim and carry out a run; returns it ended, or None if it was not (or no longer) ours."""
    run = claim_run(run_pk=run_pk, worker=worker_name())
    if run is None:
        log.info("run %s is not queued any more; nothing to do", run_pk)
        return None
    writer = LogWriter(run)
    try:
        return _carry_out_and_end(run, writer)
    except RunLost:
        # Cancelled or reaped meanwhile: Terraform's group was stopped; whoever took the run
        # away has settled it.
        log.warning("run %s was taken from this worker", run_pk)
        writer("portal: this worker no longer holds the run (cancelled or reaped); Terraform was stopped")
        return None


def _carry_out_and_end(run: Run, writer: LogWriter) -> Run:
    try:
        outputs, plan_summary = _carry_out(run, writer)
    except RunLost:
        raise
    except Exception as error:  # a run must always end with a reason, whatever broke
        failure = explain(error)
        if failure.cause == "an unexpected error":
            log.exception("run %s broke", run.pk)
        reason = f"{failure.message} ({'temporary' if failure.transient else 'permanent'}: {failure.cause})"
        writer(f"portal: failed — {reason}")
        return fail_run(run=run, error=reason, transient=failure.transient)
    return finish_run(run=run, outputs=outputs, plan_summary=plan_summary)


def _carry_out(run: Run, writer: LogWriter) -> tuple[dict, dict | None]:
    from portal.onboarding.bundles import inputs_for

    last_beat = [time.monotonic()]

    def beat(phase: str | None = None) -> None:
        heartbeat(run=run, phase=phase)
        last_beat[0] = time.monotonic()

    def on_line(text: str) -> None:
        writer(text)
        if time.monotonic() - last_beat[0] >= settings.RUN_HEARTBEAT_SECONDS:
            beat()

    if run.change is not None and run.change.values is not None:
        run.item.values = run.change.values  # a change of values: plan / apply the new ones (not saved here)
    ctx = RunContext(run=run, item=run.item, log=on_line, heartbeat=beat, inputs=inputs_for(run.item),
                     on_process=lambda pgid: record_process(run=run, pgid=pgid))
    engine = engine_for(run.item.template_version.engine)
    if run.action == Run.Action.PLAN and run.purpose == Run.Purpose.DECOMMISSION:
        return {}, engine.plan(ctx, destroy=True).as_dict()  # what the decommission would destroy
    if run.action == Run.Action.PLAN:
        return {}, engine.plan(ctx).as_dict()
    if run.action == Run.Action.DESTROY:
        engine.destroy(ctx)
        return {}, None
    if run.action == Run.Action.DRIFT_CHECK:
        summary = check_drift(engine, ctx, engine_name=run.item.template_version.engine)
        return ({}, summary.as_dict()) if summary is not None else ({"drift_check": "skipped"}, None)
    if run.action == Run.Action.UPGRADE:
        if not hasattr(engine, "upgrade"):
            raise EngineUnavailable("Only repositories can be upgraded.")
        return engine.upgrade(ctx), None
    return engine.apply(ctx), None
