"""storage applies and destroys in the sandbox; boto3 sees encryption, public access block,
versioning, the lifecycle rule, the TLS-only policy (enforced), the team role's read-write grant and the
tags (taken literally)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import planned_changes, refused_plan, scenario

# A requester's text reaches the tfvars file as JSON data: quotes and ${...} must stay literal.
TEAM_ROLE = "arn:aws:iam::123456789012:role/vision-team-storage-test"
TAGS = {"team": "vision", "request": "44", "item": "2", "purpose": 'say "hi" ${var.name} %{if true}x%{endif}'}


@scenario("storage")
def storage_apply_and_destroy(run, sandbox_client):
    variables = {
        "name": "acme-vision-train-data",
        "sse_algorithm": "aws:kms",
        "versioning": True,
        "lifecycle_days": 30,
        "force_destroy": True,
        "team_role_arn": TEAM_ROLE,
        "tags": TAGS,
    }
    s3 = sandbox_client("s3")

    out = run.apply(variables)

    assert out == {"bucket_name": "acme-vision-train-data", "bucket_arn": "arn:aws:s3:::acme-vision-train-data",
                   "region": "us-east-1", "team_role_arn": TEAM_ROLE}
    bucket = "acme-vision-train-data"
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags == {**TAGS, "Name": bucket}
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert sse["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["Expiration"] == {"Days": 30}
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    statements = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Getting in: the team's role (a bucket policy cannot name a group) reads and writes.
    for sid, resource in (("TeamListBucket", out["bucket_arn"]), ("TeamReadWriteObjects", f"{out['bucket_arn']}/*")):
        assert statements[sid]["Effect"] == "Allow"
        assert statements[sid]["Principal"] == {"AWS": TEAM_ROLE}
        assert statements[sid]["Resource"] == resource
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= set(statements["TeamReadWriteObjects"]["Action"])

    # The sandbox evaluates bucket policies and its endpoint is plain http: the policy bites.
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="raw/a.csv", Body=b"x,y\n1,2\n")
    assert denied.value.response["Error"]["Code"] in {"403", "AccessDenied"}

    run.destroy(variables)

    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] == "404"
    assert run.state_resources() == []


@pytest.mark.parametrize("job", [storage_apply_and_destroy], ids=["storage"])
def test_storage_apply_and_destroy(terraform_jobs, job):
    terraform_jobs.result(job)  # the scenario above, run in the background; it fails here


PLAIN_BUCKET = planned_changes(
    "storage", {"name": "acme.vision.scratch", "sse_algorithm": "AES256", "versioning": False, "lifecycle_days": 0}
)


@pytest.mark.parametrize("check", [PLAIN_BUCKET], ids=["plain"])
def test_storage_plain_bucket_plans_no_versioning_or_lifecycle(terraform_jobs, check):
    """The other branches, by plan alone: AES256, no versioning resource, no lifecycle rule."""
    plan = terraform_jobs.result(check)  # ``terraform show -json`` of the plan (made in the background)

    planned = {r["address"]: r["change"]["after"] for r in plan["resource_changes"] if r["mode"] == "managed"}
    assert "aws_s3_bucket_public_access_block.this" in planned
    assert "aws_s3_bucket_versioning.this[0]" not in planned
    assert "aws_s3_bucket_lifecycle_configuration.this[0]" not in planned
    assert planned["aws_s3_bucket.this"]["force_destroy"] is False
    assert "Team" not in json.dumps(plan["configuration"])  # no team role given: nothing granted
    sse = planned["aws_s3_bucket_server_side_encryption_configuration.this"]["rule"][0]
    default = sse["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "AES256"
    assert not default["kms_master_key_id"]
    assert sse["bucket_key_enabled"] is False


@pytest.mark.parametrize("refusal", [refused_plan("storage", {"name": "Team_Data..bucket"})], ids=["bad-name"])
def test_storage_refuses_a_bad_bucket_name(terraform_jobs, refusal):
    output = terraform_jobs.result(refusal)  # the plan's output (it ran in the background)
    assert "S3 naming rules" in output
