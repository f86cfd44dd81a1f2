"""Deciding about machines from their measured use: flag idle ones and warn their owners, stop them after the
grace period through the engine (a run declaring ``instance_state = stopped``), keep one running on request,
start one again, and follow office hours. Every decision is an audit event."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.inventory.models import ProvisionedResource
from portal.notifications.models import Event
from portal.notifications.services import notify
from portal.onboarding.services.upkeep import queue_power_run
from portal.teams.permissions import may_act_for_team
from provisioning.models import ACTIVE_RUN_STATES, Run

from .models import IdlePolicy, MachineUse, UsageSample
from .sizing import percentile

COVERAGE = 0.9  # an idle verdict needs data for this share of the window's hours


def policy_for(resource) -> IdlePolicy | None:
    return IdlePolicy.objects.filter(is_active=True, kind=resource.kind).order_by("pk").first()


def idle_verdict(resource, policy: IdlePolicy, *, now) -> tuple[bool, float | None, int]:
    """(idle?, the percentile measured, hours with data) over the policy's window."""
    since = now - timedelta(hours=policy.window_hours)
    values = [v for v in UsageSample.objects.filter(resource=resource, hour__gte=since)
              .values_list(policy.metric, flat=True) if v is not None]
    if len(values) < COVERAGE * policy.window_hours:
        return False, None, len(values)
    measured = percentile(values, policy.percentile)
    return measured < policy.threshold_percent, measured, len(values)


def _busy(resource) -> bool:
    return Run.objects.filter(item=resource.item, status__in=ACTIVE_RUN_STATES).exclude(action=Run.Action.PLAN).exists()


def review_idle_machines(*, now=None) -> dict:
    """Periodic (after each collection): flag newly idle machines and warn their owners, clear those busy again,
    and stop those whose grace period ended while still idle and not kept running."""
    now, done = now or timezone.now(), {"flagged": [], "cleared": [], "stopped": [], "skipped": {}}
    for resource in ProvisionedResource.objects.filter(status=ProvisionedResource.Status.ACTIVE,
                                                       kind__in=("cpu_vm", "gpu_vm")).select_related("item", "team"):
        policy = policy_for(resource)
        if policy is None or resource.power_state == "stopped":
            continue
        idle, measured, _hours = idle_verdict(resource, policy, now=now)
        use, _ = MachineUse.objects.get_or_create(resource=resource)
        if not idle:
            if use.idle_since:
                MachineUse.objects.filter(pk=use.pk).update(idle_since=None, stop_due_at=None)
                record_event(actor=None, verb="resource.busy_again", target=resource.item.request,
                             data={"name": resource.name})
                done["cleared"].append(resource.pk)
            continue
        kept = use.keep_until is not None and use.keep_until > now
        if use.idle_since is None:
            _flag(resource, use, policy, measured, now=now, kept=kept)
            done["flagged"].append(resource.pk)
        elif not kept and use.stop_due_at and use.stop_due_at <= now and not _busy(resource):
            try:
                queue_power_run(resource=resource, state="stopped", actor=None,
                                reason=f"idle: {policy} (measured p{policy.percentile} {measured:.1f} %)")
            except ApplicationError as error:
                done["skipped"][resource.pk] = error.message  # e.g. a run started meanwhile; next round
                continue
            done["stopped"].append(resource.pk)
        elif use.stop_due_at:
            done["skipped"][resource.pk] = ("kept running" if kept else "busy" if _busy(resource)
                                            else f"grace period until {use.stop_due_at:%Y-%m-%d %H:%M}")
    return done


@transaction.atomic
def _flag(resource, use: MachineUse, policy: IdlePolicy, measured: float, *, now, kept: bool) -> None:
    stop_at = now + timedelta(hours=policy.grace_hours)
    MachineUse.objects.filter(pk=use.pk).update(idle_since=now - timedelta(hours=policy.window_hours),
                                                stop_due_at=stop_at)
    record_event(actor=None, verb="resource.idle", target=resource.item.request, data={
        "name": resource.name, "policy": str(policy), "measured": round(measured, 1),
        "stop_due_at": stop_at.isoformat()})
    when = "it is kept running until " + f"{use.keep_until:%Y-%m-%d %H:%M} UTC" if kept else \
        f"the portal stops it at {stop_at:%Y-%m-%d %H:%M} UTC unless you keep it running"
    notify(event=Event.RESOURCE_IDLE, team=resource.team, requester=resource.item.request.requester,
           title=f"{resource.name} is idle",
           body=f"{resource.name}'s {policy.get_metric_display()} p{policy.percentile} was {measured:.1f} % over the "
                f"last {policy.window_hours} h (policy: below {policy.threshold_percent:g} %); {when}.",
           url=f"/utilization/machines/{resource.pk}/", data={"resource": resource.pk, "measured": measured})


def _owned(resource, actor) -> ProvisionedResource:
    if not may_act_for_team(actor, resource.team):
        raise PermissionDenied("Only the owning team or an admin can do this.")
    return resource


@transaction.atomic
def keep_running(*, resource, days: int, reason: str, actor) -> MachineUse:
    """Do not stop ``resource`` for idleness (or a schedule) for ``days`` days; audited with the reason."""
    _owned(resource, actor)
    if not 1 <= days <= settings.PORTAL_KEEP_RUNNING_MAX_DAYS:
        raise ApplicationError(f"Keep it running for 1 to {settings.PORTAL_KEEP_RUNNING_MAX_DAYS} days.", field="days")
    if not reason.strip():
        raise ApplicationError("Say why it must keep running.", field="reason")
    use, _ = MachineUse.objects.select_for_update().get_or_create(resource=resource)
    use.keep_until, use.keep_reason, use.keep_by = timezone.now() + timedelta(days=days), reason.strip()[:300], actor
    use.save(update_fields=["keep_until", "keep_reason", "keep_by"])
    record_event(actor=actor, verb="resource.kept_running", target=resource.item.request, data={
        "name": resource.name, "days": days, "until": use.keep_until.isoformat(), "reason": use.keep_reason})
    return use


def start_again(*, resource, actor) -> Run:
    _owned(resource, actor)
    run = queue_power_run(resource=resource, state="running", actor=actor, reason="started again by its team")
    MachineUse.objects.filter(resource=resource).update(idle_since=None, stop_due_at=None)
    return run


def stop_now(*, resource, actor) -> Run:
    _owned(resource, actor)
    return queue_power_run(resource=resource, state="stopped", actor=actor, reason="stopped by its team")


@transaction.atomic
def set_schedule(*, resource, schedule: str, actor) -> MachineUse:
    _owned(resource, actor)
    if schedule not in MachineUse.Schedule.values:
        raise ApplicationError("Choose always on or office hours.", field="schedule")
    use, _ = MachineUse.objects.select_for_update().get_or_create(resource=resource)
    if use.schedule != schedule:
        record_event(actor=actor, verb="resource.schedule_changed", target=resource.item.request,
                     data={"name": resource.name, "from": use.schedule, "to": schedule})
        use.schedule = schedule
        use.save(update_fields=["schedule"])
    return use


def in_office_hours(at) -> bool:
    local = at.astimezone(ZoneInfo(settings.PORTAL_OFFICE_TIMEZONE))
    start, end = settings.PORTAL_OFFICE_HOURS
    return local.weekday() < 5 and start <= local.hour < end


def follow_schedules(*, now=None) -> dict:
    """Periodic: machines on office hours are started in them and stopped outside them (unless kept running)."""
    now, done = now or timezone.now(), {"started": [], "stopped": []}
    want = "running" if in_office_hours(now) else "stopped"
    for use in MachineUse.objects.filter(schedule=MachineUse.Schedule.OFFICE_HOURS,
                                         resource__status=ProvisionedResource.Status.ACTIVE).select_related(
                                             "resource__item", "resource__team"):
        resource = use.resource
        if resource.power_state == want or _busy(resource):
            continue
        if want == "stopped" and use.keep_until and use.keep_until > now:
            continue
        try:
            queue_power_run(resource=resource, state=want, actor=None, reason="office hours")
        except ApplicationError:
            continue
        done["started" if want == "running" else "stopped"].append(resource.pk)
    return done
