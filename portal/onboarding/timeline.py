"""A request's audit events told as sentences for its page: who, when, what, and any comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.teams.models import Team

WHAT = {
    "request.created": "created the request",
    "request.submitted": "submitted the request for review",
    "request.in_review": "the request is in review",
    "request.edited": "edited the request and resubmitted it",
    "request.draft_saved": "saved the draft",
    "request.draft_discarded": "discarded the draft",
    "request.approved": "the request was approved by every stage",
    "request.rejected": "the request was rejected",
    "request.changes_requested": "the request went back to the requester for changes",
    "request.provisioning": "provisioning started",
    "request.active": "every item is provisioned",
    "request.failed": "provisioning failed",
    "stage.created": "{team} must approve: {reason}",
    "stage.opened": "{team} stage opened, due {due_at:%Y-%m-%d %H:%M} UTC",
    "stage.approve": "approved for {team}",
    "stage.reject": "rejected for {team}",
    "stage.request_changes": "asked for changes for {team}",
    "stage.reminded": "reminded {team}: due {due_at:%Y-%m-%d %H:%M} UTC",
    "stage.escalated": "{team} is overdue: escalated to {to}",
    "approvals.voided": "earlier decisions no longer count ({decisions} voided) — {why}",
    "run.queued": "{action} run #{run} queued",
    "run.started": "run #{run} started on {worker}",
    "run.succeeded": "run #{run} succeeded",
    "run.failed": "run #{run} failed",
    "run.cancelled": "{action} run #{run} cancelled",
    "item.provisioning": "creating “{name}”",
    "item.active": "“{name}” was created",
    "item.failed": "“{name}” failed",
    "item.destroyed": "“{name}” was destroyed",
    "item.pending": "“{name}” will be provisioned again",
    "change.running": "carrying out the change of {name}",
    "change.done": "the change of {name} is done",
    "change.failed": "the change of {name} failed",
    "change.pending": "the change of {name} will be tried again",
    "stage.approved": "{team} approved the request",
    "stage.rejected": "{team} rejected the request",
    "stage.changes_requested": "{team} sent the request back",
    "stage.closed": "{team} stage not needed any more",
    "stage.void": "{team} stage no longer counts",
    "request.preview_later": "the plan of “{name}” is made when what it depends on exists",
    "request.retried": "asked to try again",
    "request.cleaned_up": "the clean-up is done: nothing this request created is left",
    "request.cleanup_failed": "cleaning up “{name}” failed",
    "request.item_failed": "“{name}” failed",
    "request.completed": "the change was carried out",
    "request.withdrawn": "withdrew the request",
    "request.decommissioning": "the request is being decommissioned",
    "request.decommissioned": "everything the request created is gone: decommissioned",
    "request.change_failed": "carrying out the change of {name} failed",
    "resource.change_requested": "asked for a {what} of {name} in request #{request}",
    "resource.extended": "{name}'s lifetime was extended by {days} days (request #{request})",
    "resource.modified": "{name} now has the values of request #{request}",
    "resource.expiry_warning": "warned the team: {name} expires in less than {days} days",
    "resource.expired": "{name} reached the end of its lifetime: destroying it (run #{run})",
    "resource.expiry_failed": "destroying the expired {name} failed",
    "resource.destroyed": "a resource was destroyed and is kept in the inventory as destroyed",
    "resource.drift_detected": "found drift on {name}: {resources} not as declared",
    "resource.drift_gone": "{name} matches its declared values again",
    "resource.drift_accepted": "accepted the drift of {name}",
    "resource.reconcile_requested": "asked to reconcile {name} (run #{run})",
    "resource.reconciled": "reconciled {name}: back to its declared values",
    "resource.reconcile_failed": "could not reconcile {name}",
}
# Routing and bookkeeping the portal does on someone's behalf: told as the portal's doing.
BY_THE_PORTAL = {"stage.created", "stage.opened", "run.queued", "request.in_review",
                 "request.approved", "request.provisioning", "request.active", "request.failed",
                 "request.completed", "request.decommissioning", "request.decommissioned", "stage.approved",
                 "stage.rejected", "stage.changes_requested", "stage.closed", "stage.void", "item.provisioning",
                 "item.active", "item.failed", "item.destroyed", "change.running", "change.done", "change.failed"}
SYSTEM = "the portal"


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    comment: str = ""
    verb: str = ""


def _fields(data: dict, teams: dict[str, str]) -> dict:
    fields = dict(data)
    fields["team"] = teams.get(data.get("team"), data.get("team", ""))
    for key in ("due_at",):
        if isinstance(data.get(key), str):
            fields[key] = datetime.fromisoformat(data[key])
    if isinstance(data.get("to"), list):
        fields["to"] = ", ".join(data["to"]) or "nobody"
    if isinstance(data.get("runs"), list):
        fields["runs"] = ", ".join(f"#{pk}" for pk in data["runs"])
    return fields


def describe(event, teams: dict[str, str]) -> Entry:
    data = event.data or {}
    template = WHAT.get(event.verb)
    try:
        what = template.format(**_fields(data, teams)) if template else event.verb.replace(".", " ").replace("_", " ")
    except (KeyError, ValueError):
        what = event.verb.replace(".", " ").replace("_", " ")
    if event.verb.startswith("request.") and event.verb not in WHAT:
        what = f"the request became {event.verb.split('.', 1)[1].replace('_', ' ')}"
    who = str(event.actor) if event.actor and event.verb not in BY_THE_PORTAL else SYSTEM
    if data.get("on_behalf_of"):
        who += f" (for {data['on_behalf_of']})"
    if data.get("error"):
        what += f": {data['error']}"
    return Entry(when=event.created_at, who=who, what=what, comment=data.get("comment", ""), verb=event.verb)


def describe_events(events) -> list[Entry]:
    events = list(events)
    slugs = {e.data.get("team") for e in events if isinstance(e.data, dict) and e.data.get("team")}
    teams = dict(Team.objects.filter(slug__in=slugs).values_list("slug", "name")) if slugs else {}
    return [describe(event, teams) for event in events]
