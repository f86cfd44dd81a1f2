"""One world for the security tests: team A (churn-modelling) with a request in review, a draft, an
active request with a Terraform resource and a repo, a delegation held by a member of team A; team
B; every role the authorization matrix and the fuzz tests log in as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.accounts.admin_group import portal_admins_group
from portal.accounts.models import PersonalAccessToken
from portal.accounts.tokens import create_token
from portal.approvals.delegations import create_delegation
from portal.approvals.models import ApprovalStage, Decision, Delegation
from portal.audit.models import AuditEvent
from portal.catalog.models import Bundle
from portal.inventory.models import ProvisionedResource
from portal.inventory.services import record_resource
from portal.notifications.models import TeamWebhook
from portal.onboarding.drafts import save_draft
from portal.onboarding.models import OnboardingRequest, RequestItem, RequestStatus, ResourceChange
from portal.onboarding.services import submit_new_request
from portal.teams.models import Membership, Team
from provisioning.models import Run, RunStatus
from tests.fixtures.people import CPU_VM_VALUES, REVIEW_DETAILS

# Who logs in (the matrix's columns). Only MLOps enablement and InfoSec have a stage on team A's
# requests (every request / confidential data); Finance and Cloud Ops do not.
ROLES = {
    "anon": "anonymous",
    "owner": "requester of the owning team (team A)",
    "other": "requester of another modelling team (team B)",
    "mlops": "approver in MLOps enablement (a stage on team A's requests)",
    "infosec": "approver in InfoSec (a stage on team A's requests)",
    "finance": "approver in Finance (no stage on them)",
    "cloudops": "approver in Cloud Ops (no stage on them)",
    "mate": "member of team A holding a delegation from the MLOps approver",
    "staff": "plain staff: is_staff and nothing else",
    "admin": "platform admin (the Portal admins group, not a superuser)",
}
DRIFT = {"add": 0, "change": 1, "destroy": 0, "resources": [
    {"address": "aws_instance.this", "type": "aws_instance", "actions": ["update"],
     "attributes": [{"name": "tags.Purpose", "before": "by hand", "after": "feature work"}]}]}


@dataclass
class World:
    team: Team
    other_team: Team
    people: dict  # role -> user (no entry for anonymous)
    in_review: OnboardingRequest  # team A's, confidential: MLOps and InfoSec stages, both open
    stage: ApprovalStage  # its MLOps stage
    draft: OnboardingRequest
    active: OnboardingRequest
    resource: ProvisionedResource  # a Terraform VM of ``active``, drifted
    repo: ProvisionedResource  # a repo of ``active``, up to date
    delegation: Delegation  # the MLOps approver -> the team mate
    bundle: Bundle
    token: PersonalAccessToken  # the team A requester's, live
    webhook: TeamWebhook  # team A's chat webhook


@pytest.fixture
def world(demo) -> World:
    User = get_user_model()
    team = demo.teams["churn-modelling"]
    other_team = Team.objects.create(slug="fraud-modelling", name="Fraud modelling", kind=Team.Kind.MODELLING)
    people = {
        "owner": demo.people["requester"],
        "mlops": demo.people["approver"],
        "infosec": demo.people["infosec-approver"],
        "finance": demo.people["finance-approver"],
        "cloudops": demo.people["cloudops-approver"],
        "other": User.objects.create_user("fraud-requester", password="pw-fraud-requester"),
        "mate": User.objects.create_user("churn-mate", password="pw-churn-mate"),
        "staff": User.objects.create_user("staff-only", password="pw-staff-only", is_staff=True),
        "admin": User.objects.create_user("platform-admin", password="pw-platform-admin", is_staff=True),
    }
    Membership.objects.create(team=other_team, user=people["other"])
    Membership.objects.create(team=team, user=people["mate"])
    people["admin"].groups.add(portal_admins_group())  # an admin the way directory admins are made
    details = {**REVIEW_DETAILS, "data_classification": "confidential", "expected_duration_days": 90}
    vm = demo.versions["cpu-vm"]
    in_review = submit_new_request(actor=people["owner"], team=team, title="VM in review", items=[(vm, CPU_VM_VALUES)],
                                   details=details)
    draft = save_draft(actor=people["owner"], team=team, title="A draft", items=[(vm, CPU_VM_VALUES)], details=details)
    active = submit_new_request(actor=people["owner"], team=team, title="Active VM",
                                items=[(vm, {**CPU_VM_VALUES, "name": "active-vm"})], details=details)
    OnboardingRequest.objects.filter(pk=active.pk).update(status=RequestStatus.ACTIVE)
    RequestItem.objects.filter(request=active).update(status=RequestItem.Status.ACTIVE)
    Run.objects.filter(item__request=active).update(status=RunStatus.SUCCEEDED,  # the approvers' plan preview
                                                    finished_at=timezone.now() - timedelta(days=2))
    resource = record_resource(item=active.items.get(), outputs={"instance_id": "i-0abc"})
    ProvisionedResource.objects.filter(pk=resource.pk).update(
        drift_status=ProvisionedResource.DriftStatus.DRIFTED, drift_summary=DRIFT, last_drift_check_at=timezone.now())
    repo_item = RequestItem.objects.create(request=active, template_version=demo.versions["ml-repo"], position=1,
                                           values={"name": "churn-repo"}, status=RequestItem.Status.ACTIVE)
    repo = record_resource(item=repo_item, outputs={"scaffold_version": f"v{demo.versions['ml-repo'].number}"})
    now = timezone.now()
    delegation = create_delegation(actor=people["mlops"], from_user=people["mlops"], to_user=people["mate"],
                                   starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=7))
    return World(team=team, other_team=other_team, people=people, in_review=in_review,
                 stage=in_review.stages.get(team__slug="mlops-enablement"), draft=draft, active=active,
                 resource=ProvisionedResource.objects.get(pk=resource.pk), repo=repo, delegation=delegation,
                 bundle=Bundle.objects.filter(is_active=True).order_by("slug").first(),
                 token=create_token(user=people["owner"], name="owner's script", scopes=["read"])[0],
                 webhook=TeamWebhook.objects.create(team=team, name="chat", url="https://chat.example.org/hook"))


def state() -> tuple:
    """Everything a refused action could have changed, as comparable values."""
    return (
        sorted(OnboardingRequest.objects.values_list("pk", "status", "title", "updated_at")),
        sorted(ApprovalStage.objects.values_list("pk", "status")),
        sorted(Decision.objects.values_list("pk", "status")),
        sorted(Delegation.objects.values_list("pk", "ends_at")),
        sorted(ProvisionedResource.objects.values_list("pk", "status", "drift_status")),
        ResourceChange.objects.count(), Run.objects.count(),
        AuditEvent.objects.exclude(verb="token.used").count(),  # a token's use is audited, refused or not
        sorted(PersonalAccessToken.objects.values_list("pk", "revoked_at")),
        _datasets(),
    )


def _datasets() -> list:
    from portal.datasets.models import AccessReview, Dataset, ReviewEntry

    return [sorted(Dataset.objects.values_list("pk", "name", "classification", "updated_at")),
            sorted(AccessReview.objects.values_list("pk", "status")),
            sorted(ReviewEntry.objects.values_list("pk", "status"))]


def team_review(world: World):
    """An open access review of team A's dataset with one grant of team B in it, made on first use."""
    from portal.datasets.models import AccessRequest, AccessReview, ReviewEntry

    dataset = team_dataset(world)
    review = AccessReview.objects.filter(dataset=dataset).first()
    if review is None:
        asked = OnboardingRequest.objects.create(team=world.other_team, requester=world.people["other"],
                                                 title="Read access to churn-contacts", status=RequestStatus.ACTIVE)
        ask = AccessRequest.objects.create(dataset=dataset, team=world.other_team, request=asked, access="read",
                                           purpose="fraud features", days=30)
        review = AccessReview.objects.create(dataset=dataset, reviewer=dataset.data_owner,
                                             due_at=timezone.now() + timedelta(days=14))
        ReviewEntry.objects.create(review=review, access_request=ask)
    return review


def team_dataset(world: World):
    """Team A's restricted dataset (portal.datasets), made on first use; its owner is team A's requester."""
    from portal.datasets.models import Dataset

    return Dataset.objects.filter(team=world.team).first() or Dataset.objects.create(
        name="churn-contacts", team=world.team, data_owner=world.people["owner"], bucket="churn-data",
        prefix="contacts/", classification="restricted", description="customer call notes")


def team_product(world: World):
    """Team A's data product (portal.migration), made on first use."""
    from portal.migration.models import DataProduct

    return DataProduct.objects.filter(team=world.team).first() or DataProduct.objects.create(
        team=world.team, name="churn-scoring", kind="model", owner="ana@example.org", current_platform="SAS Grid",
        cadence="weekly", languages=["SAS"])
