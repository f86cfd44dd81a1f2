"""Drift: does the cloud still match what the item declared?

A drift check is ``terraform plan -detailed-exitcode`` with the item's values (exit 0: in sync,
2: differs, 1: error); it changes nothing. Its :class:`PlanSummary` lists what an apply would change
to bring the cloud back, and for each resource the attributes that differ: ``before`` is what the
cloud holds now (Terraform refreshed it), ``after`` what the item declares. Sensitive values are
masked here, before anything is stored; values Terraform knows only after an apply are left out.

Engines without Terraform have no drift check: the run says so in its log and finds nothing
(the directory engine reconciles its groups on its own schedule, see directory_sync).
No Django imports.
"""

from __future__ import annotations

import json

from .engines.base import PlanSummary, RunContext

MASK = "(sensitive)"
MAX_ATTRIBUTES = 40  # per resource, so a replaced resource doesn't fill the page
MAX_VALUE_CHARS = 200


def check_drift(engine, ctx: RunContext) -> PlanSummary | None:
    """The engine's drift check, or ``None`` (logged) when the engine has none."""
    engine_name = ctx.spec.engine
    if not hasattr(engine, "check_drift"):
        ctx.log(f"portal: the {engine_name} engine has no drift check; nothing was compared "
                f"({'its groups are reconciled by the directory sync' if engine_name == 'directory' else 'skipped'})")
        return None
    summary = engine.check_drift(ctx)
    if summary.has_changes:
        ctx.log(f"portal: drift — the cloud differs from the declared values: {summary.add} to add, "
                f"{summary.change} to change, {summary.destroy} to destroy")
    else:
        ctx.log("portal: no drift — the cloud matches the declared values")
    return summary


def attribute_changes(change: dict) -> list[dict]:
    """``[{"name", "before", "after"}]`` for the attributes of one ``resource_changes[].change`` that
    differ, by flattened path (``tags.Purpose``, ``root_block_device[0].volume_size``)."""
    before = _flatten(change.get("before"))
    after = _flatten(change.get("after"))
    unknown = _flatten(change.get("after_unknown"))
    sensitive = {**_flatten(change.get("before_sensitive")), **_flatten(change.get("after_sensitive"))}
    found = []
    for name in sorted(set(before) | set(after)):
        if name in after and name in before and after[name] == before[name]:
            continue
        if _covered(name, unknown):
            continue  # known after apply: computed by the cloud, not declared
        hidden = _covered(name, sensitive)
        found.append({"name": name, "before": MASK if hidden else _shown(before.get(name)),
                      "after": MASK if hidden else _shown(after.get(name))})
        if len(found) == MAX_ATTRIBUTES:
            found.append({"name": "…", "before": "", "after": "more attributes differ"})
            break
    return found


def _flatten(value, prefix: str = "") -> dict[str, object]:
    """Leaves of a JSON value by path; empty maps and lists count as leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, object] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, inner in enumerate(value):
            out.update(_flatten(inner, f"{prefix}[{index}]"))
        return out
    if not prefix:
        return {}
    return {prefix: value}


def _covered(name: str, marks: dict[str, object]) -> bool:
    """Whether ``name`` or one of its parents is marked ``true`` (sensitive / unknown)."""
    for path, mark in marks.items():
        if mark is True and (name == path or name.startswith(path + ".") or name.startswith(path + "[")):
            return True
    return False


def _shown(value) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
