"""A readable diff between two template versions: schema, fixed values, engine and module."""

from __future__ import annotations

import difflib
import json


def version_document(version) -> str:
    """What a version asks and does, as stable, sorted JSON (jsonb does not keep key order)."""
    document = {"engine": version.engine, "module": version.module, "fixed_values": version.fixed_values,
                "parameter_schema": version.parameter_schema}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def version_diff(old, new) -> list[tuple[str, str]]:
    """Unified diff lines of ``old`` → ``new`` as (css class, text): "add", "del", "hunk" or ""."""
    lines = difflib.unified_diff(
        version_document(old).splitlines(), version_document(new).splitlines(),
        fromfile=f"v{old.number}", tofile=f"v{new.number}", lineterm="", n=3,
    )
    styled = []
    for line in lines:
        if line.startswith(("+++", "---")):
            css = "file"
        elif line.startswith("@@"):
            css = "hunk"
        else:
            css = {"+": "add", "-": "del"}.get(line[:1], "")
        styled.append((css, line))
    return styled
