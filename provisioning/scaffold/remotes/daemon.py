"""Serve a directory of bare repos read/write over git:// on loopback, and stop without leftovers.

``git daemon`` forks a child per connection; it runs in its own process group, and stopping ends the
whole group and waits until no member of it is left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import ScaffoldError

HOST = "127.0.0.1"


@dataclass
class GitDaemon:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    _log: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"git://{HOST}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """End the daemon and every connection child; returns once none of them is left."""
        pgid = self.process.pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout / 2)
            deadline = time.monotonic() + timeout / 2
            while _group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if not _group_alive(pgid):
                break
        self._log.close()


def start_git_daemon(root: Path | str, *, port: int = 0, timeout: float = 10.0) -> GitDaemon:
    """Start ``git daemon`` for ``root`` on loopback; ``port=0`` picks a free port."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    attempts = 5 if port == 0 else 1
    last_error = ""
    for _ in range(attempts):
        chosen = port or _free_port()
        if _answers(chosen):  # otherwise a connection to the squatter would look like our daemon
            last_error = f"port {chosen} is already in use"
            continue
        log = tempfile.TemporaryFile()  # noqa: SIM115 - owned by the GitDaemon, closed by stop()
        process = subprocess.Popen(
            [
                "git",
                "daemon",
                "--reuseaddr",
                f"--base-path={root}",
                "--export-all",
                "--enable=receive-pack",
                f"--listen={HOST}",
                f"--port={chosen}",
                str(root),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        daemon = GitDaemon(root=root, port=chosen, process=process, _log=log)
        if _wait_listening(daemon, timeout):
            return daemon
        last_error = _read(log) or f"exit code {process.poll()}"
        daemon.stop()
    raise ScaffoldError(f"git daemon did not start on {HOST}: {last_error}")


@contextmanager
def serving(root: Path | str, *, port: int = 0) -> Iterator[GitDaemon]:
    daemon = start_git_daemon(root, port=port)
    try:
        yield daemon
    finally:
        daemon.stop()


def _wait_listening(daemon: GitDaemon, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            return False
        if _answers(daemon.port):
            return True
        time.sleep(0.02)
    return False


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _group_alive(pgid: int) -> bool:
    """Any non-zombie process left in the group (zombies are dead, just not yet reaped)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def _read(log: IO[bytes]) -> str:
    with suppress(ValueError, OSError):
        log.seek(0)
        return log.read().decode(errors="replace").strip()[-500:]
    return ""
