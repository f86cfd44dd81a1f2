"""The one adapter over python-terraform.

python-terraform builds the command lines (its option conventions: ``no_color=IsFlagged`` …);
we start the process ourselves because its own runner cannot do what a worker needs
(measured on Terraform 1.11, see DESIGN.md): stdin from /dev/null, an allow-listed
environment, its own process group that dies with the run, output streamed line by line,
and no DEBUG logging of variable values. Values always arrive through a ``*.tfvars.json``
file written by the caller, never on the command line.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from python_terraform import IsFlagged, Terraform

# Only these variables of the worker's environment reach Terraform; the caller adds the
# cloud credentials and state-backend settings the run needs, nothing else.
ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "TZ")
PLAN_FILE = "portal.tfplan"
STOP_GRACE_SECONDS = 10


class TerraformFailed(Exception):
    """A Terraform command exited non-zero; ``tail`` holds its last output lines."""

    def __init__(self, command: str, returncode: int, tail: list[str]):
        self.command, self.returncode, self.tail = command, returncode, tail
        super().__init__(f"terraform {command} exited with {returncode}")


def terraform_env(*, cli_config: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment Terraform gets: allow-listed basics, our CLI config, ``extra``."""
    env = {name: os.environ[name] for name in ENV_ALLOWLIST if name in os.environ}
    env.update(extra or {})
    # Assign, never setdefault: the machine may export a TF_CLI_CONFIG_FILE of its own.
    env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    env["TF_INPUT"] = "0"
    env["TF_IN_AUTOMATION"] = "1"
    return env


@dataclass
class TerraformRunner:
    """Runs Terraform commands in one working directory.

    ``on_line`` receives each output line as it is printed. ``on_tick`` is called at least every
    ``tick_seconds`` while a command runs (heartbeat, cancellation); if it raises, the command's
    whole process group is ended and the exception propagates.
    """

    workdir: Path
    env: Mapping[str, str]
    on_line: Callable[[str], None] = lambda line: None
    on_tick: Callable[[], None] = lambda: None
    binary: str = "terraform"
    tick_seconds: float = 5.0
    _tf: Terraform = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # working_dir=None and a state path that never exists: the constructor must not read
        # (and choke on) a half-written terraform.tfstate left by a killed apply.
        self._tf = Terraform(terraform_bin_path=self.binary, state="portal-reads-no-state-file")

    def argv(self, command: str, *args: str, **options) -> list[str]:
        return self._tf.generate_cmd_string(command, *args, **options)

    def init(self) -> None:
        self._run("init", self.argv("init", input=False, no_color=IsFlagged))

    def validate(self) -> None:
        self._run("validate", self.argv("validate", no_color=IsFlagged))

    def plan(self, *, var_file: str, destroy: bool = False) -> bool:
        """Writes the plan file; returns whether it has changes."""
        options = dict(input=False, no_color=IsFlagged, detailed_exitcode=IsFlagged, out=PLAN_FILE)
        if destroy:
            options["destroy"] = IsFlagged
        rc = self._run("plan", self.argv("plan", var_file=var_file, **options), ok_codes=(0, 2))
        return rc == 2

    def apply(self) -> None:
        """Applies the plan file written by :meth:`plan` (a saved plan never prompts)."""
        self._run("apply", self.argv("apply", PLAN_FILE, input=False, no_color=IsFlagged))

    def show_plan(self) -> dict:
        return json.loads(self._capture("show", self.argv("show", PLAN_FILE, json=IsFlagged, no_color=IsFlagged)))

    def outputs(self) -> dict[str, dict]:
        """``{name: {"value": ..., "sensitive": bool}}``; never streamed to the log."""
        return json.loads(self._capture("output", self.argv("output", json=IsFlagged, no_color=IsFlagged)))

    # -- process handling ---------------------------------------------------------------
    def _capture(self, command: str, argv: list[str]) -> str:
        lines: list[str] = []
        self._run(command, argv, sink=lines.append)
        return "\n".join(lines)

    def _run(self, command: str, argv: list[str], ok_codes=(0,), sink=None) -> int:
        sink = sink or self.on_line
        tail: list[str] = []
        proc = subprocess.Popen(
            argv, cwd=self.workdir, env=dict(self.env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
        reader.start()
        try:
            while True:
                try:
                    line = lines.get(timeout=self.tick_seconds)
                except queue.Empty:
                    self.on_tick()
                    continue
                if line is None:
                    break
                sink(line)
                if sink is self.on_line:
                    tail = (tail + [line])[-20:]
            rc = proc.wait()
        except BaseException:
            stop_process_group(proc)
            raise
        if rc not in ok_codes:
            raise TerraformFailed(command, rc, tail)
        return rc


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def stop_process_group(proc: subprocess.Popen) -> None:
    """End Terraform and its provider plugins: SIGTERM to the group, SIGKILL after a grace."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
