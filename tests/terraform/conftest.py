"""Fixtures for the Terraform module tests: one working directory per module, run in the sandbox.

The apply-and-destroy scenarios and the plan-only checks (validate, refused and planned plans)
are declared as their tests' parameters and run in the background, two at a time, from the first
test of this directory on (see :class:`BackgroundJobs`); each test waits for its own job and
fails with its assertion or Terraform error. Destroys go through the engine's one-command
``apply -destroy``.

No Django here. Alone (the root ``tests/conftest.py`` loads Django fixture plugins, so keep it out):
    .venv/bin/pytest tests/terraform -p no:django --confcutdir=tests/terraform
and as part of the whole suite under plain pytest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

from provisioning.runners.terraform import TerraformFailed, TerraformRunner, terraform_env
from provisioning.workspace import VAR_FILE, CloudTarget, prepare_workspace, read_module

PLAN_FILE = "module-test.tfplan"

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
            module_files=read_module(MODULES_DIR / self.module),
            variables=variables,
            provider_block=self.target.provider_block(),
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
            assert runner.plan(var_file=VAR_FILE, out=PLAN_FILE), "the first plan must have changes"
            planned = time.monotonic()
            runner.apply_plan(PLAN_FILE)
            self._timed("apply", started, planned)
            # A second plan must be empty: no drift from what the cloud answers back.
            assert not runner.plan(var_file=VAR_FILE, out=PLAN_FILE), "a plan right after apply shows changes"
            return {name: out["value"] for name, out in runner.outputs().items()}

    def destroy(self, variables: Mapping) -> None:
        """Destroy everything in the state the way the portal's engine does: one
        ``terraform apply -destroy`` (one provider start instead of a destroy plan plus an apply)."""
        with self._explained():
            runner = self.prepare(variables)
            assert self.state_resources(), "nothing in the state to destroy"
            started = time.monotonic()
            runner.destroy(var_file=VAR_FILE)
            self._timed("destroy", started, started)

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
            runner.plan(var_file=VAR_FILE, out=PLAN_FILE)
            return runner.show_plan(PLAN_FILE)

    def plan_fails(self, variables: Mapping) -> str:
        """Plans expecting failure; returns the output so the test can check the message."""
        runner = self.prepare(variables)
        before = len(self.lines)
        try:
            runner.plan(var_file=VAR_FILE, out=PLAN_FILE)
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


@dataclass(frozen=True, eq=False)
class PlanCheck:
    """A Terraform check that changes nothing in the cloud, declared where its test is collected
    (as a parameter) so that it can run ahead of the test, in the background; see
    :class:`BackgroundJobs`. ``kind`` is what the test gets back:

    - ``"validate"``: ``init`` + ``validate`` with no values (a dead sandbox URL is enough: it
      calls no API); the :class:`Validation` with what Terraform printed.
    - ``"refused"``: a plan expected to fail; its output (:meth:`ModuleRun.plan_fails`).
    - ``"planned"``: a plan expected to succeed; ``terraform show -json`` of it.
    """

    module: str
    kind: str
    variables: Mapping = field(default_factory=dict)

    def run(self, workdir: Path, target: CloudTarget, cli_config: Path):
        if self.kind == "validate":
            return validate_module(self.module, workdir, cli_config)
        run = ModuleRun(self.module, workdir, target, cli_config)
        if self.kind == "refused":
            return run.plan_fails(self.variables)
        if self.kind == "planned":
            return run.show_plan(self.variables)
        raise ValueError(self.kind)


@dataclass(frozen=True, eq=False)
class Scenario:
    """An apply-and-destroy test body, ``body(run, sandbox_client)``, with its own
    :class:`ModuleRun` in a fresh working directory; run in the background (see
    :class:`BackgroundJobs`), its assertions and all. Declared as its test's parameter."""

    module: str
    body: Callable[[ModuleRun, Callable], None]
    kind: str = "scenario"

    def run(self, workdir: Path, target: CloudTarget, cli_config: Path) -> None:
        session = boto3.session.Session()  # boto3's default session is not thread-safe

        def sandbox_client(service: str):
            return session.client(
                service,
                region_name=target.region,
                endpoint_url=target.sandbox_url,
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",  # noqa: S106
            )

        self.body(ModuleRun(self.module, workdir, target, cli_config), sandbox_client)


def validation(module: str) -> PlanCheck:
    return PlanCheck(module, "validate")


def refused_plan(module: str, variables: Mapping) -> PlanCheck:
    return PlanCheck(module, "refused", variables)


def planned_changes(module: str, variables: Mapping) -> PlanCheck:
    return PlanCheck(module, "planned", variables)


def scenario(module: str) -> Callable[[Callable], Scenario]:
    """Decorator: ``@scenario("gpu_vm")`` on ``def apply_and_destroy(run, sandbox_client)``."""
    return lambda body: Scenario(module, body)


@dataclass
class Validation:
    """What ``terraform init`` + ``terraform validate`` printed for one module, or how it failed."""

    lines: list[str]
    error: TerraformFailed | None = None


def validate_module(module: str, workdir: Path, cli_config: Path) -> Validation:
    # validate reads no variable values and calls no API: a dead sandbox URL is enough.
    target = CloudTarget(region="us-east-1", sandbox_url="http://127.0.0.1:9")
    prepare_workspace(
        workdir=workdir,
        module_files=read_module(MODULES_DIR / module),
        variables={},
        provider_block=target.provider_block(),
        backend={"local": {"path": str(workdir / "state.tfstate")}},
    )
    lines: list[str] = []
    runner = TerraformRunner(workdir, terraform_env(cli_config=cli_config), on_line=lines.append)
    try:
        runner.init()
        runner.validate()
    except TerraformFailed as failed:
        return Validation(lines, failed)
    return Validation(lines)


# Three Terraform jobs at a time: the machines running the suite have two cores, but a job is mostly
# idle in one of the provider's own waiters (EKS clusters ~30 s each way, S3 lifecycle rules ~55 s,
# EC2 instances ~15 s each way) after a CPU-bound start (the AWS provider loading its schema).
JOB_WORKERS = 3


class BackgroundJobs:
    """The :class:`Scenario` and :class:`PlanCheck` parameters of the collected tests, run in
    the background, ``JOB_WORKERS`` at a time, from the first Terraform module test on
    (scenarios first, the longest work, then the checks).

    Each job works in its own directory, on names no other test uses, and the assertions about
    the cloud look only at their own resources, so jobs may overlap. The test of a job waits
    for it (or runs it then, if it was not collected up front) and reports its outcome: a
    scenario's failed assertion or Terraform error is raised in its test with its traceback; a
    check's result is asserted on by its test exactly as before.
    """

    def __init__(self, jobs: list, tmp_path_factory, target: CloudTarget, cli_config: Path):
        self.tmp_path_factory, self.target, self.cli_config = tmp_path_factory, target, cli_config
        self.pool = ThreadPoolExecutor(max_workers=JOB_WORKERS, thread_name_prefix="tf-jobs")
        self.futures: dict[int, Future] = {}
        for job in sorted(jobs, key=self._order):
            self._submit(job)

    @staticmethod
    def _order(job) -> tuple[int, int]:
        """Scenarios before checks, the longest first (so the two workers end together);
        otherwise in collection order (``sorted`` is stable)."""
        longest = ("cluster", "storage")
        slow = longest.index(job.module) if job.module in longest else len(longest)
        return (job.kind != "scenario", slow if job.kind == "scenario" else 0)

    def _submit(self, job) -> Future:
        if id(job) not in self.futures:
            workdir = self.tmp_path_factory.mktemp(f"{job.kind}-{job.module}") / job.module
            self.futures[id(job)] = self.pool.submit(job.run, workdir, self.target, self.cli_config)
        return self.futures[id(job)]

    def result(self, job):
        return self._submit(job).result(timeout=1200)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def terraform_jobs(request, tmp_path_factory, cloud_target, tf_cli_config) -> BackgroundJobs:
    """The session's :class:`BackgroundJobs`; ``terraform_jobs.result(job)``."""
    jobs = [
        value
        for item in request.session.items
        if hasattr(item, "callspec")
        for value in item.callspec.params.values()
        if isinstance(value, PlanCheck | Scenario)
    ]
    background = BackgroundJobs(jobs, tmp_path_factory, cloud_target, tf_cli_config)
    yield background
    background.close()


@pytest.fixture
def module_run(tmp_path, cloud_target, tf_cli_config, terraform_jobs) -> Callable[[str], ModuleRun]:
    """``module_run("gpu_vm")`` → a :class:`ModuleRun` in a fresh working directory, in the
    foreground. (It asks for ``terraform_jobs``, so the background jobs start with it too.)"""
    return lambda module: ModuleRun(module, tmp_path / module, cloud_target, tf_cli_config)


def pytest_configure(config):
    # The sandbox fixtures (sandbox_url, cloud_target, tf_cli_config, sandbox_client). The root
    # conftest registers them for the whole suite; pytest refuses ``pytest_plugins`` in a
    # non-root conftest, so when this directory runs alone the plugin is registered here.
    if not config.pluginmanager.has_plugin(SANDBOX_PLUGIN):
        config.pluginmanager.import_plugin(SANDBOX_PLUGIN)


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_sep("-", f"terraform apply/destroy wall time (sandbox, {JOB_WORKERS} jobs at a time)")
        for module, step, plan, apply in TIMINGS:
            terminalreporter.write_line(
                f"{module:<24} {step:<8} plan {plan:5.1f}s + apply {apply:5.1f}s = {plan + apply:5.1f}s"
                if step == "apply"
                else f"{module:<24} {step:<8} apply -destroy {apply:5.1f}s"
            )
