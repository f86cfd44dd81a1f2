"""Every status field has a TRANSITIONS map beside it and one door: allowed moves pass with their audit
row, other moves change nothing, and of two holders of the same row only the first moves it."""

from __future__ import annotations

import pytest

from portal.approvals.models import ApprovalStage
from portal.approvals.services import move_stage
from portal.audit.models import AuditEvent
from portal.onboarding.models import OnboardingRequest, RequestItem, ResourceChange
from portal.onboarding.services.fulfilment import move_change, move_item
from provisioning.models import TRANSITIONS as RUN_TRANSITIONS
from provisioning.models import Run, RunStatus
from provisioning.services import _move as move_run
from tests.fixtures.runs import make_run

pytestmark = pytest.mark.django_db


def _request(demo):
    return OnboardingRequest.objects.create(team=demo.teams["churn-modelling"], requester=demo.people["requester"],
                                            title="doors")


def _item(demo):
    return RequestItem.objects.create(request=_request(demo), template_version=demo.versions["cpu-vm"],
                                      values={"name": "door-vm"})


def _change(demo):
    from portal.inventory.services import record_resource

    item = _item(demo)
    resource = record_resource(item=item, outputs={})
    return ResourceChange.objects.create(request=_request(demo), resource=resource)


def _stage(demo):
    return ApprovalStage.objects.create(request=_request(demo), team=demo.teams["mlops-enablement"], reason="r")


def _run(demo):
    return make_run(item=_item(demo), action="plan")


def strict_door(door):
    def move(obj, to):
        try:
            return door(obj, to)
        except Exception:  # noqa: BLE001  (a refusal: ApplicationError or Conflict)
            return False
    return move


DOORS = {
    # name: (model, transitions, make, door(obj, to) -> bool)
    "request": (OnboardingRequest, None, _request, None),
    "item": (RequestItem, RequestItem.TRANSITIONS, _item, lambda obj, to: move_item(obj, to)),
    "change": (ResourceChange, ResourceChange.TRANSITIONS, _change, lambda obj, to: move_change(obj, to)),
    "stage": (ApprovalStage, ApprovalStage.TRANSITIONS, _stage,
              strict_door(lambda obj, to: move_stage(obj, to, actor=None))),
    "run": (Run, RUN_TRANSITIONS, _run, lambda obj, to: move_run(obj, to)),
}


def _request_door():
    from portal.onboarding.models import TRANSITIONS
    from portal.onboarding.services import move_request

    return TRANSITIONS, strict_door(lambda obj, to: move_request(obj, to, actor=None))


def door_of(name):
    model, transitions, make, door = DOORS[name]
    if name == "request":
        transitions, door = _request_door()
    return model, transitions, make, door


def statuses(model) -> list[str]:
    return [choice for choice, _ in model._meta.get_field("status").choices]


def cases():
    for name in DOORS:
        model = door_of(name)[0]
        for old in statuses(model):
            yield pytest.param(name, old, id=f"{name}:{old}")


@pytest.mark.parametrize("name", list(DOORS))
def test_every_status_has_an_entry_in_its_map(name):
    model, transitions, _, _ = door_of(name)
    assert set(transitions) == {choice for choice, _ in model._meta.get_field("status").choices}


@pytest.mark.parametrize(("name", "old"), list(cases()))
def test_only_mapped_moves_pass_and_each_is_audited(demo, name, old):
    model, transitions, make, door = door_of(name)
    for new in statuses(model):
        obj = make(demo)
        model.objects.filter(pk=obj.pk).update(status=old)
        obj.refresh_from_db()
        audited = AuditEvent.objects.count()
        moved = door(obj, new)
        stored = model.objects.get(pk=obj.pk).status
        if new in transitions[old]:
            assert moved and stored == new, f"{old} -> {new} refused"
            assert AuditEvent.objects.count() == audited + 1  # the winner's audit row, in the same transaction
        else:
            assert not moved and stored == old, f"{old} -> {new} allowed"
            assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize("name", list(DOORS))
def test_a_stale_copy_loses_the_race(demo, name):
    model, transitions, make, door = door_of(name)
    old, new = next((old, sorted(targets)[0]) for old, targets in transitions.items() if targets)
    first = make(demo)
    model.objects.filter(pk=first.pk).update(status=old)
    first.refresh_from_db()
    second = model.objects.get(pk=first.pk)
    assert door(first, new)
    assert not door(second, new)  # read before the first move: refused, not applied twice
    assert model.objects.get(pk=first.pk).status == new


def test_run_states_are_the_runs_choices():
    assert set(RUN_TRANSITIONS) == set(RunStatus)
