"""What every engine gets and gives back. No Django.

An engine carries out one run of one item from the run's snapshot (:class:`RunSpec`): the values it
applies, the module content it runs, the workspace whose state it changes — never the portal's
models, so what a run did is exactly what its row says it was asked to do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class EngineUnavailable(Exception):
    """The item's engine is not installed or configured here; the run fails with this message."""


class TransientEngineError(Exception):
    """Something outside the portal is briefly unavailable; the run is retried with backoff.

    (Any exception may say the same with a ``transient = True`` attribute; ``False`` means permanent.)
    """

    transient = True


@dataclass(frozen=True)
class RunSpec:
    """A run's immutable snapshot, as the worker hands it to an engine (sealed values opened).

    ``variables`` are everything the engine applies: for Terraform the whole ``*.tfvars.json``
    (requester values, earlier items' outputs, admin-fixed values, tags); for the scaffold and
    directory engines their inputs (repo name, answers, group name, members…).
    ``module_files`` is the frozen module content (Terraform), keyed by file name.
    ``saved_plan`` is a plan an earlier preview of the same workspace wrote with the same variables
    and module; an apply applies it while Terraform still accepts it.
    """

    run_id: int
    action: str  # plan | apply | destroy | drift_check | upgrade
    purpose: str
    engine: str
    module: str
    workspace: str  # e.g. "item-17": one working dir and one state per workspace
    variables: Mapping[str, Any] = field(default_factory=dict)
    module_files: Mapping[str, str] = field(default_factory=dict)
    module_hash: str = ""
    saved_plan: bytes | None = None
    saved_plan_run: int | None = None
    upgrade_module_files: Mapping[str, str] = field(default_factory=dict)  # an upgrade: the newest version's
    after_interruption: bool = False  # the workspace's last apply/destroy was stopped part-way

    @property
    def destroying(self) -> bool:
        """A plan of a destroy (the preview of a decommission)."""
        return self.action == "plan" and self.purpose == "decommission"


@dataclass(frozen=True)
class TerraformSettings:
    binary: str
    workspaces_dir: Path
    cli_config: Path
    provider_block: Mapping[str, Any]
    credentials_env: Mapping[str, str]
    state_backend: str  # "pg" | "local"
    pg_conn: str = ""  # postgres:// URL for the pg backend (given to Terraform in PG_CONN_STR)
    state_dir: Path | None = None  # local backend: state files
    lock_timeout: str = "60s"
    tick_seconds: float = 5.0
    stop_grace_seconds: float = 30.0
    cloud: Any = None  # the CloudTarget (provisioning.workspace): where to look for what a stopped run left


@dataclass(frozen=True)
class EngineSettings:
    """Everything engines need from the installation (read from Django settings by provisioning.config)."""

    terraform: TerraformSettings | None = None
    scaffold: Mapping[str, Any] = field(default_factory=dict)
    directory: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What an engine gets besides the spec: a log sink, a heartbeat to call often, the settings.

    ``heartbeat(phase=None)`` raises when the run was taken away (cancelled or reaped); the engine
    lets it propagate. ``on_process`` is told the process group of each external command started.
    """

    spec: RunSpec
    settings: EngineSettings
    log: Callable[[str], None]
    heartbeat: Callable[..., None]
    on_process: Callable[[int], None] = lambda pgid: None


@dataclass
class PlanSummary:
    """What a plan would do, for approvers: counts and the resources by address."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    resources: list[dict] = field(default_factory=list)  # {"address", "type", "actions": [...]}

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy)

    def as_dict(self) -> dict:
        return {"add": self.add, "change": self.change, "destroy": self.destroy, "resources": self.resources}


@dataclass
class RunResult:
    """How a run ended well: outputs (sensitive ones marked), a plan summary, a saved plan to keep."""

    outputs: dict = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()  # names of outputs to seal before storing
    plan_summary: dict | None = None
    saved_plan: bytes | None = None  # a preview's plan, for the apply that follows approval
    used_saved_plan: bool = False  # this apply applied the preview's plan (not a stale one planned again)
    applied_plan_of: int | None = None  # which preview's (set by the worker)


class Engine(Protocol):
    """Optional: ``check_drift(ctx) -> PlanSummary`` (terraform) and ``upgrade(ctx) -> RunResult`` (scaffold)."""

    def plan(self, ctx: RunContext) -> RunResult: ...

    def apply(self, ctx: RunContext) -> RunResult: ...

    def destroy(self, ctx: RunContext) -> RunResult: ...
