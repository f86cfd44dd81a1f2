"""Triage: the published decision tree proposes an R with its reasons; the team confirms it or chooses
another with a justification; MLOps enablement reviews it through the approval engine (the review is an
onboarding request of kind ``triage``, created by ``portal.onboarding.services.submit_triage_review``,
which calls :func:`confirm_triage`; its outcome comes back through :func:`settle_triage_review`)."""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied
from portal.core.transitions import transition

from ..decision_tree import walk
from ..models import DataProduct, DecisionTree, R, Triage
from ..permissions import can_edit_product
from ..selectors import facts_of, published_tree
from .products import move_product

TRIAGE_STATES = (DataProduct.Status.CATALOGUED, DataProduct.Status.TRIAGED, DataProduct.Status.RETAINED)


def move_triage(triage: Triage, to: str, *, actor, data: dict | None = None, **fields) -> bool:
    return transition(triage, to, transitions=Triage.TRANSITIONS, actor=actor, verb=f"triage.{to}",
                      target=triage.product, data={"triage": triage.pk, **(data or {})}, **fields)


def _locked(product: DataProduct) -> DataProduct:
    return DataProduct.objects.select_for_update().select_related("team").get(pk=product.pk)


@transaction.atomic
def propose_triage(*, actor, product: DataProduct, tree: DecisionTree | None = None) -> Triage:
    """Walk the published tree for ``product``: a proposed triage with the reasons, for the team to confirm."""
    product = _locked(product)
    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can triage its products.")
    if product.status not in TRIAGE_STATES:
        raise ApplicationError(f"{product.name} is {product.get_status_display().lower()}: it is not triaged now.")
    tree = tree or published_tree()
    if tree is None:
        raise ApplicationError("No decision tree is published yet; ask an admin.")
    answer = walk(tree.definition, facts_of(product))
    for old in product.triages.filter(status=Triage.Status.PROPOSED):
        move_triage(old, Triage.Status.SUPERSEDED, actor=actor)
    triage = Triage.objects.create(product=product, tree=tree, proposed_r=answer.r, reasons=answer.reasons)
    record_event(actor=actor, verb="triage.proposed", target=product, data={
        "triage": triage.pk, "tree": tree.number, "r": answer.r, "reasons": answer.reasons})
    return triage


@transaction.atomic
def confirm_triage(*, actor, triage: Triage, chosen_r: str, justification: str = "") -> Triage:
    """The team keeps the proposed R or chooses another (then says why); the triage goes to review."""
    triage = Triage.objects.select_for_update().select_related("product__team").get(pk=triage.pk)
    product = _locked(triage.product)
    if not can_edit_product(actor, product):
        raise PermissionDenied(f"Only members of {product.team} can triage its products.")
    if chosen_r not in R.values:
        raise ApplicationError("Choose one of the six Rs.", field="chosen_r")
    justification = (justification or "").strip()
    if chosen_r != triage.proposed_r and not justification:
        raise ApplicationError(f"Say why {R(chosen_r).label} rather than {R(triage.proposed_r).label} "
                               "(the reviewers read it).", field="justification")
    if triage.status != Triage.Status.PROPOSED:
        raise ApplicationError("This proposal was confirmed or replaced already; reload the page.")
    if product.status == DataProduct.Status.TRIAGED:  # triaged again before anything followed
        move_product(product, DataProduct.Status.CATALOGUED, actor=actor, r="")
    elif product.status == DataProduct.Status.RETAINED:  # revisited
        move_product(product, DataProduct.Status.CATALOGUED, actor=actor, r="", revisit_on=None)
    move_triage(triage, Triage.Status.IN_REVIEW, actor=actor, data={
        "proposed": triage.proposed_r, "chosen": chosen_r, "overridden": chosen_r != triage.proposed_r,
        "justification": justification}, chosen_r=chosen_r, justification=justification[:5000], confirmed_by=actor)
    move_product(product, DataProduct.Status.IN_REVIEW, actor=actor, data={"r": chosen_r})
    triage.product = product
    return triage


@transaction.atomic
def settle_triage_review(*, triage: Triage, outcome: str, actor) -> Triage:
    """The review ended (``approved``, ``rejected`` or ``changes_requested``): approved fixes the product's
    R; otherwise the product goes back to be triaged again."""
    triage = Triage.objects.select_for_update().get(pk=triage.pk)
    product = _locked(triage.product)
    to = {"approved": Triage.Status.APPROVED, "rejected": Triage.Status.REJECTED,
          "changes_requested": Triage.Status.CHANGES_REQUESTED}[outcome]
    move_triage(triage, to, actor=actor)
    if to == Triage.Status.APPROVED:
        move_product(product, DataProduct.Status.TRIAGED, actor=actor, data={"r": triage.chosen_r},
                     r=triage.chosen_r)
    else:
        move_product(product, DataProduct.Status.CATALOGUED, actor=actor, data={"review": outcome})
    triage.product = product
    return triage
