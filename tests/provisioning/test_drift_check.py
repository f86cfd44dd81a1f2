"""The drift check's pieces: the adapter's ``plan -detailed-exitcode`` and what a plan says differs."""

import pytest

from provisioning.drift import MASK, attribute_changes
from provisioning.engines.terraform import summarize_plan
from provisioning.runners.terraform import TerraformFailed, TerraformRunner
from provisioning.workspace import VAR_FILE

from .test_terraform_runner import echo_module, runner_for  # noqa: F401 (a fixture)


def test_the_drift_check_command_line(tmp_path, monkeypatch):
    """Pinned: a plan with the item's var file, refreshed from the cloud, exit codes 0 and 2 both fine."""
    seen = []
    runner = TerraformRunner(workdir=tmp_path, env={})
    codes = iter([0, 2])
    monkeypatch.setattr(runner, "_run", lambda command, argv, ok_codes=(0,), **kw: seen.append((argv, ok_codes))
                        or next(codes))
    assert runner.check_drift(var_file=VAR_FILE, out="run-3.tfplan") is False
    assert runner.check_drift(var_file=VAR_FILE, out="run-3.tfplan") is True
    argv, ok_codes = seen[0]
    assert argv[:2] == ["terraform", "plan"] and ok_codes == (0, 2)
    assert {"-detailed-exitcode", "-refresh=true", "-input=false", "-var-file=portal.tfvars.json",
            "-out=run-3.tfplan", "-lock-timeout=60s"} <= set(argv)
    assert not any("auto-approve" in arg or arg == "-destroy" for arg in argv)


def test_exit_codes_of_a_real_plan(tmp_path, echo_module, cloud_target, tf_cli_config):  # noqa: F811
    runner = runner_for(tmp_path, echo_module, {"text": "declared"}, cloud_target, tf_cli_config)
    runner.init()
    assert runner.check_drift(var_file=VAR_FILE, out="c.tfplan") is True  # nothing applied yet: differs
    runner.apply(var_file=VAR_FILE)
    assert runner.check_drift(var_file=VAR_FILE, out="c.tfplan") is False  # exit 0
    (runner.workdir / "broken.tf").write_text('output "x" {\n  value = var.undeclared\n}\n')
    with pytest.raises(TerraformFailed) as failed:
        runner.check_drift(var_file=VAR_FILE, out="c.tfplan")
    assert failed.value.returncode == 1 and any("undeclared" in line for line in failed.value.tail)


def test_attributes_that_differ_masked_and_flattened():
    change = {
        "actions": ["update"],
        "before": {"instance_type": "t3.xlarge", "tags": {"Purpose": "by hand", "Name": "vm"},
                   "password": "old-secret", "root_block_device": [{"volume_size": 40, "iops": 3000}],
                   "arn": "arn:1", "user_data": "x" * 500},
        "after": {"instance_type": "t3.large", "tags": {"Purpose": "declared", "Name": "vm"},
                  "password": "new-secret", "root_block_device": [{"volume_size": 80, "iops": 3000}],
                  "arn": None, "user_data": "y" * 500},
        "after_unknown": {"arn": True, "root_block_device": [{}]},
        "before_sensitive": {"password": True}, "after_sensitive": {"password": True},
    }
    found = {a["name"]: (a["before"], a["after"]) for a in attribute_changes(change)}
    assert found["instance_type"] == ("t3.xlarge", "t3.large")
    assert found["tags.Purpose"] == ("by hand", "declared") and "tags.Name" not in found
    assert found["root_block_device[0].volume_size"] == ("40", "80")
    assert found["password"] == (MASK, MASK)
    assert "arn" not in found  # known only after the apply
    assert found["user_data"][0].endswith("…") and len(found["user_data"][0]) < 250
    assert "secret" not in repr(found)


def test_a_sensitive_block_is_masked_whole_and_a_removed_tag_shown():
    change = {"actions": ["update"], "before": {"tags": {"Owner": "ana"}, "config": {"token": "t1", "n": 1}},
              "after": {"tags": {}, "config": {"token": "t2", "n": 2}}, "after_unknown": {},
              "before_sensitive": {"config": True}, "after_sensitive": {"config": True}}
    found = {a["name"]: (a["before"], a["after"]) for a in attribute_changes(change)}
    assert found["config.token"] == (MASK, MASK) and found["config.n"] == (MASK, MASK)
    assert found["tags.Owner"] == ("ana", "(none)")


def test_only_drift_checks_list_attributes():
    plan = {"resource_changes": [
        {"address": "aws_instance.this", "type": "aws_instance",
         "change": {"actions": ["update"], "before": {"tags": {"A": "1"}}, "after": {"tags": {"A": "2"}}}},
        {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "change": {"actions": ["create"], "after": {}}},
        {"address": "aws_vpc.v", "type": "aws_vpc", "change": {"actions": ["no-op"]}},
    ]}
    preview = summarize_plan(plan).as_dict()  # what approvers see: unchanged
    assert preview["resources"] == [
        {"address": "aws_instance.this", "type": "aws_instance", "actions": ["update"]},
        {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "actions": ["create"]}]
    drift = summarize_plan(plan, with_attributes=True)
    assert (drift.add, drift.change, drift.destroy) == (1, 1, 0)
    assert drift.resources[0]["attributes"] == [{"name": "tags.A", "before": "1", "after": "2"}]
    assert "attributes" not in drift.resources[1]
