"""SLAs: ok / due soon / overdue; reminders to approvers and escalation to the team lead, once each."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from portal.approvals.sla import remind_and_escalate, sla_state
from portal.approvals.tasks import check_slas_task
from portal.audit.models import AuditEvent
from portal.teams.models import Membership

pytestmark = pytest.mark.django_db
HOURS = timedelta(hours=1)


@pytest.fixture
def stage(submit):
    """An open MLOps stage with the default 48 h SLA (reminder from hour 36)."""
    return submit().stages.get()


def test_sla_state_moves_from_ok_to_due_soon_to_overdue(stage):
    opened = stage.opened_at
    assert stage.sla_hours == 48 and stage.due_at == opened + 48 * HOURS
    assert sla_state(stage, opened + 1 * HOURS) == "ok"
    assert sla_state(stage, opened + 37 * HOURS) == "due_soon"
    assert sla_state(stage, opened + 49 * HOURS) == "overdue"
    stage.status = "approved"
    assert sla_state(stage, opened + 49 * HOURS) == ""


def test_a_reminder_goes_to_the_approvers_once(demo, stage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_and_escalate(stage.opened_at + 10 * HOURS) == {"reminded": 0, "escalated": 0}
        assert remind_and_escalate(stage.opened_at + 40 * HOURS) == {"reminded": 1, "escalated": 0}
        assert remind_and_escalate(stage.opened_at + 41 * HOURS) == {"reminded": 0, "escalated": 0}
    reminders = [m for m in mail.outbox if "due soon" in m.subject]
    assert [m.to for m in reminders] == [["approver@example.org"]]
    assert AuditEvent.objects.filter(verb="stage.reminded").count() == 1


def test_an_overdue_stage_escalates_to_the_team_lead_once(demo, stage, make_user,
                                                           django_capture_on_commit_callbacks):
    lead = make_user("mlops-lead", team=demo.teams["mlops-enablement"], role=Membership.Role.LEAD)
    lead.email = "lead@example.org"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_and_escalate(stage.opened_at + 49 * HOURS) == {"reminded": 0, "escalated": 1}
        assert remind_and_escalate(stage.opened_at + 60 * HOURS) == {"reminded": 0, "escalated": 0}
    escalations = [m for m in mail.outbox if m.subject.startswith("[Portal] Escalation")]
    assert [m.to for m in escalations] == [["lead@example.org"]]
    event = AuditEvent.objects.get(verb="stage.escalated")
    assert event.data["to"] == ["mlops-lead"] and event.object_id == str(stage.request_id)
    stage.refresh_from_db()
    assert stage.escalated_at is not None


def test_without_a_lead_the_platform_admins_hear_of_it(demo, stage):
    remind_and_escalate(stage.opened_at + 49 * HOURS)
    assert AuditEvent.objects.get(verb="stage.escalated").data["to"] == ["admin"]


def test_decided_and_waiting_stages_never_escalate(demo, submit, gpu_version):
    from portal.onboarding.services import record_decision
    from tests.approvals.conftest import GPU_VALUES

    request = submit(gpu_version, GPU_VALUES)
    mlops = request.stages.get(team__slug="mlops-enablement")
    record_decision(stage=mlops, actor=demo.people["approver"], outcome="approve")
    finance = request.stages.get(team__slug="finance")  # opened just now
    counts = remind_and_escalate(finance.opened_at + 47 * HOURS)
    assert counts == {"reminded": 1, "escalated": 0}
    assert not AuditEvent.objects.filter(verb="stage.escalated").exists()


def test_the_periodic_task_runs_the_check_and_is_scheduled(stage):
    assert check_slas_task.run() == {"reminded": 0, "escalated": 0}
    schedule = settings.CELERY_BEAT_SCHEDULE["approvals-check-slas"]
    assert schedule["task"] == check_slas_task.name and schedule["schedule"] <= 3600
    assert "django_celery_beat" in settings.INSTALLED_APPS


def test_the_queue_marks_overdue_stages(client, demo, stage):
    from portal.approvals.models import ApprovalStage

    ApprovalStage.objects.filter(pk=stage.pk).update(due_at=timezone.now() - HOURS)
    client.force_login(demo.people["approver"])
    page = client.get("/approvals/?overdue=on").content.decode()
    assert f'data-stage="{stage.pk}"' in page and "sla-badge-overdue" in page
