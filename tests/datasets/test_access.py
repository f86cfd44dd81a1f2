"""Access requests: routed by content (the data owner always, InfoSec by class, admin rules written for
grants, never the requesting team), decided only by the people routing names, validated field by field,
and applied as a grant whose variables the portal sets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.approvals.models import ApprovalRule, RuleCondition
from portal.approvals.routing import stages_for
from portal.approvals.selectors import decidable_stages
from portal.catalog.selectors import offered_version_for, offered_versions
from portal.core.errors import ApplicationError, PermissionDenied
from portal.datasets.models import AccessRequest, Dataset
from portal.datasets.services import request_access
from portal.inventory.services import record_resource
from portal.onboarding.models import OnboardingRequest, RequestStatus
from portal.onboarding.services import record_decision, request_modification, submit_new_request
from portal.teams.models import Membership
from provisioning.models import Run

from .conftest import ROLE_ARN

pytestmark = pytest.mark.django_db
PURPOSE = "features for the fraud model"


def ask(ds, dataset=None, **overrides):
    kwargs = {"actor": ds.outsider, "dataset": dataset or ds.internal, "team": ds.fraud, "access": "read",
              "purpose": PURPOSE, "days": 30, **overrides}
    return request_access(**kwargs)


def teams_of_stages(request):
    return [(stage.team.slug, stage.approver.username if stage.approver else None)
            for stage in request.stages.order_by("position")]


def test_an_internal_dataset_goes_to_its_data_owner_only(asking):
    access = ask(asking)
    request = access.request
    assert request.status == RequestStatus.IN_REVIEW
    assert teams_of_stages(request) == [("churn-modelling", "requester")]  # no MLOps "every request" stage
    [item] = request.items.all()
    assert item.values["bucket"] == "demo-churn-data" and item.values["prefix"] == "features/"
    assert item.lifetime_days == 30 and request.data_classification == "internal"


@pytest.mark.parametrize("classification", ["confidential", "restricted"])
def test_confidential_and_restricted_data_add_infosec(asking, classification):
    Dataset.objects.filter(pk=asking.internal.pk).update(classification=classification)
    asking.internal.refresh_from_db()
    request = ask(asking).request
    assert teams_of_stages(request) == [("churn-modelling", "requester"), ("infosec", None)]


def test_rules_written_for_grants_add_their_team(asking):
    rule = ApprovalRule.objects.create(name="Grants to Cloud Ops", team=asking.demo.teams["cloud-ops"], reason="r")
    RuleCondition.objects.create(rule=rule, fact="kinds", operator="contains", value="dataset_grant")
    request = ask(asking).request
    assert teams_of_stages(request) == [("churn-modelling", "requester"), ("cloud-ops", None)]


def test_never_a_stage_of_the_requesting_team(asking):
    request = OnboardingRequest(team=asking.churn, requester=asking.lead, data_owner=asking.member,
                                data_owner_team=asking.churn, data_classification="internal")
    with pytest.raises(ApplicationError):
        stages_for(request, {"data_classification": "internal", "kinds": ["dataset_grant"]})
    with pytest.raises(ApplicationError) as refused:
        ask(asking, team=asking.churn, actor=asking.lead)  # a team asking for its own data
    assert refused.value.field == "team"


def test_only_the_data_owner_decides_the_owner_stage(asking):
    request = ask(asking).request
    stage = request.stages.get(approver__isnull=False)
    assert stage in decidable_stages(asking.member)
    assert stage not in decidable_stages(asking.lead)  # in the owning team, but not its data owner
    with pytest.raises(PermissionDenied):
        record_decision(stage=stage, actor=asking.lead, outcome="approve")
    with pytest.raises(PermissionDenied):
        record_decision(stage=stage, actor=asking.outsider, outcome="approve")  # the requester
    record_decision(stage=stage, actor=asking.member, outcome="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVISIONING  # the only stage: approved, the grant is applied


def test_a_member_of_the_requesting_team_never_decides_the_infosec_stage(asking, make_user):
    Dataset.objects.filter(pk=asking.internal.pk).update(classification="confidential")
    asking.internal.refresh_from_db()
    both = make_user("fraud-and-infosec", team=asking.fraud)
    Membership.objects.create(team=asking.demo.teams["infosec"], user=both)
    request = ask(asking).request
    infosec = request.stages.get(team__slug="infosec")
    assert infosec not in decidable_stages(both)
    with pytest.raises(PermissionDenied):
        record_decision(stage=infosec, actor=both, outcome="approve")


def test_approved_the_grant_is_applied_with_the_values_the_portal_set(asking):
    request = ask(asking, access="read_write").request
    record_decision(stage=request.stages.get(), actor=asking.member, outcome="approve")
    apply = Run.objects.get(item__request=request, action="apply")
    assert apply.variables["team_role_arn"] == ROLE_ARN
    assert (apply.variables["bucket"], apply.variables["prefix"], apply.variables["access"]) == (
        "demo-churn-data", "features/", "read_write")
    resource = record_resource(item=request.items.get(), outputs={"policy_name": "x"})
    lifetime = resource.expires_at - resource.created_at
    assert 29 < lifetime.total_seconds() / 86400 <= 30  # the grant lives as long as asked


@pytest.mark.parametrize("change, field", [
    ({"days": 0}, "days"), ({"days": 10000}, "days"), ({"access": "admin"}, "access"),
    ({"purpose": "x"}, "purpose"),
])
def test_bad_asks_are_refused_on_their_field(asking, change, field):
    with pytest.raises(ApplicationError) as refused:
        ask(asking, **change)
    assert refused.value.field == field
    assert not AccessRequest.objects.exists() and not OnboardingRequest.objects.filter(data_owner__isnull=False)


def test_no_second_ask_while_one_is_open_and_no_ask_without_a_role(ds):
    with pytest.raises(ApplicationError) as refused:
        ask(ds)  # fraud has no directory group: nothing to grant to
    assert refused.value.field == "team"
    from .conftest import give_directory_group

    give_directory_group(ds.fraud, ds.demo.versions["directory-group"], ds.outsider)
    ask(ds)
    with pytest.raises(ApplicationError) as again:
        ask(ds, access="read_write")
    assert again.value.field == "team"


def test_only_members_of_the_asking_team(asking):
    with pytest.raises(PermissionDenied):
        ask(asking, actor=asking.member)  # not in fraud


def test_grants_are_never_offered_nor_made_or_changed_by_hand(asking):
    grant = asking.demo.versions["dataset-grant"]
    assert grant not in offered_versions() and offered_version_for("dataset-grant") is None
    values = {"name": "mine", "bucket": "someone-elses-bucket", "prefix": "", "access": "read_write"}
    with pytest.raises(ApplicationError):
        submit_new_request(actor=asking.outsider, team=asking.fraud, title="sneaky", items=[(grant, values)],
                           details={"data_classification": "internal", "business_justification": "x"})
    request = ask(asking).request
    record_decision(stage=request.stages.get(), actor=asking.member, outcome="approve")
    resource = record_resource(item=request.items.get(), outputs={})
    with pytest.raises(ApplicationError):
        request_modification(actor=asking.outsider, resource=resource,
                             values={**request.items.get().values, "bucket": "someone-elses-bucket"}, reason="more")


def test_the_ask_form_answers_bad_input_with_field_errors(client, asking):
    url = reverse("datasets:ask_access", args=[asking.internal.pk])
    client.force_login(asking.outsider)
    bad = client.post(url, {"team": asking.fraud.pk, "access": "all", "days": "99999999999999999999", "purpose": ""})
    assert bad.status_code == 400
    assert {"access", "days", "purpose"} <= set(bad.context["access_form"].errors)
    other_team = client.post(url, {"team": asking.churn.pk, "access": "read", "days": "5", "purpose": PURPOSE})
    assert other_team.status_code == 400 and "team" in other_team.context["access_form"].errors  # not theirs
    made = client.post(url, {"team": asking.fraud.pk, "access": "read", "days": "5", "purpose": PURPOSE})
    assert made.status_code == 302
    access = AccessRequest.objects.get()
    assert made.url == reverse("onboarding:detail", args=[access.request_id])
    client.force_login(asking.member)  # the owning team: no team to ask for
    assert client.post(url, {"team": asking.churn.pk}).status_code == 403


def test_grants_show_on_both_teams_pages(client, asking):
    access = ask(asking)
    for user, team in ((asking.outsider, asking.fraud), (asking.member, asking.churn)):
        client.force_login(user)
        page = client.get(reverse("teams:dashboard", args=[team.slug])).content.decode()
        assert f'data-grant="{access.pk}"' in page and 'data-state="asked"' in page
    client.force_login(asking.member)
    page = client.get(reverse("datasets:dataset", args=[asking.internal.pk])).content.decode()
    assert f'data-grant="{access.pk}"' in page  # the owning team sees who asked
    client.force_login(asking.outsider)
    page = client.get(reverse("datasets:dataset", args=[asking.internal.pk])).content.decode()
    assert 'id="grants"' not in page


def test_an_access_request_is_not_edited_by_hand(client, asking):
    request = ask(asking).request
    item = request.items.get()
    client.force_login(asking.outsider)
    assert "Edit and resubmit" not in client.get(reverse("onboarding:detail", args=[request.pk])).content.decode()
    edit = reverse("onboarding:edit", args=[request.pk])
    for response in (client.get(edit), client.post(edit, {f"item{item.pk}-bucket": "someone-elses-bucket"})):
        assert response.status_code == 302 and response.url == reverse("onboarding:detail", args=[request.pk])
    item.refresh_from_db()
    assert item.values["bucket"] == "demo-churn-data"


def test_extending_a_grant_goes_to_the_data_owner_again(asking):
    from portal.onboarding.models import RequestItem
    from portal.onboarding.services import request_extension

    Dataset.objects.filter(pk=asking.internal.pk).update(classification="confidential")
    asking.internal.refresh_from_db()
    request = ask(asking).request
    for stage in request.stages.order_by("position"):
        record_decision(stage=stage, actor=asking.member if stage.approver_id else asking.demo.people[
            "infosec-approver"], outcome="approve")
    Run.objects.filter(item__request=request).update(status="succeeded")
    RequestItem.objects.filter(request=request).update(status=RequestItem.Status.ACTIVE)
    resource = record_resource(item=request.items.get(), outputs={})
    extension = request_extension(actor=asking.outsider, resource=resource, days=10, reason="two more weeks")
    assert teams_of_stages(extension) == [("churn-modelling", "requester"), ("infosec", None)]
