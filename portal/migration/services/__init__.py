"""Every write of the migration app, each with its audit row in the same transaction.

- products: enter, change, import (CSV/XLSX, all or nothing)
- triage: propose (the decision tree), confirm or override, settle the review's outcome
- planning: waves, pilots, the playbook
- outcomes: what follows an approved triage (environment, decommission checklist, revisit date)
- validation: the parallel run, its cycles, retiring the original
"""

from .outcomes import (
    complete_decommission,
    environment_given_up,
    environment_ready,
    environment_requested,
    open_decommission,
    remind_revisits,
    retain_product,
    update_decommission,
)
from .planning import add_lesson, assign_wave, create_wave
from .products import create_product, import_products, move_product, update_product
from .trees import draft_tree_from, publish_tree
from .triage import confirm_triage, propose_triage, settle_triage_review
from .validation import record_cycle, retire_original, set_tolerances

__all__ = [
    "add_lesson", "assign_wave", "complete_decommission", "confirm_triage", "create_product", "create_wave",
    "draft_tree_from", "environment_given_up", "environment_ready", "environment_requested", "import_products",
    "move_product", "open_decommission", "propose_triage", "publish_tree", "record_cycle", "remind_revisits",
    "retain_product", "retire_original", "set_tolerances", "settle_triage_review", "update_decommission",
    "update_product",
]
