"""What a worker does with one run: claim it, hand its snapshot to the engine, record how it ended,
tell the portal. The worker reads only the run's snapshot (never the portal's items or templates).

A dropped database connection does not stop Terraform: log lines wait in memory, a heartbeat that
cannot be written is skipped, and the run's end is recorded once the database is back (dbwait).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from . import correlation, sealing
from .config import engine_settings, fernet
from .dbwait import DB_ERRORS, DatabaseGone, reconnect, with_db
from .drift import check_drift
from .engines import EngineUnavailable, RunContext, RunResult, RunSpec, engine_for
from .failures import Failure, explain
from .models import ModuleContent, Run, RunStatus
from .services import (
    RunLost,
    announce_end,
    claim_run,
    fail_run,
    finish_run,
    follows_interruption,
    heartbeat,
    last_log_seq,
    opened_plan,
    record_phase,
    record_process,
    saved_plan_for,
    worker_name,
    write_log,
)

log = logging.getLogger(__name__)
LOG_FLUSH_LINES = 50
LOG_FLUSH_SECONDS = 0.5


def execute_run(run_pk: int) -> Run | None:
    """Claim and carry out a run; returns it ended, or None if it was not (or no longer) ours."""
    run = with_db(lambda: claim_run(run_pk=run_pk, worker=worker_name()), what=f"claiming run {run_pk}")
    if run is None:
        log.info("run %s is not ready or not queued any more; nothing to do", run_pk)
        return None
    # The worker's log records carry the id of the request that queued the run (a resent task's message
    # may carry the reaper's).
    with correlation.bound(run.correlation_id or correlation.current_id()):
        log.info("run %s (%s of %s) claimed by %s", run.pk, run.action, run.module, run.worker)
        return _execute_claimed(run)


def _execute_claimed(run: Run) -> Run | None:
    run_pk = run.pk
    writer = LogWriter(run)
    try:
        ended = _carry_out_and_end(run, writer)
    except RunLost:
        # Cancelled or reaped meanwhile: Terraform's group was stopped; whoever took the run
        # away has settled it.
        log.warning("run %s was taken from this worker", run_pk)
        writer("portal: this worker no longer holds the run (cancelled or reaped); Terraform was stopped")
        writer.flush(wait=True)
        return None
    writer.flush(wait=True)
    if ended.status != RunStatus.FAILED or not ended.will_retry:
        try:
            announce_end(ended)
        except Exception:  # the reaper announces unsettled runs again
            log.exception("settling run %s failed; the reaper will try again", run_pk)
            reconnect()
    return ended


def _carry_out_and_end(run: Run, writer: LogWriter) -> Run:
    try:
        result = _carry_out(run, writer)
    except RunLost:
        raise
    except Exception as error:  # a run must always end with a reason, whatever broke
        failure = _explain(error)
        if failure.cause == "an unexpected error":
            log.exception("run %s broke", run.pk)
        reason = f"{failure.message} ({'temporary' if failure.transient else 'permanent'}: {failure.cause})"
        writer(f"portal: failed — {reason}")
        return _end(run, lambda: fail_run(run=run, error=reason, transient=failure.transient, cause=failure.cause))
    return _end(run, lambda: finish_run(run=run, result=result))


def _explain(error: BaseException) -> Failure:
    if isinstance(error, DB_ERRORS + (DatabaseGone,)):
        return Failure(f"The worker lost its connection to the portal's database: {error}".strip(), True,
                       "the database connection was lost")
    return explain(error)


def _end(run: Run, end) -> Run:
    """Record the end, waiting for the database if it is away; a retried end that already took effect
    (the commit got through, its answer did not) counts as done."""
    def attempt() -> Run:
        try:
            return end()
        except RunLost:
            stored = Run.objects.filter(pk=run.pk).values("status", "worker").first()
            if stored and stored["worker"] == run.worker and stored["status"] != RunStatus.RUNNING:
                run.refresh_from_db()
                return run
            raise
    return with_db(attempt, what=f"recording the end of run {run.pk}")


def run_spec(run: Run) -> RunSpec:
    """The engine's view of the run: its snapshot, sealed values opened, the preview's plan if it applies one."""
    preview = saved_plan_for(run)
    return RunSpec(
        run_id=run.pk, action=run.action, purpose=run.purpose, engine=run.engine, module=run.module,
        workspace=run.workspace.key, variables=sealing.unseal_all(fernet(), run.variables or {}),
        module_files=run.module_content.files if run.module_content_id else {},
        module_hash=run.module_content_id or "",
        saved_plan=opened_plan(preview) if preview is not None else None,
        saved_plan_run=preview.pk if preview is not None else None,
        upgrade_module_files=_upgrade_files(run),
        after_interruption=run.action in (Run.Action.APPLY, Run.Action.DESTROY) and follows_interruption(run),
    )


def _upgrade_files(run: Run) -> dict:
    """An upgrade's target: the frozen files of the version it moves to (named by hash in its snapshot)."""
    digest = ((run.variables or {}).get("to") or {}).get("module_content") if run.action == Run.Action.UPGRADE else None
    content = ModuleContent.objects.filter(pk=digest).first() if digest else None
    return content.files if content else {}


class PhaseClock:
    """Times the phases an engine announces (``heartbeat(phase=…)``) and records each when the next begins
    or the run ends; a phase that cannot be recorded (the database is away) is skipped."""

    def __init__(self, run: Run):
        self.run, self.phase, self.since = run, "", time.monotonic()

    def enter(self, phase: str | None) -> None:
        if phase is None or phase == self.phase:
            return
        self.end()
        self.phase, self.since = phase, time.monotonic()

    def end(self) -> None:
        if self.phase:
            try:
                record_phase(run=self.run, phase=self.phase, seconds=time.monotonic() - self.since)
            except Exception as error:  # a figure for /metrics never stops or fails a run
                log.info("could not record phase %s of run %s: %s", self.phase, self.run.pk, error)
                if isinstance(error, DB_ERRORS):
                    reconnect()
        self.phase = ""


def _carry_out(run: Run, writer: LogWriter) -> RunResult:
    clock = PhaseClock(run)
    try:
        return _carry_out_timed(run, writer, clock)
    finally:
        clock.end()


def _carry_out_timed(run: Run, writer: LogWriter, clock: PhaseClock) -> RunResult:
    last_beat = [time.monotonic()]
    db_away = [False]

    def beat(phase: str | None = None) -> None:
        clock.enter(phase)
        try:
            heartbeat(run=run, phase=phase)
            if db_away[0]:
                writer("portal: the database is back")
                db_away[0] = False
        except DB_ERRORS:  # keep Terraform going; the end is recorded when the database is back
            reconnect()
            if not db_away[0]:
                writer("portal: lost the database connection; Terraform goes on, the outcome is recorded "
                       "once the database is back")
                db_away[0] = True
        last_beat[0] = time.monotonic()

    def on_line(text: str) -> None:
        writer(text)
        if time.monotonic() - last_beat[0] >= settings.RUN_HEARTBEAT_SECONDS:
            beat()

    spec = run_spec(run)
    if spec.engine == "terraform" and not spec.module_files:
        raise EngineUnavailable("This run has no frozen module content (it was queued before runs stored "
                                "their module); retry the request to queue it again.")
    ctx = RunContext(spec=spec, settings=engine_settings(spec.engine), log=on_line, heartbeat=beat,
                     on_process=lambda pgid: _quietly(lambda: record_process(run=run, pgid=pgid)))
    result = _dispatch(engine_for(spec.engine), ctx, run)
    if result.used_saved_plan:
        result.applied_plan_of = spec.saved_plan_run
    return result


def _dispatch(engine, ctx: RunContext, run: Run) -> RunResult:
    if run.action == Run.Action.PLAN:
        return engine.plan(ctx)
    if run.action == Run.Action.DESTROY:
        return engine.destroy(ctx)
    if run.action == Run.Action.DRIFT_CHECK:
        summary = check_drift(engine, ctx)
        return RunResult(plan_summary=summary.as_dict()) if summary is not None \
            else RunResult(outputs={"drift_check": "skipped"})
    if run.action == Run.Action.UPGRADE:
        if not hasattr(engine, "upgrade"):
            raise EngineUnavailable("Only repositories can be upgraded.")
        return engine.upgrade(ctx)
    return engine.apply(ctx)


def _quietly(fn) -> None:
    try:
        fn()
    except DB_ERRORS:
        reconnect()


class LogWriter:
    """Stores a run's output as it is printed, in small batches; lines wait in memory while the database
    is away and are written when it is back."""

    def __init__(self, run: Run):
        self.run = run
        self.seq = with_db(lambda: last_log_seq(run), what=f"reading the log of run {run.pk}")
        self.pending: list[tuple[int, str]] = []
        self.flushed_at = time.monotonic()

    def __call__(self, text: str) -> None:
        self.seq += 1
        self.pending.append((self.seq, text.replace("\x00", "")))
        if len(self.pending) >= LOG_FLUSH_LINES or time.monotonic() - self.flushed_at >= LOG_FLUSH_SECONDS:
            self.flush()

    def flush(self, *, wait: bool = False) -> None:
        if not self.pending:
            return
        lines = list(self.pending)

        def write() -> None:
            write_log(run=self.run, lines=lines)

        try:
            with_db(write, what=f"writing the log of run {self.run.pk}") if wait else write()
        except DB_ERRORS + (DatabaseGone,):
            reconnect()
            return  # kept for the next flush
        del self.pending[:len(lines)]
        self.flushed_at = time.monotonic()
