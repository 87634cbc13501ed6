"""Benchmark of a cold synthesis: `main.py` in a fresh process, as `cdktf synth` runs it.

usage: python tools/benchmark.py [--runs N] [--env ENV]
       python tools/benchmark.py --drift [--runs N]    # drift checks of every layer against a local AWS

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


def measure_drift(runs: int) -> None:
    """`python -m tools.drift config --all` and `live --all` (every synthesized layer, plus the
    unmanaged search) against a moto server on 127.0.0.1 holding the test platform and its states."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-west-2",
                      MOTO_EC2_LOAD_DEFAULT_AMIS="false")
    import contextlib
    import io

    from moto.server import ThreadedMotoServer

    from tests.tools.conftest import free_port
    from tests.tools.live_platform import build, prepare_stacks
    from tests.tools.state_fixtures import write_states
    from tools.drift.__main__ import main as drift

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PETCLINIC_ENV="dev", CDKTF_OUTDIR=str(Path(tmp) / "cdktf.out"),
                   JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
        subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, stdout=subprocess.DEVNULL, check=True)
        stacks = prepare_stacks(Path(tmp) / "cdktf.out" / "stacks", Path(tmp) / "stacks")
        counts = {"config": len(list((Path(tmp) / "cdktf.out" / "stacks").iterdir())), "live": len(list(stacks.iterdir()))}
        write_states(Path(tmp) / "states", "dev", [p.stem for p in (ROOT / "tests/fixtures/original/dev").glob("*.json")])
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            endpoint = f"http://127.0.0.1:{port}"
            build(endpoint, stacks)
            commands = {
                "config --all (state folder)": ["config", "--all", "--stacks", str(Path(tmp) / "cdktf.out" / "stacks"),
                                                "--state", str(Path(tmp) / "states"), "--format", "json"],
                "live --all (moto, S3 states)": ["live", "--all", "--stacks", str(stacks), "--endpoint-url", endpoint,
                                                 "--aws-endpoint-url", endpoint, "--format", "json"],
            }
            for label, command in commands.items():
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    with contextlib.redirect_stdout(io.StringIO()):
                        code = drift(command)
                    times.append(time.perf_counter() - start)
                    if code == 1:
                        raise SystemExit(f"drift {label} failed (exit code 1)")
                print(f"drift {label:30s} median {statistics.median(times):5.2f} s  best {min(times):5.2f} s  "
                      f"({runs} runs, {counts[label.split()[0]]} layers)")
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--env", default="dev")
    parser.add_argument("--drift", action="store_true", help="time the drift checks instead of the synthesis")
    args = parser.parse_args()
    if args.drift:
        measure_drift(args.runs)
        return
    for label, extra in (("lazy provider import", {}), ("eager provider import", {"PETCLINIC_EAGER_IMPORT": "1"})):
        runs = [one_run(args.env, extra) for _ in range(args.runs)]
        times = [t for t, _ in runs]
        print(f"{label:24s} median {statistics.median(times):5.2f} s  best {min(times):5.2f} s  "
              f"peak memory {max(m for _, m in runs):6.0f} MB  ({args.runs} runs, env {args.env})")


if __name__ == "__main__":
    main()
