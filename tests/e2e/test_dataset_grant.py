"""A dataset access request end to end: asked in the page, decided by the data owner, applied by the real
worker with Terraform as an inline policy on the asking team's role in the sandbox (boto3 reads it), and
removed by the lifetime machinery when its days are over (boto3 sees it gone)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.datasets.models import AccessRequest, Dataset
from portal.inventory.models import ProvisionedResource
from portal.onboarding.models import RequestStatus
from portal.onboarding.services import destroy_expired, record_decision
from portal.teams.models import Membership, Team
from provisioning.models import Run, RunStatus
from tests.datasets.conftest import give_directory_group
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})


def test_a_grant_is_applied_to_the_team_role_and_removed_at_expiry(
        client, demo, make_user, celery_worker_process, sandbox_client):
    iam = sandbox_client("iam")
    role = iam.create_role(RoleName="fraud-e2e-team", AssumeRolePolicyDocument=TRUST)["Role"]
    fraud = Team.objects.create(slug="fraud-modelling", name="Fraud modelling", kind=Team.Kind.MODELLING)
    asker = make_user("fraud-asker", team=fraud, role=Membership.Role.MEMBER)
    give_directory_group(fraud, demo.versions["directory-group"], asker, role_arn=role["Arn"])
    owner = demo.people["requester"]
    dataset = Dataset.objects.create(name="claims-raw", team=demo.teams["churn-modelling"], data_owner=owner,
                                     bucket="churn-claims-data", prefix="raw/2026/", classification="internal")

    client.force_login(asker)
    asked = client.post(f"/datasets/{dataset.pk}/access/", {
        "team": fraud.pk, "access": "read", "days": "14", "purpose": "features for the fraud model"})
    assert asked.status_code == 302, asked.content.decode()[:2000]
    access = AccessRequest.objects.get()
    request = access.request
    record_decision(stage=request.stages.get(), actor=owner, outcome="approve")

    def settled():
        request.refresh_from_db()
        return request.status in (RequestStatus.ACTIVE, RequestStatus.FAILED)

    wait_for(settled, timeout=240, interval=2, what="the grant's apply")
    apply = Run.objects.get(item__request=request, action="apply")
    assert request.status == RequestStatus.ACTIVE, apply.error
    [name] = iam.list_role_policies(RoleName="fraud-e2e-team")["PolicyNames"]
    assert name.startswith("dataset-claims-raw-fraud-modelling-")
    document = iam.get_role_policy(RoleName="fraud-e2e-team", PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert statements["ListThePrefix"]["Resource"] == ["arn:aws:s3:::churn-claims-data"]
    assert statements["ListThePrefix"]["Condition"]["StringLike"]["s3:prefix"] == ["raw/2026/*"]
    assert statements["Objects"]["Resource"] == ["arn:aws:s3:::churn-claims-data/raw/2026/*"]
    assert "s3:PutObject" not in statements["Objects"]["Action"]  # read only
    grant = ProvisionedResource.objects.get(item__request=request)
    assert grant.kind == "dataset_grant" and grant.expires_at is not None

    # Its days are over: the lifetime machinery destroys it, nobody has to ask.
    ProvisionedResource.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    [expiry] = destroy_expired()

    def destroyed():  # the portal settles the run after the worker ended it: wait for the settlement
        expiry.refresh_from_db()
        grant.refresh_from_db()
        return grant.status == ProvisionedResource.Status.DESTROYED or expiry.status in (
            RunStatus.FAILED, RunStatus.CANCELLED)

    wait_for(destroyed, timeout=240, interval=2, what="the grant's destroy at expiry")
    assert expiry.status == RunStatus.SUCCEEDED, expiry.error
    assert iam.list_role_policies(RoleName="fraud-e2e-team")["PolicyNames"] == []
    client.force_login(asker)
    page = client.get(f"/teams/{fraud.slug}/").content.decode()
    assert f'data-grant="{access.pk}" data-state="ended"' in page
