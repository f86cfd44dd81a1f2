"""The local cloud sandbox: a moto server on loopback, and boto3 clients for any target.

No Django imports. Used by the run command, the tests and the inventory checks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing

import boto3


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(port: int, *, log_path=None, timeout: float = 30.0) -> subprocess.Popen:
    """Start a moto server on 127.0.0.1:port and wait until it answers."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    # The cluster module attaches AWS-managed IAM policies (AmazonEKSClusterPolicy …), which moto
    # only knows when told to load them (~1.3 s on the first IAM call).
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox cloud (moto) exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the sandbox cloud did not answer on {url} within {timeout:.0f}s")


def sandbox_is_up(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310
        return True
    except OSError:
        return False


def aws_client(service: str, *, region: str, sandbox_url: str | None = None):
    """A boto3 client for the target: the sandbox (fake keys) or real AWS (normal credentials)."""
    if sandbox_url:
        return boto3.client(
            service, region_name=region, endpoint_url=sandbox_url,
            aws_access_key_id="sandbox", aws_secret_access_key="sandbox",  # noqa: S106
        )
    return boto3.client(service, region_name=region)
