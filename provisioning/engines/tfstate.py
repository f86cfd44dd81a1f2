"""Read a workspace's Terraform state where the backend keeps it, without starting Terraform.

Used for what a run needs to know of the state: the outputs after an apply (one Terraform start
less than ``terraform output``) and whether there is anything to destroy. State format v4:
``{"outputs": {name: {"value", "type", "sensitive"}}, "resources": [...]}``.
No Django imports.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

WORKSPACE = "default"  # Terraform's workspace name inside each per-item schema
# Our own advisory lock around creating a state schema (two-int keys: never one of Terraform's bigint keys).
SCHEMA_LOCK = (0x706F7274, 1)


@dataclass(frozen=True)
class StateLocation:
    backend: str  # "pg" | "local"
    pg_conn: str = ""
    schema: str = ""
    path: Path | None = None

    def ensure(self) -> None:
        """Make the pg backend's schema, table and an empty ``default`` state before Terraform's first
        command of a workspace (with ``skip_schema_creation`` Terraform makes none itself).

        Why: while a workspace has no state row, Terraform's pg backend holds a database-wide advisory lock
        ("workspace creation", key -1) for the whole of its first plan or apply, so every other first-time
        operation fails "Already locked for workspace creation" (measured: 9 of 10 parallel first applies
        failed). With the row present it takes only the row's lock and touches -1 for an instant, which
        ``-lock-timeout`` rides out (measured: 100 of 100). The row holds a minimal v4 state; an empty or
        NULL ``data`` makes Terraform fail "error loading state: no state"."""
        if self.backend != "pg":
            return
        schema = sql.Identifier(self.schema)
        empty = json.dumps({"version": 4, "serial": 0, "lineage": str(uuid.uuid4())})
        with psycopg.connect(self.pg_conn, autocommit=False) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", SCHEMA_LOCK)
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            conn.execute("CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint")
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.states (id bigint NOT NULL DEFAULT "
                "nextval('public.global_states_id_seq') PRIMARY KEY, name text UNIQUE, data text)").format(schema))
            conn.execute(sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS states_by_name ON {}.states (name)").format(schema))
            conn.execute(sql.SQL("INSERT INTO {}.states (name, data) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING")
                         .format(schema), (WORKSPACE, empty))

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
        state = json.loads(row[0])
        return state if state.get("serial") or state.get("resources") or state.get("outputs") else None


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
