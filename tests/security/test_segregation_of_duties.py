"""Finding 5: a stage is never decided by the requester nor by a member of the requesting team,
whoever delegated to whom; N-of-M counts distinct people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.approvals.delegations import create_delegation
from portal.approvals.models import ApprovalStage, Decision
from portal.approvals.selectors import queue_for
from portal.core.errors import PermissionDenied
from portal.onboarding.services import record_decision
from portal.teams.models import Membership


def delegate(world, from_user, to_user):
    now = timezone.now()
    return create_delegation(actor=from_user, from_user=from_user, to_user=to_user,
                             starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))


def test_a_team_mate_holding_the_approvers_delegation_cannot_approve(client, world):
    """The reported case: the MLOps approver delegated to a member of the requesting team."""
    mate = world.people["mate"]  # holds the MLOps approver's delegation (the world's)
    assert world.stage not in queue_for(mate)
    with pytest.raises(PermissionDenied, match="the requesting team"):
        record_decision(stage=world.stage, actor=mate, outcome="approve")
    client.force_login(mate)
    response = client.post(reverse("approvals:decide", args=[world.stage.pk]), {"outcome": "approve"})
    assert response.status_code == 403
    page = client.post(reverse("approvals:bulk"), {"stages": [world.stage.pk]}, follow=True).content.decode()
    assert f"Request #{world.in_review.pk}: You are in Churn modelling, the requesting team" in page
    assert ApprovalStage.objects.get(pk=world.stage.pk).status == "pending" and not Decision.objects.exists()


def test_an_approver_in_the_requesting_team_decides_neither_directly_nor_through_a_delegate(world, make_user):
    approver, stand_in = world.people["mlops"], make_user("stand-in")
    Membership.objects.create(team=world.team, user=approver)  # also a data scientist of team A
    delegate(world, approver, stand_in)
    assert world.stage not in queue_for(approver) and world.stage not in queue_for(stand_in)
    with pytest.raises(PermissionDenied, match="the requesting team"):
        record_decision(stage=world.stage, actor=approver, outcome="approve")
    with pytest.raises(PermissionDenied, match="Only members of MLOps enablement"):
        record_decision(stage=world.stage, actor=stand_in, outcome="approve")


def test_an_outsider_may_still_stand_in_for_an_approver_outside_the_team(world, make_user):
    stand_in = make_user("stand-in")
    delegate(world, world.people["mlops"], stand_in)
    assert world.stage in queue_for(stand_in)
    decision = record_decision(stage=world.stage, actor=stand_in, outcome="approve")
    assert decision.on_behalf_of == world.people["mlops"]


def test_n_of_m_counts_distinct_people_not_hands(world, make_user):
    ApprovalStage.objects.filter(pk=world.stage.pk).update(required_approvals=2)
    approver, stand_in = world.people["mlops"], make_user("stand-in")
    delegate(world, approver, stand_in)
    in_both = make_user("in-both", team=world.team)
    Membership.objects.create(team=world.stage.team, user=in_both)
    record_decision(stage=world.stage, actor=approver, outcome="approve")
    for second in (approver, stand_in, in_both):  # the same person again, their hand, the requesting team
        with pytest.raises(PermissionDenied):
            record_decision(stage=world.stage, actor=second, outcome="approve")
    assert ApprovalStage.objects.get(pk=world.stage.pk).status == "pending"
    record_decision(stage=world.stage, actor=make_user("second", team=world.stage.team), outcome="approve")
    assert ApprovalStage.objects.get(pk=world.stage.pk).status == "approved"
