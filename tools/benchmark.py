"""Benchmark of a cold synthesis: `main.py` in a fresh process, as `cdktf synth` runs it.

usage: python tools/benchmark.py [--runs N] [--env ENV]

Prints, for the lazy provider import (default) and the eager one (PETCLINIC_EAGER_IMPORT=1), the
median and best wall time over N runs and the peak resident memory of the run's process tree
(Python and the jsii Node runtime). Performance is measured here, never in timed tests.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def one_run(env_name: str, extra: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak memory of the process tree of one synthesis."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PETCLINIC_ENV=env_name, CDKTF_OUTDIR=str(Path(tmp) / "cdktf.out"),
                   JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", **extra)
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(ROOT / "main.py")], env=env, stdout=subprocess.DEVNULL)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"main.py failed with exit code {process.returncode}")
        return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    for label, extra in (("lazy provider import", {}), ("eager provider import", {"PETCLINIC_EAGER_IMPORT": "1"})):
        runs = [one_run(args.env, extra) for _ in range(args.runs)]
        times = [t for t, _ in runs]
        print(f"{label:24s} median {statistics.median(times):5.2f} s  best {min(times):5.2f} s  "
              f"peak memory {max(m for _, m in runs):6.0f} MB  ({args.runs} runs, env {args.env})")


if __name__ == "__main__":
    main()
