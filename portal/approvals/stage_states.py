"""Why a stage cannot be decided now, said as it is: waiting, void, decided, or its request closed."""

from __future__ import annotations

from .models import ApprovalStage

Stage = ApprovalStage.Status


def why_not_open(stage: ApprovalStage, request) -> str:
    """The message for a decision on a stage that is not open (``request`` is the stage's request)."""
    if stage.status == Stage.WAITING:
        return "This stage is waiting for an earlier stage: it opens once the earlier stages are approved."
    if stage.status == Stage.VOID:
        if request.status == "withdrawn":
            return "This stage is void: the request was withdrawn."
        return ("This stage is void: the request was edited after it was set up, so earlier decisions no longer "
                "count; decide the new round's stage from your queue.")
    if stage.status == Stage.CLOSED:
        return "This stage is not needed any more: another stage rejected the request or sent it back."
    if stage.status != Stage.PENDING:
        return "This stage has already been decided."
    return (f"The request is {request.get_status_display().lower()} already (decided at another stage or "
            "taken back): this stage is closed.")
