"""Approving several low-risk stages at once: each one still goes through ``record_decision``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.core.errors import ApplicationError, PermissionDenied

from .facts import risk_markers
from .models import ApprovalStage, Decision
from .selectors import high_cost_threshold
from .services import check_may_decide, record_decision

MAX_BULK = 100


@dataclass
class BulkResult:
    stage_id: int
    request_id: int | None
    ok: bool
    message: str


def bulk_approve(*, actor, stage_ids: list[int], may_see: Callable[[ApprovalStage], bool],
                 comment: str = "") -> list[BulkResult]:
    """Approve each stage in its own transaction; a refusal of one does not stop the others.

    A stage whose request ``actor`` may not see answers exactly like one that does not exist, and who
    may decide is checked before anything else is said about a stage (its risks, its state)."""
    if len(stage_ids) > MAX_BULK:
        raise ApplicationError(f"Approve at most {MAX_BULK} requests at once.")
    stages = ApprovalStage.objects.select_related("request__team", "team").in_bulk(stage_ids)
    high, results = high_cost_threshold(), []
    for stage_id in stage_ids:
        stage = stages.get(stage_id)
        if stage is None or not may_see(stage):
            results.append(BulkResult(stage_id, None, False, "No such approval stage."))
            continue
        try:
            check_may_decide(stage=stage, actor=actor)
        except PermissionDenied as error:
            results.append(BulkResult(stage_id, stage.request_id, False, error.message))
            continue
        risks = risk_markers(stage.request, high_cost=high)
        if risks:
            results.append(BulkResult(stage_id, stage.request_id, False, "Not low risk ("
                                      + ", ".join(r.replace("_", " ") for r in risks) + "); decide it on its own."))
            continue
        try:
            record_decision(stage=stage, actor=actor, outcome=Decision.Outcome.APPROVE, comment=comment)
        except ApplicationError as error:
            results.append(BulkResult(stage_id, stage.request_id, False, error.message))
        else:
            results.append(BulkResult(stage_id, stage.request_id, True, "Approved."))
    return results
