"""Two modelling teams for dataset tests: churn (a lead, a member, a restricted and an internal dataset)
and fraud (a member, who asks for access)."""

from __future__ import annotations

import pytest

from portal.datasets.models import Dataset
from portal.teams.models import Membership, Team


@pytest.fixture
def ds(demo, make_user):
    churn = demo.teams["churn-modelling"]
    fraud = Team.objects.create(slug="fraud-modelling", name="Fraud modelling", kind=Team.Kind.MODELLING)
    lead = make_user("churn-lead", team=churn, role=Membership.Role.LEAD)
    member = demo.people["requester"]
    outsider = make_user("fraud-member", team=fraud)
    restricted = Dataset.objects.create(
        name="customer-contacts", team=churn, data_owner=member, bucket="demo-churn-data", prefix="contacts/",
        classification="restricted", description="Names and call notes of cancelling customers",
        schema_notes="secret-schema", retention_days=365, retention_action="anonymise")
    internal = Dataset.objects.create(
        name="churn-features", team=churn, data_owner=member, bucket="demo-churn-data", prefix="features/",
        classification="internal", description="Monthly churn features")
    return type("DS", (), {"demo": demo, "churn": churn, "fraud": fraud, "lead": lead, "member": member,
                           "outsider": outsider, "restricted": restricted, "internal": internal,
                           "admin": demo.people["admin"]})


ROLE_ARN = "arn:aws:iam::123456789012:role/fraud-modelling-team123"


def give_directory_group(team, version, requester, role_arn: str = ROLE_ARN):
    """``team`` has an active directory group whose role grants go to (as the sandbox module outputs it)."""
    from portal.inventory.models import ProvisionedResource
    from portal.onboarding.models import OnboardingRequest, RequestItem

    request = OnboardingRequest.objects.create(team=team, requester=requester, title="group", status="active")
    item = RequestItem.objects.create(request=request, template_version=version, values={"name": team.slug},
                                      status=RequestItem.Status.ACTIVE)
    return ProvisionedResource.objects.create(item=item, team=team, template_version=version, kind="directory_group",
                                              name=team.slug, outputs={"team_role_arn": role_arn})


@pytest.fixture
def asking(ds):
    """``ds`` with the fraud team's directory group (a role to grant to)."""
    give_directory_group(ds.fraud, ds.demo.versions["directory-group"], ds.outsider)
    return ds
