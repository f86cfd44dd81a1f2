"""Versions of the triage decision tree: a draft is edited and tried, then published (the previous
published version is superseded); a published version never changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.audit.services import record_event
from portal.core.errors import ApplicationError
from portal.core.transitions import transition

from ..decision_tree import RS, reachable_rs, tree_problems
from ..models import DecisionTree


@transaction.atomic
def publish_tree(*, actor, tree: DecisionTree) -> DecisionTree:
    tree = DecisionTree.objects.select_for_update().get(pk=tree.pk)
    problems = tree_problems(tree.definition)
    if problems:
        raise ApplicationError("The tree cannot be published: " + " ".join(problems[:3]))
    for old in DecisionTree.objects.select_for_update().filter(status=DecisionTree.Status.PUBLISHED):
        transition(old, DecisionTree.Status.SUPERSEDED, transitions=DecisionTree.TRANSITIONS, actor=actor,
                   verb="decision_tree.superseded", data={"number": old.number, "by": tree.number})
    transition(tree, DecisionTree.Status.PUBLISHED, transitions=DecisionTree.TRANSITIONS, actor=actor,
               verb="decision_tree.published", data={"number": tree.number,
                                                     "unreachable": sorted(set(RS) - reachable_rs(tree.definition))},
               published_at=timezone.now())
    return tree


@transaction.atomic
def draft_tree_from(*, actor, tree: DecisionTree) -> DecisionTree:
    number = (DecisionTree.objects.aggregate(Max("number"))["number__max"] or 0) + 1
    draft = DecisionTree.objects.create(number=number, definition=tree.definition, note=f"Copy of v{tree.number}")
    record_event(actor=actor, verb="decision_tree.drafted", target=draft, data={"from": tree.number})
    return draft
