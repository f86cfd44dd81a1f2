"""The adapter over python-terraform: literal values, allow-listed environment, process group."""

import json
import os
import subprocess

import pytest

from provisioning.runners.terraform import StalePlan, TerraformFailed, TerraformRunner, strip_ansi, terraform_env
from provisioning.workspace import VAR_FILE, prepare_workspace, read_module

PLAN = "run-1.tfplan"

ECHO_MODULE = """
variable "text" {
  type    = string
  default = "default"
}
variable "texts" {
  type    = map(string)
  default = {}
}
output "echo" {
  value = var.text
}
output "echoes" {
  value = var.texts
}
"""
TRICKY = {"quotes": 'say "hi"', "newline": "two\nlines", "interpolation": "${var.text} and %{ if true }x%{ endif }",
          "backslash": "\\n", "heredoc": "<<EOT\nx\nEOT"}


@pytest.fixture
def echo_module(tmp_path):
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(ECHO_MODULE)
    return module


def runner_for(tmp_path, module, variables, cloud_target, cli_config, **kwargs):
    workdir = tmp_path / "work"
    prepare_workspace(workdir=workdir, module_files=read_module(module), variables=variables,
                      provider_block=cloud_target.provider_block(),
                      backend={"local": {"path": str(tmp_path / "s.tfstate")}})
    env = terraform_env(cli_config=cli_config, extra=cloud_target.credentials_env())
    return TerraformRunner(workdir=workdir, env=env, **kwargs)


def test_values_arrive_as_literal_strings(tmp_path, echo_module, cloud_target, tf_cli_config):
    runner = runner_for(tmp_path, echo_module, {"text": TRICKY["interpolation"], "texts": TRICKY},
                        cloud_target, tf_cli_config)
    runner.init()
    assert runner.plan(var_file=VAR_FILE, out=PLAN) is True
    runner.apply_plan(PLAN)
    outputs = runner.outputs()
    assert outputs["echo"]["value"] == TRICKY["interpolation"]
    assert outputs["echoes"]["value"] == TRICKY


def test_var_file_is_private(tmp_path, echo_module, cloud_target, tf_cli_config):
    runner = runner_for(tmp_path, echo_module, {"text": "secret"}, cloud_target, tf_cli_config)
    var_file = runner.workdir / VAR_FILE
    assert oct(var_file.stat().st_mode & 0o777) == "0o600"
    assert json.loads(var_file.read_text()) == {"text": "secret"}


def test_worker_environment_does_not_reach_terraform(tmp_path, echo_module, cloud_target, tf_cli_config,
                                                     monkeypatch):
    monkeypatch.setenv("TF_VAR_text", "leaked-from-worker")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "worker-secret")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/nonexistent/terraformrc")
    env = terraform_env(cli_config=tf_cli_config)
    assert "DJANGO_SECRET_KEY" not in env and "TF_VAR_text" not in env
    assert env["TF_CLI_CONFIG_FILE"] == str(tf_cli_config)
    runner = runner_for(tmp_path, echo_module, {}, cloud_target, tf_cli_config)
    runner.init()
    runner.apply(var_file=VAR_FILE)  # plan and apply in one command
    assert runner.outputs()["echo"]["value"] == "default"


def test_output_is_streamed_line_by_line(tmp_path, echo_module, cloud_target, tf_cli_config):
    lines = []
    runner = runner_for(tmp_path, echo_module, {"text": "x"}, cloud_target, tf_cli_config, on_line=lines.append)
    runner.init()
    assert any("Terraform has been successfully initialized" in line for line in lines)
    assert all("\n" not in line for line in lines)


def test_failure_carries_terraform_error(tmp_path, cloud_target, tf_cli_config):
    module = tmp_path / "broken"
    module.mkdir()
    (module / "main.tf").write_text('output "x" { value = var.missing }\n')
    runner = runner_for(tmp_path, module, {}, cloud_target, tf_cli_config)
    runner.init()
    with pytest.raises(TerraformFailed) as error:
        runner.plan(var_file=VAR_FILE, out=PLAN)
    assert error.value.command == "plan"
    assert any("Reference to undeclared input variable" in line for line in error.value.tail)


class Stop(Exception):
    pass


def test_a_stopped_run_leaves_no_terraform_process(tmp_path, echo_module, cloud_target, tf_cli_config):
    """on_tick raising (cancel, lost heartbeat) ends Terraform's whole process group."""
    seen = []

    def tick():
        raise Stop

    def on_line(line):
        seen.append(line)

    runner = runner_for(tmp_path, echo_module, {}, cloud_target, tf_cli_config,
                        on_line=on_line, on_tick=tick, tick_seconds=0.05)
    with pytest.raises(Stop):
        runner.init()
    workdir = str(runner.workdir)
    leftovers = subprocess.run(["pgrep", "-f", "terraform"], capture_output=True, text=True).stdout.split()
    for pid in leftovers:
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        assert cwd != workdir, f"terraform process {pid} survived in {workdir}"


def test_command_lines_avoid_python_terraform_quirks(tmp_path, monkeypatch):
    """Pinned: apply takes the saved plan (python-terraform's own apply() would pass -auto-approve=false
    and wait on stdin); destroy is ``apply -destroy -auto-approve`` (its destroy() passes the removed
    -force); plan and apply wait for a state lock a stopping run still holds."""
    seen = []
    runner = TerraformRunner(workdir=tmp_path, env={})
    monkeypatch.setattr(runner, "_run", lambda command, argv, **kw: seen.append(argv) or 0)
    runner.apply_plan("run-7.tfplan")
    runner.plan(var_file="portal.tfvars.json", out="run-7.tfplan", destroy=True)
    runner.destroy(var_file="portal.tfvars.json")
    runner.apply(var_file="portal.tfvars.json")
    apply, plan, destroy, direct = seen
    assert apply == ["terraform", "apply", "-input=false", "-no-color", "-lock-timeout=60s", "run-7.tfplan"]
    assert plan[:2] == ["terraform", "plan"] and "-destroy" in plan and "-var-file=portal.tfvars.json" in plan
    assert "-out=run-7.tfplan" in plan and "-detailed-exitcode" in plan and "-lock-timeout=60s" in plan
    assert direct[:2] == ["terraform", "apply"] and {"-auto-approve", "-no-color", "-input=false",
                                                      "-var-file=portal.tfvars.json"} <= set(direct)
    assert destroy[:2] == ["terraform", "apply"] and {"-destroy", "-auto-approve", "-input=false"} <= set(destroy)
    assert not any("auto-approve" in arg for arg in apply + plan)
    assert not any(arg == "-force" or arg.startswith("-auto-approve=") for arg in apply + plan + destroy)


def test_a_half_written_state_file_does_not_break_the_runner(tmp_path):
    """A killed apply can leave a 0-byte terraform.tfstate; python-terraform's constructor chokes on it."""
    (tmp_path / "terraform.tfstate").write_text("")
    TerraformRunner(workdir=tmp_path, env={})


def test_a_stale_saved_plan_is_refused_as_such(tmp_path, echo_module, cloud_target, tf_cli_config):
    """A plan made before the state changed: Terraform refuses it and the adapter says it is stale."""
    runner = runner_for(tmp_path, echo_module, {"text": "first"}, cloud_target, tf_cli_config)
    runner.init()
    runner.plan(var_file=VAR_FILE, out=PLAN)
    runner.apply(var_file=VAR_FILE)  # the state moves on after the plan was made
    with pytest.raises(StalePlan) as error:
        runner.apply_plan(PLAN)
    assert any("stale" in line.lower() for line in error.value.tail)


def test_runs_keep_their_own_log_files(tmp_path, echo_module, cloud_target, tf_cli_config):
    """Two runs of one working dir (one after the other) never write to the same log file."""
    first = runner_for(tmp_path, echo_module, {}, cloud_target, tf_cli_config, log_tag="run-1")
    first.init()
    second = runner_for(tmp_path, echo_module, {}, cloud_target, tf_cli_config, log_tag="run-2")
    second.init()
    logs = sorted(path.name for path in (first.workdir / ".portal-logs").iterdir())
    assert logs == ["run-1-init.log", "run-2-init.log"]


def test_colour_codes_never_reach_a_message():
    assert strip_ansi("\x1b[31mError:\x1b[0m \x1b[1mNo state\x1b[0m") == "Error: No state"
    failed = TerraformFailed("state", 1, ["\x1b[31m\x1b[1mError:\x1b[0m bad"])
    assert failed.tail == ["Error: bad"]
