"""Where a request stands, for people: the steps of its life and what happens next."""

from __future__ import annotations

from dataclasses import dataclass

from .models import RequestStatus as S

STEPS = ["Draft", "In review", "Approved", "Provisioning", "Active"]
CHANGE_STEPS = ["Draft", "In review", "Approved", "Carrying out", "Done"]  # a change request's life
# status → (index of its step, how that step looks)
WHERE = {
    S.DRAFT: (0, "current"), S.SUBMITTED: (1, "current"), S.IN_REVIEW: (1, "current"),
    S.CHANGES_REQUESTED: (1, "problem"), S.REJECTED: (1, "problem"), S.APPROVED: (2, "current"),
    S.PROVISIONING: (3, "current"), S.FAILED: (3, "problem"), S.ACTIVE: (4, "done"),
    S.DECOMMISSIONING: (5, "current"), S.DECOMMISSIONED: (5, "done"), S.COMPLETED: (4, "done"),
}
STEP_LABEL_WHEN = {S.CHANGES_REQUESTED: "Changes requested", S.REJECTED: "Rejected", S.FAILED: "Failed"}


CHANGE_NEXT = {
    S.APPROVED: "Approved: being carried out now",
    S.PROVISIONING: "Being carried out now",
    S.FAILED: "Carrying it out failed: see what went wrong, then retry",
    S.COMPLETED: "Done",
}


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done | current | problem | todo


def request_steps(request) -> list[Step]:
    return lifecycle_steps(request.status, kind=request.kind)


def lifecycle_steps(status: str, *, kind: str = "new") -> list[Step]:
    index, look = WHERE.get(status, (0, "current"))
    end = ["Decommissioning" if status == S.DECOMMISSIONING else "Decommissioned"] if index == 5 else []
    labels = (STEPS if kind == "new" else CHANGE_STEPS) + end
    if status != S.DRAFT:
        labels[0] = "Submitted"
    if status == S.REJECTED:
        labels = labels[:index + 1]  # nothing comes after a rejection
    steps = []
    for n, label in enumerate(labels):
        if n < index:
            steps.append(Step(label, "done"))
        elif n == index:
            steps.append(Step(STEP_LABEL_WHEN.get(status, label), look))
        else:
            steps.append(Step(label, "todo"))
    return steps


def next_step(request) -> str:
    """One sentence: what the request waits for. Reads ``pending_stages`` when prefetched (the list),
    else the request's stages (prefetched on its page)."""
    status = request.status
    if getattr(request, "kind", "new") != "new" and status in CHANGE_NEXT:
        return CHANGE_NEXT[status]
    if status in (S.SUBMITTED, S.IN_REVIEW):
        pending = getattr(request, "pending_stages", None)
        if pending is None:
            pending = [stage for stage in request.stages.all() if stage.status == "pending"]
        teams = sorted({stage.team.name for stage in pending})
        return f"Waiting for {' and '.join(teams)}" if teams else "In review"
    return {
        S.DRAFT: "Not submitted yet: continue and submit it",
        S.CHANGES_REQUESTED: "Your turn: make the changes asked for and resubmit",
        S.REJECTED: "Rejected: see the approver's comment",
        S.APPROVED: "Approved: being created now",
        S.PROVISIONING: "Being created now",
        S.ACTIVE: "Ready to use",
        S.FAILED: "Creating it failed: see what went wrong",
        S.DECOMMISSIONING: "Being removed",
        S.DECOMMISSIONED: "Removed",
    }.get(status, "")
