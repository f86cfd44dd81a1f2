"""The requester and the team hear when a request becomes active, fails, is cleaned up or is
decommissioned, and when a stage is decided: in the portal's list (with an unread count in the top bar) and
by e-mail, each as they chose."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.notifications.models import Audience, Event, Notification
from portal.notifications.services import set_preferences
from portal.onboarding.services import start_fulfilment
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db


@pytest.fixture
def teammate(demo, make_user):
    user = make_user("teammate", team=demo.teams["churn-modelling"])
    user.email = "teammate@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def provision(demo, approved_request, fake_engine, inline_tasks, django_capture_on_commit_callbacks):
    def run(*, fail: bool = False):
        request = approved_request([(demo.versions["cpu-vm"], CPU_VM_VALUES)], title="Churn features")
        if fail:
            fake_engine.fail("churn-vm", "apply", RuntimeError("Error: creating EC2 Instance: InsufficientCapacity"))
        with django_capture_on_commit_callbacks(execute=True):
            start_fulfilment(request=request, actor=demo.people["approver"])
        while inline_tasks.sent:
            with django_capture_on_commit_callbacks(execute=True):
                inline_tasks.drain()
        request.refresh_from_db()
        return request

    return run


def titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_active_reaches_the_requester_by_mail_and_the_team_in_the_portal(demo, teammate, provision, client):
    request = provision()
    assert request.status == "active"
    requester = demo.people["requester"]
    assert titles(requester) == [f"Request #{request.pk} is active"]
    assert titles(teammate) == [f"Request #{request.pk} is active"]
    active_mail = [m for m in mail.outbox if m.subject == f"[Portal] Request #{request.pk} is active"]
    assert [m.to for m in active_mail] == [[requester.email]]  # the teammate chose nothing: the list only
    assert f"/requests/{request.pk}/" in active_mail[0].body

    client.force_login(teammate)
    page = client.get("/catalog/").content.decode()
    assert 'aria-label="1 unread"' in page  # the top bar on any page
    inbox = client.get("/notifications/").content.decode()
    assert f"Request #{request.pk} is active" in inbox and "Churn features" in inbox
    client.post("/notifications/read/")
    assert 'aria-label="1 unread"' not in client.get("/catalog/").content.decode()


def test_a_failure_says_why_and_the_clean_up_is_announced(demo, teammate, provision):
    request = provision(fail=True)
    assert request.status == "failed"
    failed = Notification.objects.get(recipient=demo.people["requester"], event=Event.REQUEST_FAILED)
    assert "InsufficientCapacity" in failed.body and "churn-vm" in failed.body
    assert Notification.objects.filter(recipient=teammate, event=Event.REQUEST_CLEANED_UP).exists()
    failed_mail = [m for m in mail.outbox if m.subject == f"[Portal] Request #{request.pk} failed"]
    assert len(failed_mail) == 1 and "InsufficientCapacity" in failed_mail[0].body


def test_each_person_chooses_what_reaches_them(demo, teammate, provision):
    requester = demo.people["requester"]
    set_preferences(user=requester, actor=requester,
                    choices={Event.REQUEST_ACTIVE: (Audience.OFF, Audience.OFF)})
    set_preferences(user=teammate, actor=teammate,
                    choices={Event.REQUEST_ACTIVE: (Audience.TEAM, Audience.OFF)})
    request = provision()
    assert titles(requester) == [] and titles(teammate) == []
    active_mail = [m for m in mail.outbox if m.subject == f"[Portal] Request #{request.pk} is active"]
    assert [m.to for m in active_mail] == [[teammate.email]]


def test_the_preferences_page_saves_choices_and_refuses_made_up_ones(demo, client):
    requester = demo.people["requester"]
    client.force_login(requester)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "A request failed" in page.content.decode()
    data = {f"{event}:{channel}": "mine" for event in Event.values for channel in ("email", "in_app")}
    data[f"{Event.REQUEST_FAILED}:email"] = "team"
    assert client.post("/notifications/settings/", data).status_code == 302
    assert requester.notification_preferences.get(event=Event.REQUEST_FAILED).email == "team"
    data[f"{Event.REQUEST_FAILED}:email"] = "everyone"
    refused = client.post("/notifications/settings/", data)
    assert refused.status_code == 400 and "not valid" in refused.content.decode()
    assert requester.notification_preferences.get(event=Event.REQUEST_FAILED).email == "team"


def test_a_decided_stage_is_in_the_requesters_list(demo):
    from portal.onboarding.services import record_decision, submit_new_request
    from tests.approvals.conftest import DETAILS

    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                                 items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)], details=DETAILS)
    stage = request.stages.get(team__slug="mlops-enablement")
    record_decision(stage=stage, actor=demo.people["approver"], outcome="approve", comment="fine")
    note = Notification.objects.get(recipient=demo.people["requester"], event=Event.STAGE_DECIDED)
    assert str(request.pk) in note.title and "approved" in note.body


def test_nobody_reads_anothers_list(demo, teammate, provision, client, make_user):
    provision()
    client.force_login(make_user("stranger"))
    assert "is active" not in client.get("/notifications/").content.decode()
