"""directory_group_sandbox applies and destroys in the sandbox's identity store (checked with boto3)."""

from __future__ import annotations

import pytest

from .conftest import refused_plan, scenario

TAGS = {"team": "vision", "request": "46", "item": "4"}


def _store_id(sandbox_client) -> str:
    [instance] = sandbox_client("sso-admin").list_instances()["Instances"]
    return instance["IdentityStoreId"]


def _members(ids, store, group_id) -> set[str]:
    memberships = ids.list_group_memberships(IdentityStoreId=store, GroupId=group_id)["GroupMemberships"]
    names = set()
    for membership in memberships:
        user = ids.describe_user(IdentityStoreId=store, UserId=membership["MemberId"]["UserId"])
        names.add(user["UserName"])
    return names


@scenario("directory_group_sandbox")
def group_with_created_users_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "vision-data-scientists",
        "description": "Vision team data scientists",
        "member_user_names": ["ada.lovelace", "alan.turing"],
        "create_users": True,
        "tags": TAGS,
    }
    ids, store = sandbox_client("identitystore"), _store_id(sandbox_client)

    out = run.apply(variables)

    assert out["group_name"] == "vision-data-scientists"
    assert out["member_count"] == 2
    assert out["identity_store_id"] == store
    group = ids.describe_group(IdentityStoreId=store, GroupId=out["group_id"])
    assert group["DisplayName"] == "vision-data-scientists"
    assert group["Description"] == "Vision team data scientists [item=4, request=46, team=vision]"
    assert _members(ids, store, out["group_id"]) == {"ada.lovelace", "alan.turing"}
    # The team's principal, which buckets, VMs and clusters grant (a bucket policy cannot name a group).
    iam = sandbox_client("iam")
    role = iam.get_role(RoleName=out["team_role_name"])["Role"]
    assert role["Arn"] == out["team_role_arn"] and out["team_role_name"].startswith("vision-data-scientists-team")
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["portal:group"] == out["group_id"]

    run.destroy(variables)

    groups = ids.list_groups(IdentityStoreId=store)["Groups"]
    assert out["group_id"] not in {g["GroupId"] for g in groups}
    users = {u["UserName"] for u in ids.list_users(IdentityStoreId=store)["Users"]}
    assert not users & {"ada.lovelace", "alan.turing"}
    assert out["team_role_name"] not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert run.state_resources() == []


@pytest.mark.parametrize("job", [group_with_created_users_apply_and_destroy], ids=["directory_group_sandbox"])
def test_group_with_created_users_apply_and_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


@scenario("directory_group_sandbox")
def group_of_existing_users_leaves_them_on_destroy(run, sandbox_client):
    ids, store = sandbox_client("identitystore"), _store_id(sandbox_client)
    for user in ("grace.hopper", "edsger.dijkstra"):
        ids.create_user(
            IdentityStoreId=store, UserName=user, DisplayName=user, Name={"GivenName": user, "FamilyName": "Existing"}
        )
    variables = {"name": "vision-reviewers", "member_user_names": ["grace.hopper", "edsger.dijkstra"], "tags": {},
                 "team_role": False}

    out = run.apply(variables)

    assert out["member_count"] == 2
    assert out["team_role_arn"] == ""
    group = ids.describe_group(IdentityStoreId=store, GroupId=out["group_id"])
    assert not group.get("Description")
    assert _members(ids, store, out["group_id"]) == {"grace.hopper", "edsger.dijkstra"}

    run.destroy(variables)

    assert out["group_id"] not in {g["GroupId"] for g in ids.list_groups(IdentityStoreId=store)["Groups"]}
    users = {u["UserName"] for u in ids.list_users(IdentityStoreId=store)["Users"]}
    assert {"grace.hopper", "edsger.dijkstra"} <= users


@pytest.mark.parametrize("job", [group_of_existing_users_leaves_them_on_destroy], ids=["directory_group_sandbox"])
def test_group_of_existing_users_leaves_them_on_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


@pytest.mark.parametrize(
    "refusal",
    [refused_plan("directory_group_sandbox", {"name": "vision-ghosts", "member_user_names": ["no.such.user"]})],
    ids=["no.such.user"],
)
def test_group_refuses_unknown_member(terraform_jobs, refusal):
    output = terraform_jobs.result(refusal)  # the plan's output (it ran in the background)
    assert 'data.aws_identitystore_user.existing["no.such.user"]' in output
    assert "USER not found" in output
