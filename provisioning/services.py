"""The run door: queue, claim, heartbeat, finish, fail, retry, cancel, settle. Tasks call these; views never run work.

Every status change is a conditional update (exactly one winner) that sends ``signals.run_changed``
in the same transaction. Runs of one workspace run one at a time, oldest first: a run is claimed only
when no older run of its workspace is still queued or running; when a run ends, the next one of its
workspace is sent to the workers.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import correlation, sealing
from .config import fernet
from .engines.base import RunResult
from .models import (
    ACTIVE_RUN_STATES,
    LOST_WORKER_CAUSE,
    TERMINAL_RUN_STATES,
    TRANSITIONS,
    ModuleContent,
    Run,
    RunLogLine,
    RunPhase,
    RunStatus,
    Workspace,
)
from .signals import run_changed, run_ended
from .workspace import module_hash


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RunLost(Exception):
    """The run is no longer ours (cancelled or reaped); stop working on it."""


# -- what a run is asked to do ------------------------------------------------------------------
def store_module(files: Mapping[str, str]) -> ModuleContent:
    """Freeze module files under their content hash (the same files are stored once)."""
    digest = module_hash(files)
    content = ModuleContent.objects.filter(pk=digest).first()
    if content is None:
        content, _ = ModuleContent.objects.get_or_create(sha256=digest, defaults={"files": dict(files)})
    return content


def seal_values(values: Mapping, *, sensitive=()) -> dict:
    """``values`` with the named ones sealed (already sealed ones stay as they are)."""
    f = fernet()
    return {k: (sealing.seal(f, v) if k in sensitive and not sealing.is_sealed(v) else v) for k, v in values.items()}


@transaction.atomic
def queue_run(*, workspace: str, item, action: str, engine: str, module: str, variables: Mapping,
              module_content: ModuleContent | None = None, purpose: str = Run.Purpose.PROVISION, change=None,
              actor=None) -> Run:
    """Create a queued run with its snapshot and send its task once the transaction commits."""
    ws, _ = Workspace.objects.get_or_create(key=workspace)
    run = Run.objects.create(workspace=ws, item=item, change=change, action=action, purpose=purpose, engine=engine,
                             module=module, module_content=module_content, variables=dict(variables),
                             enqueued_at=timezone.now(), correlation_id=correlation.current_id())
    run_changed.send(sender=Run, run=run, old=None, new=RunStatus.QUEUED, actor=actor)
    _send_on_commit(run)
    return run


def _send_on_commit(run: Run, countdown: float | None = None) -> None:
    pk, queue = run.pk, run.queue
    transaction.on_commit(lambda: send_run_task(pk, queue=queue, countdown=countdown))


def send_run_task(run_pk: int, *, queue: str, countdown: float | None = None) -> None:
    """Hand the run to the broker. Safe to repeat: only one worker can claim a queued run."""
    from .tasks import execute_run_task

    execute_run_task.apply_async((run_pk,), queue=queue, countdown=countdown or None)


# -- the door -------------------------------------------------------------------------------------
def _move(run: Run, to: str, *, actor=None, where: Mapping | None = None, **fields) -> bool:
    """``run`` → ``to`` if TRANSITIONS allows it from its stored status; exactly one caller wins."""
    old = run.status
    if to not in TRANSITIONS[old]:
        return False
    won = Run.objects.filter(pk=run.pk, status=old, **(where or {})).update(
        status=to, updated_at=timezone.now(), **fields)
    if won != 1:
        return False
    run.refresh_from_db()
    run_changed.send(sender=Run, run=run, old=old, new=to, actor=actor)
    return True


def head_of_workspace(workspace_id: int) -> Run | None:
    """The oldest run of the workspace that has not ended: the only one that may run now."""
    return Run.objects.filter(workspace_id=workspace_id, status__in=ACTIVE_RUN_STATES).order_by("pk").first()


@transaction.atomic
def claim_run(*, run_pk: int, worker: str) -> Run | None:
    """Take a queued run for this worker; ``None`` if another worker has it, it ended, an older run of
    its workspace has not ended yet (it is sent again when that one ends) or its backoff is not over."""
    run = Run.objects.filter(pk=run_pk).first()
    if run is None or run.status != RunStatus.QUEUED:
        return None
    Workspace.objects.select_for_update().get(pk=run.workspace_id)  # claims of one workspace queue here
    head = head_of_workspace(run.workspace_id)
    now = timezone.now()
    if head is None or head.pk != run.pk or (run.not_before and run.not_before > now):
        return None
    if not _move(run, RunStatus.RUNNING, worker=worker, started_at=now, heartbeat_at=now):
        return None
    return run


def heartbeat(*, run: Run, phase: str | None = None) -> None:
    fields = {"heartbeat_at": timezone.now()}
    if phase is not None:
        fields["phase"] = phase
    if Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING, worker=run.worker).update(**fields) != 1:
        raise RunLost(f"run {run.pk} is no longer held by {run.worker}")


def record_phase(*, run: Run, phase: str, seconds: float) -> None:
    """A phase of the run ended after ``seconds`` (for /metrics; the run's own phase field says the current one)."""
    RunPhase.objects.create(run=run, phase=phase[:20], seconds=seconds, ended_at=timezone.now())


def record_process(*, run: Run, pgid: int) -> None:
    """Remember the process group the run's external command runs in (for the reaper)."""
    Run.objects.filter(pk=run.pk, worker=run.worker).update(pgid=pgid)


def write_log(*, run: Run, lines: list[tuple[int, str]]) -> None:
    RunLogLine.objects.bulk_create([RunLogLine(run=run, seq=seq, text=text) for seq, text in lines],
                                   ignore_conflicts=True)


def last_log_seq(run: Run) -> int:
    return run.log_lines.order_by("-seq").values_list("seq", flat=True).first() or 0


@transaction.atomic
def finish_run(*, run: Run, result: RunResult) -> Run:
    """End the run as succeeded with what it produced (sensitive outputs and saved plans sealed)."""
    f = fernet()
    outputs = {name: sealing.seal(f, value) if name in result.sensitive and not sealing.is_sealed(value) else value
               for name, value in result.outputs.items()}
    saved = sealing.seal_bytes(f, result.saved_plan) if result.saved_plan else None
    _end(run, RunStatus.SUCCEEDED, outputs=outputs, plan_summary=result.plan_summary, saved_plan=saved,
         applied_plan_of_id=result.applied_plan_of)
    _send_next_of_workspace(run.workspace_id)
    return run


@transaction.atomic
def fail_run(*, run: Run, error: str, transient: bool = False, cause: str = "") -> Run:
    """End the run as failed (``cause``: a short category, see provisioning.failures); a transient failure
    with attempts left queues the next attempt (``run.retried_by``) instead of ending the item's step."""
    _end(run, RunStatus.FAILED, error=error, failure_cause=cause[:100])
    if not (transient and schedule_retry(run=run)):  # a retry is the workspace's next run and is sent itself
        _send_next_of_workspace(run.workspace_id)
    return run


def _end(run: Run, status: str, **fields) -> None:
    if not _move(run, status, where={"worker": run.worker}, finished_at=timezone.now(), **fields):
        raise RunLost(f"run {run.pk} is no longer held by {run.worker}")


def _send_next_of_workspace(workspace_id: int) -> None:
    """Once this transaction commits, hand the next waiting run of the workspace to the workers."""
    def send() -> None:
        head = head_of_workspace(workspace_id)
        if head is not None and head.status == RunStatus.QUEUED:
            countdown = (head.not_before - timezone.now()).total_seconds() if head.not_before else None
            send_run_task(head.pk, queue=head.queue, countdown=countdown if countdown and countdown > 0 else None)
    transaction.on_commit(send)


def schedule_retry(*, run: Run) -> Run | None:
    """Queue attempt ``run.attempt + 1`` — the same snapshot — after an exponential backoff, if attempts
    are left. A new run, not a Celery retry: each attempt keeps its own log, worker and error. The
    delay is kept on the run (``not_before``) so a lost broker message costs the reaper's next round."""
    if run.attempt >= settings.RUN_MAX_ATTEMPTS:
        note = f" Not retried: {run.attempt} of {settings.RUN_MAX_ATTEMPTS} attempts used."
        Run.objects.filter(pk=run.pk).update(error=run.error + note)
        run.error += note
        return None
    delay = min(settings.RUN_RETRY_BASE_SECONDS * 2 ** (run.attempt - 1), settings.RUN_RETRY_MAX_SECONDS)
    now = timezone.now()
    retry = Run.objects.create(
        workspace_id=run.workspace_id, item_id=run.item_id, change_id=run.change_id, action=run.action,
        purpose=run.purpose, engine=run.engine, module=run.module, module_content_id=run.module_content_id,
        variables=run.variables, attempt=run.attempt + 1, retry_of=run, not_before=now + timedelta(seconds=delay),
        enqueued_at=now, correlation_id=run.correlation_id)
    note = f" Retrying as attempt {retry.attempt} of {settings.RUN_MAX_ATTEMPTS} in {delay:.0f} s."
    Run.objects.filter(pk=run.pk).update(error=run.error + note, settled_at=now)  # nothing to settle: it goes on
    run.error += note
    run_changed.send(sender=Run, run=retry, old=None, new=RunStatus.QUEUED, actor=None)
    _send_on_commit(retry, countdown=delay)
    return retry


@transaction.atomic
def cancel_run(*, run: Run, actor=None, reason: str = "") -> bool:
    """Cancel a queued or running run; whether this call did. A running run's worker notices at its next
    heartbeat (RunLost) and stops Terraform's process group."""
    reason = reason or (f"Cancelled by {actor}." if actor else "Cancelled.")
    run.refresh_from_db()
    if run.status not in ACTIVE_RUN_STATES:
        return False
    if not _move(run, RunStatus.CANCELLED, actor=actor, finished_at=timezone.now(), error=reason):
        return False
    _send_next_of_workspace(run.workspace_id)
    return True


def claim_settlement(run: Run) -> bool:
    """The portal is about to act on how ``run`` ended: True for exactly one caller (call it inside the
    transaction that acts)."""
    return bool(Run.objects.filter(pk=run.pk, status__in=TERMINAL_RUN_STATES, settled_at__isnull=True)
                .update(settled_at=timezone.now()))


def announce_end(run: Run) -> None:
    """Tell the portal (``signals.run_ended``) that a run ended for good."""
    run_ended.send(sender=Run, run=run)


# -- reads ------------------------------------------------------------------------------------------
def saved_plan_for(run: Run) -> Run | None:
    """The preview whose saved plan ``run`` applies: an approved apply (or decommission destroy) takes the
    newest succeeded plan of its workspace made with the same module and variables, and only if no
    apply or destroy of the workspace started since (Terraform would call it stale anyway)."""
    matching = {(Run.Action.APPLY, Run.Purpose.PROVISION): Run.Purpose.PROVISION,
                (Run.Action.APPLY, Run.Purpose.MODIFY): Run.Purpose.MODIFY,
                (Run.Action.DESTROY, Run.Purpose.DECOMMISSION): Run.Purpose.DECOMMISSION}
    purpose = matching.get((run.action, run.purpose))
    if purpose is None:
        return None
    preview = (Run.objects.filter(workspace_id=run.workspace_id, action=Run.Action.PLAN, purpose=purpose,
                                  status=RunStatus.SUCCEEDED, saved_plan__isnull=False, pk__lt=run.pk)
               .order_by("-pk").first())
    if preview is None or preview.module_content_id != run.module_content_id or preview.variables != run.variables:
        return None
    changed_since = Run.objects.filter(workspace_id=run.workspace_id, pk__gt=preview.pk, pk__lt=run.pk,
                                       action__in=[Run.Action.APPLY, Run.Action.DESTROY],
                                       started_at__isnull=False).exists()
    return None if changed_since else preview


def follows_interruption(run: Run) -> bool:
    """Whether the last apply or destroy of ``run``'s workspace before it was stopped part-way (cancelled
    while running, or its worker lost): the cloud may hold what that run made and its state never
    recorded (see provisioning.cloud.strays)."""
    last = (Run.objects.filter(workspace_id=run.workspace_id, pk__lt=run.pk, started_at__isnull=False,
                               action__in=[Run.Action.APPLY, Run.Action.DESTROY])
            .order_by("-pk").values("status", "failure_cause").first())
    if last is None:
        return False
    return last["status"] == RunStatus.CANCELLED or (
        last["status"] == RunStatus.FAILED and last["failure_cause"] == LOST_WORKER_CAUSE)


def opened_plan(preview: Run) -> bytes:
    return sealing.unseal_bytes(fernet(), preview.saved_plan)
