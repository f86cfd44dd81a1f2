"""The one adapter over python-terraform.

python-terraform builds the command lines (its option conventions: ``no_color=IsFlagged`` …);
we start the process ourselves because its own runner cannot do what a worker needs
(measured on Terraform 1.11, see docs/architecture.md and the tests): stdin from /dev/null, an allow-listed
environment, its own process group that dies with the run, output streamed line by line,
and no DEBUG logging of variable values. Values always arrive through a ``*.tfvars.json``
file written by the caller, never on the command line.

How Terraform is stopped (measured with the AWS provider against the sandbox, see tests):
- SIGINT to the whole group is Terraform's graceful stop: the provider returns what it has
  created so far and Terraform saves it in the state (the resource is kept, tainted) and
  releases the lock, within ~0.3 s. SIGTERM to the group kills the provider first: the
  resource being created is lost from the state and exists twice after a retry. So an apply
  is stopped with SIGINT, then SIGKILL for what is left of the group after
  ``stop_grace_seconds``. Commands that change nothing (init, plan, show, output) are killed
  at once: interrupted, a plan goes on starting providers for up to ~27 s on a busy machine.
- If the worker itself dies (kill -9, OOM), Terraform gets SIGINT from the kernel
  (``PR_SET_PDEATHSIG``) and stops the same graceful way; the provider, a grandchild, goes
  with it (~1.6 s during an apply; an interrupted plan may take 10–30 s on a busy machine, and
  creates nothing meanwhile; the reaper kills whatever is still left on the worker's host).
  For that, Terraform's output goes to a file, not a pipe: with a pipe whose reader died,
  Terraform's next write ("Stopping operation...") kills it with SIGPIPE before it saves the
  state.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from python_terraform import IsFlagged, Terraform

# Only these variables of the worker's environment reach Terraform; the caller adds the
# cloud credentials and state-backend settings the run needs, nothing else.
ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "TZ")
LOG_DIR = ".portal-logs"  # Terraform's output, streamed from here (see the module docstring)
STALE_PLAN = re.compile(r"Saved plan is stale|saved plan is no longer valid", re.IGNORECASE)
STOP_GRACE_SECONDS = 30
POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1


class TerraformFailed(Exception):
    """A Terraform command exited non-zero; ``tail`` holds its last output lines (colour codes removed)."""

    def __init__(self, command: str, returncode: int, tail: list[str]):
        self.command, self.returncode, self.tail = command, returncode, [strip_ansi(line) for line in tail]
        super().__init__(f"terraform {command} exited with {returncode}")


class StalePlan(TerraformFailed):
    """Terraform refused a saved plan: the state changed since the plan was made."""


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    """Terraform's colour codes out of a line (``-no-color`` is passed everywhere; this is the backstop)."""
    return _ANSI.sub("", text)


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
    whole process group is stopped and the exception propagates. ``on_start`` receives the
    process group id of each command as it starts (the reaper's last resort).
    """

    workdir: Path
    env: Mapping[str, str]
    on_line: Callable[[str], None] = lambda line: None
    on_tick: Callable[[], None] = lambda: None
    on_start: Callable[[int], None] = lambda pgid: None
    binary: str = "terraform"
    tick_seconds: float = 5.0
    lock_timeout: str = "60s"  # wait this long for a state lock another run still holds
    stop_grace_seconds: float = STOP_GRACE_SECONDS
    log_tag: str = "run"  # names this run's log files, so two runs never share one
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

    def plan(self, *, var_file: str, out: str, destroy: bool = False) -> bool:
        """Writes the plan file ``out``; returns whether it has changes."""
        options = dict(input=False, no_color=IsFlagged, detailed_exitcode=IsFlagged, out=out,
                       lock_timeout=self.lock_timeout)
        if destroy:
            options["destroy"] = IsFlagged
        rc = self._run("plan", self.argv("plan", var_file=var_file, **options), ok_codes=(0, 2))
        return rc == 2

    def check_drift(self, *, var_file: str, out: str) -> bool:
        """Whether the real infrastructure differs from the configuration and ``var_file``:
        ``plan -detailed-exitcode`` refreshes from the cloud; exit 0 is in sync (False), 2 differs
        (True), 1 (or anything else) raises :class:`TerraformFailed`. Writes the plan file ``out`` for
        :meth:`show_plan`; it is never applied (a reconcile is an apply of its own)."""
        rc = self._run("plan", self.argv("plan", var_file=var_file, input=False, no_color=IsFlagged,
                                         detailed_exitcode=IsFlagged, refresh=True, out=out,
                                         lock_timeout=self.lock_timeout), ok_codes=(0, 2))
        return rc == 2

    def apply_plan(self, plan_file: str) -> None:
        """Applies a saved plan (it never prompts). Raises :class:`StalePlan` when Terraform refuses it
        because the state changed since it was made."""
        try:
            self._run("apply", self.argv("apply", plan_file, input=False, no_color=IsFlagged,
                                         lock_timeout=self.lock_timeout), graceful=True)
        except TerraformFailed as error:
            if any(STALE_PLAN.search(line) for line in error.tail):
                raise StalePlan(error.command, error.returncode, error.tail) from None
            raise

    def apply(self, *, var_file: str) -> None:
        """Plan and apply in one command (one provider start): for applies nobody previewed."""
        self._run("apply", self.argv("apply", var_file=var_file, auto_approve=IsFlagged, input=False,
                                     no_color=IsFlagged, lock_timeout=self.lock_timeout), graceful=True)

    def destroy(self, *, var_file: str) -> None:
        """Destroy everything in the state in one command (one provider start instead of two)."""
        self._run("destroy", self.argv("apply", var_file=var_file, destroy=IsFlagged, auto_approve=IsFlagged,
                                       input=False, no_color=IsFlagged, lock_timeout=self.lock_timeout),
                  graceful=True)

    def show_plan(self, plan_file: str) -> dict:
        return json.loads(self._capture("show", self.argv("show", plan_file, json=IsFlagged, no_color=IsFlagged)))

    def outputs(self) -> dict[str, dict]:
        """``{name: {"value": ..., "sensitive": bool}}``; never streamed to the log. (Engines read the
        state instead where they can: one Terraform start less.)"""
        return json.loads(self._capture("output", self.argv("output", json=IsFlagged, no_color=IsFlagged)))

    # -- process handling ---------------------------------------------------------------
    def _capture(self, command: str, argv: list[str]) -> str:
        """Run a short read-only command and return its output; nothing is logged or kept on disk
        (``output -json`` prints sensitive values in clear)."""
        proc = self._start(argv, stdout=subprocess.PIPE)
        try:
            out, _ = proc.communicate()
        except BaseException:
            stop_process_group(proc, grace=0)
            raise
        if proc.returncode != 0:
            raise TerraformFailed(command, proc.returncode, out.decode(errors="replace").splitlines()[-40:])
        return out.decode(errors="replace")

    def _run(self, command: str, argv: list[str], ok_codes=(0,), graceful: bool = False) -> int:
        """Run ``command`` streaming its output; stopped gracefully (SIGINT first) if ``graceful``."""
        log_dir = self.workdir / LOG_DIR
        log_dir.mkdir(exist_ok=True)
        log_path = log_dir / f"{self.log_tag}-{command}.log"
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            proc = self._start(argv, stdout=fd)
        finally:
            os.close(fd)
        tail: list[str] = []

        def emit(line: str) -> None:
            line = strip_ansi(line)
            self.on_line(line)
            tail.append(line)
            del tail[:-40]

        with open(log_path, encoding="utf-8", errors="replace") as output:
            try:
                self.on_start(proc.pid)
                _follow(proc, output, emit, self.on_tick, self.tick_seconds)
            except BaseException:
                stop_process_group(proc, grace=self.stop_grace_seconds if graceful else 0)
                _log_rest(output, self.on_line)  # how Terraform stopped ("Interrupt received" …)
                raise
        if proc.returncode not in ok_codes:
            raise TerraformFailed(command, proc.returncode, tail)
        return proc.returncode

    def _start(self, argv: list[str], *, stdout) -> subprocess.Popen:
        return subprocess.Popen(
            argv, cwd=self.workdir, env=dict(self.env), stdin=subprocess.DEVNULL, stdout=stdout,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_interrupt_when_parent_dies(),
        )


def _follow(proc: subprocess.Popen, output, emit, on_tick, tick_seconds: float) -> None:
    """Pass each complete line Terraform writes to ``emit`` until it exits; tick meanwhile."""
    partial = ""
    last_tick = time.monotonic()
    while True:
        exited = proc.poll() is not None  # read after this, so nothing written before exit is missed
        chunk = output.read()
        if chunk:
            partial += chunk
            *lines, partial = partial.split("\n")
            for line in lines:
                emit(line)
        if exited:
            if partial:
                emit(partial)
            return
        if time.monotonic() - last_tick >= tick_seconds:
            on_tick()
            last_tick = time.monotonic()
        if not chunk:
            time.sleep(POLL_SECONDS)


def _log_rest(output, on_line) -> None:
    """Best effort after a stop: the sink may refuse (e.g. a cancelled run's heartbeat)."""
    with contextlib.suppress(Exception):
        for line in output.read().splitlines():
            on_line(line)


def _interrupt_when_parent_dies():
    """A preexec_fn: the kernel sends Terraform SIGINT when the thread that started it dies.

    Looked up before fork, so the child only makes one libc call. Note: "parent" is the
    starting *thread*; the worker runs Terraform from the thread that carries out the run.
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGINT), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def stop_process_group(proc: subprocess.Popen, *, grace: float = STOP_GRACE_SECONDS) -> None:
    """End Terraform and its provider plugins: SIGINT to the group (Terraform's graceful stop,
    which saves the state), SIGKILL to whatever is left of the group after ``grace`` seconds
    (at once if ``grace`` is 0)."""
    if grace > 0:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    kill_process_group(proc.pid)
    proc.wait()


def kill_process_group(pgid: int) -> bool:
    """SIGKILL every process left in group ``pgid``; whether there was any."""
    try:
        os.killpg(pgid, signal.SIGKILL)
        return True
    except ProcessLookupError:
        return False


def terraform_processes(pgid: int | None = None) -> list[int]:
    """Pids of live Terraform processes (core and providers), optionally only in group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if not name.startswith("terraform") or fields[0] == "Z":
            continue
        if pgid is None or int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found
