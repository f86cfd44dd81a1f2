"""Every write to requests, their items and changes — each with its audit row in the same transaction.

- requests: submit, withdraw, the request's status door
- reviews: decisions on stages and what follows (approvals answer with an outcome)
- changes: asking to change what exists (decommission, extend, modify, offboard)
- fulfilment: THE loop that carries out requests and settles every run
- upkeep: expiry, drift checks, reconciles, repo upgrades on what exists
"""

from .changes import (
    may_change,
    open_change_for,
    request_decommission,
    request_extension,
    request_modification,
    request_offboarding,
)
from .fulfilment import (
    cancel_fulfilment,
    failed_item,
    has_active_runs,
    is_cleaning_up,
    retry_fulfilment,
    settle_run,
    start_fulfilment,
)
from .migration_requests import draft_migration_request, submit_triage_review
from .requests import (
    InvalidValues,
    move_request,
    submit_composed_request,
    submit_dataset_change,
    submit_new_request,
    submit_request,
    withdraw_request,
    withdrawable,
)
from .reviews import bulk_approve, conclude_review, record_decision
from .upkeep import (
    destroy_expired,
    end_lifetime,
    queue_due_drift_checks,
    reconcile_drift,
    request_drift_check,
    request_repo_upgrade,
)

__all__ = [
    "InvalidValues", "bulk_approve", "cancel_fulfilment", "conclude_review", "destroy_expired", "end_lifetime",
    "draft_migration_request", "failed_item", "has_active_runs", "is_cleaning_up", "may_change", "move_request",
    "open_change_for", "queue_due_drift_checks", "reconcile_drift", "record_decision", "request_decommission",
    "request_drift_check", "request_extension", "request_modification", "request_offboarding",
    "request_repo_upgrade", "retry_fulfilment", "settle_run", "start_fulfilment", "submit_composed_request",
    "submit_dataset_change",
    "submit_new_request",
    "submit_request", "submit_triage_review", "withdraw_request", "withdrawable",
]
