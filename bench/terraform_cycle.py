"""Benchmark: wall time of each Terraform phase for one cpu_vm against a fresh sandbox cloud.

Run: .venv/bin/python bench/terraform_cycle.py [rounds]   (prints a table; no thresholds)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from provisioning.cloud.sandbox import free_port, start_sandbox  # noqa: E402
from provisioning.runners.terraform import TerraformRunner, terraform_env  # noqa: E402
from provisioning.workspace import (  # noqa: E402
    VAR_FILE,
    CloudTarget,
    prepare_workspace,
    read_module,
    write_cli_config,
)

VALUES = {"name": "bench-vm", "instance_type": "t3.large", "disk_size_gb": 30, "purpose": "bench",
          "ami": "ami-04681a1dbd79675a5", "tags": {"portal:team": "bench"}}


def one_round(tmp: Path, target: CloudTarget, cli: Path, n: int) -> dict[str, float]:
    workdir = tmp / f"w{n}"
    prepare_workspace(workdir=workdir, module_files=read_module(REPO / "terraform/modules/cpu_vm"),
                      variables=VALUES, provider_block=target.provider_block(),
                      backend={"local": {"path": str(tmp / f"{n}.tfstate")}})
    runner = TerraformRunner(workdir=workdir, env=terraform_env(cli_config=cli, extra=target.credentials_env()))
    times = {}
    for phase, step in (("init", runner.init), ("plan", lambda: runner.plan(var_file=VAR_FILE, out="p.tfplan")),
                        ("apply", lambda: runner.apply_plan("p.tfplan")),
                        ("destroy-plan", lambda: runner.plan(var_file=VAR_FILE, out="d.tfplan", destroy=True)),
                        ("destroy", lambda: runner.apply_plan("d.tfplan"))):
        start = time.perf_counter()
        step()
        times[phase] = time.perf_counter() - start
    size = sum(p.stat().st_size for p in workdir.rglob("*") if p.is_file() and not p.is_symlink())
    times["workdir_kb"] = size / 1024
    return times


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    port = free_port()
    sandbox = start_sandbox(port)
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            cli = write_cli_config(tmp / "cli.tfrc", Path("/opt/tf-plugins"))
            target = CloudTarget(region="us-east-1", sandbox_url=f"http://127.0.0.1:{port}")
            results = [one_round(tmp, target, cli, n) for n in range(rounds)]
    finally:
        sandbox.terminate()
    print(f"cpu_vm against moto, {rounds} rounds (seconds; workdir in KB without the linked provider)")
    for phase in results[0]:
        values = [r[phase] for r in results]
        median, low, high = statistics.median(values), min(values), max(values)
        print(f"  {phase:<13} median {median:7.2f}   min {low:7.2f}   max {high:7.2f}")


if __name__ == "__main__":
    main()
