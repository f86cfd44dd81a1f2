"""The request page tells its history readably: who, when, what, and the comment."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from portal.approvals.delegations import create_delegation
from portal.onboarding.selectors import timeline
from portal.onboarding.services import record_decision, submit_new_request
from tests.fixtures.people import CPU_VM_VALUES

pytestmark = pytest.mark.django_db


def test_decisions_read_as_sentences(client, demo, make_user):
    request = submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title="VM",
                                 items=[(demo.versions["cpu-vm"], CPU_VM_VALUES)],
                                 details={"data_classification": "restricted"})
    stand_in, now = make_user("stand-in"), timezone.now()
    create_delegation(actor=demo.people["approver"], from_user=demo.people["approver"], to_user=stand_in,
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    record_decision(stage=request.stages.get(team__slug="infosec"), actor=demo.people["infosec-approver"],
                    outcome="approve", comment="masked")
    record_decision(stage=request.stages.get(team__slug="mlops-enablement"), actor=stand_in,
                    outcome="request_changes", comment="use <b>spot</b>")
    entries = [(e.who, e.what, e.comment) for e in timeline(request)]
    assert ("requester", "submitted the request for review", "") in entries
    infosec_reason = "Confidential or restricted data needs InfoSec's review."
    assert ("the portal", f"InfoSec must approve: {infosec_reason}", "") in entries
    assert ("infosec-approver", "approved for InfoSec", "masked") in entries
    assert ("stand-in (for approver)", "asked for changes for MLOps enablement", "use <b>spot</b>") in entries
    assert ("approver", "the request went back to the requester for changes", "") not in entries
    assert ("stand-in", "the request went back to the requester for changes", "") in entries
    client.force_login(demo.people["requester"])
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "<strong>stand-in (for approver)</strong> asked for changes for MLOps enablement" in page
    assert escape("“use <b>spot</b>”") in page  # comments are escaped, never markup
