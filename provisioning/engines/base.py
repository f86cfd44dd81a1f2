from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class EngineUnavailable(Exception):
    """The item's engine is not installed or configured here; the run fails with this message."""


class TransientEngineError(Exception):
    """Something outside the portal is briefly unavailable; the run is retried with backoff.

    (Any exception may say the same with a ``transient = True`` attribute; ``False`` means permanent.)
    """

    transient = True


@dataclass
class RunContext:
    """What an engine gets: the run and its item, a log sink and a heartbeat to call often.

    ``inputs`` are values fed from earlier items of the same request (see onboarding.bundles),
    e.g. a repo's clone URL for a CI pipeline; they win over the requester's values.
    ``on_process`` is told the process group of each external command the engine starts.
    """

    run: object
    item: object
    log: Callable[[str], None]
    heartbeat: Callable[..., None]  # heartbeat(phase=None); raises RunLost when the run was taken away
    inputs: dict = field(default_factory=dict)
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


class Engine(Protocol):
    """Optional too: ``check_drift(ctx) -> PlanSummary`` (terraform, see provisioning.drift) and
    ``upgrade(ctx) -> dict`` (scaffold)."""

    def plan(self, ctx: RunContext) -> PlanSummary: ...

    def apply(self, ctx: RunContext) -> dict: ...  # outputs: {name: value}, sensitive ones masked

    def destroy(self, ctx: RunContext) -> None: ...
