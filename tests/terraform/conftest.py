"""Fixtures for the Terraform module tests: one working directory per module, run in the sandbox.

No Django here. Alone (the root ``tests/conftest.py`` loads Django fixture plugins, so keep it out):
    .venv/bin/pytest tests/terraform -p no:django --confcutdir=tests/terraform
and as part of the whole suite under plain pytest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from provisioning.runners.terraform import TerraformFailed, TerraformRunner, terraform_env
from provisioning.workspace import VAR_FILE, CloudTarget, prepare_workspace

SANDBOX_PLUGIN = "tests.fixtures.sandbox"

MODULES_DIR = Path(__file__).resolve().parents[2] / "terraform" / "modules"

# (module, step, plan seconds, apply seconds) of every apply/destroy, printed at the session's end.
TIMINGS: list[tuple[str, str, float, float]] = []


@dataclass
class ModuleRun:
    """One module in one working directory with local state: apply, read outputs, destroy."""

    module: str
    workdir: Path
    target: CloudTarget
    cli_config: Path
    lines: list[str] = field(default_factory=list)
    _initialised: bool = False

    @property
    def runner(self) -> TerraformRunner:
        env = terraform_env(cli_config=self.cli_config, extra=self.target.credentials_env())
        return TerraformRunner(self.workdir, env, on_line=self.lines.append)

    def prepare(self, variables: Mapping) -> TerraformRunner:
        prepare_workspace(
            workdir=self.workdir,
            module_dir=MODULES_DIR / self.module,
            variables=variables,
            target=self.target,
            backend={"local": {"path": str(self.workdir / "state.tfstate")}},
        )
        runner = self.runner
        if not self._initialised:
            runner.init()
            self._initialised = True
        return runner

    def apply(self, variables: Mapping) -> dict:
        """Plan and apply; returns the outputs as ``{name: value}``."""
        with self._explained():
            runner = self.prepare(variables)
            started = time.monotonic()
            assert runner.plan(var_file=VAR_FILE), "the first plan must have changes"
            planned = time.monotonic()
            runner.apply()
            self._timed("apply", started, planned)
            # A second plan must be empty: no drift from what the cloud answers back.
            assert not runner.plan(var_file=VAR_FILE), "a plan right after apply shows changes"
            return {name: out["value"] for name, out in runner.outputs().items()}

    def destroy(self, variables: Mapping) -> None:
        with self._explained():
            runner = self.prepare(variables)
            started = time.monotonic()
            runner.plan(var_file=VAR_FILE, destroy=True)
            planned = time.monotonic()
            runner.apply()
            self._timed("destroy", started, planned)

    @contextmanager
    def _explained(self):
        """A failed Terraform command fails the test with Terraform's own last lines."""
        try:
            yield
        except TerraformFailed as failed:
            tail = "\n".join(self.lines[-60:])
            raise AssertionError(f"{self.module}: {failed}\n{tail}") from None

    def show_plan(self, variables: Mapping) -> dict:
        """Plans only (nothing applied); returns ``terraform show -json`` of the plan."""
        with self._explained():
            runner = self.prepare(variables)
            runner.plan(var_file=VAR_FILE)
            return runner.show_plan()

    def plan_fails(self, variables: Mapping) -> str:
        """Plans expecting failure; returns the output so the test can check the message."""
        runner = self.prepare(variables)
        before = len(self.lines)
        try:
            runner.plan(var_file=VAR_FILE)
        except TerraformFailed:
            return "\n".join(self.lines[before:])
        raise AssertionError(f"plan of {self.module} succeeded with invalid values")

    def state_resources(self) -> list[str]:
        """Addresses of the managed resources in the local state (after a destroy: none)."""
        state = json.loads((self.workdir / "state.tfstate").read_text())
        return [f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"]

    def _timed(self, step: str, started: float, planned: float) -> None:
        now = time.monotonic()
        TIMINGS.append((self.module, step, planned - started, now - planned))
        print(f"{self.module} {step}: plan {planned - started:.1f}s + apply {now - planned:.1f}s")


@pytest.fixture
def module_run(tmp_path, cloud_target, tf_cli_config) -> Callable[[str], ModuleRun]:
    """``module_run("gpu_vm")`` → a :class:`ModuleRun` in a fresh working directory."""
    return lambda module: ModuleRun(module, tmp_path / module, cloud_target, tf_cli_config)


def pytest_configure(config):
    # The sandbox fixtures (sandbox_url, cloud_target, tf_cli_config, sandbox_client). The root
    # conftest registers them for the whole suite; pytest refuses ``pytest_plugins`` in a
    # non-root conftest, so when this directory runs alone the plugin is registered here.
    if not config.pluginmanager.has_plugin(SANDBOX_PLUGIN):
        config.pluginmanager.import_plugin(SANDBOX_PLUGIN)


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", "terraform apply/destroy wall time (sandbox)")
        for module, step, plan, apply in TIMINGS:
            terminalreporter.write_line(
                f"{module:<24} {step:<8} plan {plan:5.1f}s + apply {apply:5.1f}s = {plan + apply:5.1f}s"
            )
