"""The command runs on a laptop: loading it loads nothing of the server (no Django, no Celery)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_command_loads_no_django_and_no_celery(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PORTAL"))}
    shown = subprocess.run(
        [sys.executable, "-c", "import sys; import portal.cli.app; "
         "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'rest_framework', 'kombu'}))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"


def test_the_console_script_answers_help():
    script = Path(sys.executable).with_name("portal")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert "portal login" in shown.stdout and "Exit codes" in shown.stdout
    for command in ("login", "whoami", "catalog", "request", "requests", "approvals", "approve", "reject",
                    "request-changes", "resources", "decommission", "audit"):
        assert f"  {command} " in shown.stdout
