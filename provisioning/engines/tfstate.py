"""Read a workspace's Terraform state where the backend keeps it, without starting Terraform.

Used for what a run needs to know of the state: the outputs after an apply (one Terraform start
less than ``terraform output``) and whether there is anything to destroy. State format v4:
``{"outputs": {name: {"value", "type", "sensitive"}}, "resources": [...]}``.
No Django imports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

WORKSPACE = "default"  # Terraform's workspace name inside each per-item schema


@dataclass(frozen=True)
class StateLocation:
    backend: str  # "pg" | "local"
    pg_conn: str = ""
    schema: str = ""
    path: Path | None = None

    def read(self) -> dict | None:
        """The state document, or None when nothing was ever written."""
        if self.backend == "local":
            if self.path is None or not self.path.exists() or self.path.stat().st_size == 0:
                return None
            return json.loads(self.path.read_text())
        with psycopg.connect(self.pg_conn, autocommit=True) as conn:
            exists = conn.execute("SELECT to_regclass(%s)", (f'"{self.schema}".states',)).fetchone()[0]
            if exists is None:
                return None
            row = conn.execute(sql.SQL("SELECT data FROM {}.states WHERE name = %s").format(
                sql.Identifier(self.schema)), (WORKSPACE,)).fetchone()
        if row is None or not row[0]:
            return None
        return json.loads(row[0])


def managed_resources(state: dict | None) -> list[str]:
    """Addresses of the managed resources a state holds (empty: nothing to destroy)."""
    found = []
    for resource in (state or {}).get("resources", []):
        if resource.get("mode") == "managed" and resource.get("instances"):
            prefix = f"{resource['module']}." if resource.get("module") else ""
            found.append(f"{prefix}{resource['type']}.{resource['name']}")
    return found


def state_outputs(state: dict | None) -> dict[str, dict]:
    """``{name: {"value": ..., "sensitive": bool}}`` as ``terraform output -json`` gives them."""
    return {name: {"value": out.get("value"), "sensitive": bool(out.get("sensitive"))}
            for name, out in (state or {}).get("outputs", {}).items()}
