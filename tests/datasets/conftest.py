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
