"""The parallel run of a migrated product: tolerances, one comparison per inference cycle (due by the
product's cadence), validated after two passing cycles, then the original is retired."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from ..comparison import Tolerances, UnreadableOutput, as_records, compare, read_output
from ..models import CADENCE_DAYS, DataProduct, ParallelRun, ValidationCycle
from ..permissions import can_edit_product
from .products import move_product

PASSING_CYCLES_NEEDED = 2
Status = DataProduct.Status


def due_on(parallel_run: ParallelRun, number: int):
    """When cycle ``number`` is due: one cadence after the start, then one more per cycle."""
    return parallel_run.started_on + timedelta(days=CADENCE_DAYS[parallel_run.product.cadence] * number)


def _run_for(actor, product: DataProduct) -> ParallelRun:
    run = ParallelRun.objects.select_for_update().select_related("product__team").filter(product=product).first()
    if run is None:
        raise ApplicationError(f"{product.name} has no parallel run: its environment is not active yet.")
    if not can_edit_product(actor, run.product):
        raise PermissionDenied(f"Only members of {run.product.team} can do this.")
    return run


@transaction.atomic
def set_tolerances(*, actor, product: DataProduct, key_column: str, max_row_count_difference_pct,
                   max_numeric_difference, min_label_agreement_pct) -> ParallelRun:
    run = _run_for(actor, product)
    if run.cycles.exists():
        raise ApplicationError("Tolerances are declared before the first cycle and then stay as they are.")
    try:
        rows, labels = Decimal(str(max_row_count_difference_pct)), Decimal(str(min_label_agreement_pct))
        numeric = float(max_numeric_difference)
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError("Tolerances are numbers.")
    if not (0 <= rows <= 100 and 0 <= labels <= 100 and numeric >= 0):
        raise ApplicationError("Percentages are from 0 to 100; the numeric difference is 0 or more.")
    run.key_column, run.max_row_count_difference_pct = key_column.strip()[:100], rows
    run.max_numeric_difference, run.min_label_agreement_pct = numeric, labels
    run.save()
    record_event(actor=actor, verb="validation.tolerances", target=run.product, data={
        "key_column": run.key_column, "max_row_count_difference_pct": str(rows),
        "max_numeric_difference": numeric, "min_label_agreement_pct": str(labels)})
    return run


def tolerances_of(run: ParallelRun) -> Tolerances:
    return Tolerances(max_row_count_difference_pct=float(run.max_row_count_difference_pct),
                      max_numeric_difference=run.max_numeric_difference,
                      min_label_agreement_pct=float(run.min_label_agreement_pct), key_column=run.key_column)


@transaction.atomic
def record_cycle(*, actor, product: DataProduct, old_output: bytes, new_output: bytes) -> ValidationCycle:
    """Compare one cycle's outputs (CSV bytes) within the declared tolerances and record the result; the
    second passing cycle marks the product validated."""
    run = _run_for(actor, product)
    product = DataProduct.objects.select_for_update().get(pk=run.product_id)
    if product.status not in (Status.PARALLEL_RUN, Status.VALIDATED):
        raise ApplicationError(f"{product.name} is {product.get_status_display().lower()}: no cycle to record.")
    try:
        old, new = read_output(old_output, which="original"), read_output(new_output, which="migrated")
    except UnreadableOutput as error:
        raise ApplicationError(str(error), field="outputs")
    checks = compare(old, new, tolerances_of(run))
    number = run.cycles.count() + 1
    cycle = ValidationCycle.objects.create(
        parallel_run=run, number=number, due_on=due_on(run, number), passed=all(c.passed for c in checks),
        checks=as_records(checks), old_rows=len(old.rows), new_rows=len(new.rows), old_sha256=old.sha256,
        new_sha256=new.sha256, recorded_by=actor)
    record_event(actor=actor, verb="validation.cycle", target=product, data={
        "cycle": number, "passed": cycle.passed, "failed": [c.check for c in checks if not c.passed]})
    passing = run.cycles.filter(passed=True).count()
    if product.status == Status.PARALLEL_RUN and passing >= PASSING_CYCLES_NEEDED:
        move_product(product, Status.VALIDATED, actor=actor, data={"passing_cycles": passing})
    return cycle


@transaction.atomic
def retire_original(*, actor, product: DataProduct) -> DataProduct:
    product = DataProduct.objects.select_for_update().select_related("team").get(pk=product.pk)
    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can do this.")
    if product.status != Status.VALIDATED:
        raise ApplicationError(f"{product.name} is not validated: {PASSING_CYCLES_NEEDED} passing cycles come "
                               "first.")
    move_product(product, Status.MIGRATED, actor=actor, data={"original": "retired"})
    return product
