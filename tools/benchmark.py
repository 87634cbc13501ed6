"""Benchmark of synthesis against the plain cost of cdktf, as ratios from one run.

usage: python tools/benchmark.py [--runs N] [--env ENV] [--json PATH] [--docs]
       python tools/benchmark.py --drift [--runs N]    # drift checks of every layer against a local AWS

Each case is the median of N (≥ 3) fresh processes, each with the peak resident memory and the CPU
time of its whole process tree (Python, the jsii Node runtime, the cdktf CLI), sampled from /proc:

  a  plain cdktf: a fresh Python imports `cdktf_cdktf_provider_aws` the ordinary way (no hook of this
     app), touches one class and exits normally
  b  a cold synthesis of every stack of one environment: the app command of `cdktf.json`,
     synthesis cache off, a fresh output folder
  c  the four environments in one process (synthesis cache off)
  d  a repeated synthesis with nothing changed: the app command of `cdktf.json` with the synthesis cache
     on, into an output folder it synthesized before
  e  `npx cdktf synth` (synthesis cache off)

Every case runs once before it is measured, so each measures a warm machine (jsii's package cache,
the file system cache), not the first run after an install. The measured runs go round by round
(a, b, c, d, e, then again), so that on a shared machine every case sees the same load; the CPU
time, which the machine's load inflates far less than the wall time, is reported beside it. `CHECKPOINT_DISABLE=1` keeps the cdktf
CLI from calling its vendor's version-check service. It prints a table, the ratios b/a, c/a,
d/a, e/a and the issue's targets, and writes them as JSON (`docs/benchmark.json` by default);
`--docs` also rewrites the table in docs/speed.md (from that JSON). Load average and core count are recorded, since the
numbers are only comparable within one run on one machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import speed  # noqa: E402 - the environment every entry point shares (speed.ENVIRONMENT)
from tools import doc_blocks  # noqa: E402

ENVIRONMENTS = ("dev", "staging", "prod", "seoul")
SAMPLE_SECONDS = 0.02
DOC = ROOT / "docs" / "speed.md"
BLOCK = "benchmark"          # the block of DOC this tool writes (tools/doc_blocks.py)

PLAIN_CDKTF = "import cdktf_cdktf_provider_aws.vpc as m; m.Vpc"
ALL_ENVIRONMENTS = """
import os
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from settings import load_environment
from synthesis import synthesize   # through the speed package's entry point, as main.py
for name in sys.argv[3:]:
    synthesize(load_environment(name), Path(sys.argv[2]) / name)
sys.stdout.flush()
os._exit(0)  # as main.py: no interpreter teardown of the bindings
"""


@dataclass(frozen=True)
class Sample:
    seconds: float      # wall time
    cpu: float          # user + system CPU seconds of the process tree
    peak_mb: float      # peak resident memory of the process tree


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    seconds: float      # median wall time
    best: float
    cpu: float          # median CPU time of the process tree
    peak_mb: float      # median of the runs' peak memory of the process tree
    runs: int


TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> dict[int, tuple[int, float]]:
    """Every process of the tree below `pid` (Linux /proc) -> (resident kB, CPU seconds so far)."""
    found, pending = {}, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            rss_kb = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
            found[current] = (rss_kb, (int(fields[11]) + int(fields[12])) / TICKS)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
            continue
    return found


def measure(command: list[str] | str, env: dict[str, str], cwd: Path) -> Sample:
    """Wall time, CPU time and peak memory of one run of `command` and everything it starts. The CPU
    time is each process's last sample (a process's final ~20 ms can be missed), or the rusage of the
    top process and the children it waited for, whichever is more."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, shell=isinstance(command, str),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    peak, cpu_by_pid = 0, {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        sampled = tree(process.pid)
        peak = max(peak, sum(rss for rss, _ in sampled.values()))
        cpu_by_pid.update({p: cpu for p, (_, cpu) in sampled.items()})
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - start
    cpu_by_pid[process.pid] = max(cpu_by_pid.get(process.pid, 0.0), usage.ru_utime + usage.ru_stime)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{command!r} failed with exit code {process.returncode}:\n{stderr[-3000:]}")
    return Sample(elapsed, sum(cpu_by_pid.values()), peak / 1024)


def app_command() -> str:
    """The command `cdktf synth` runs, from cdktf.json."""
    return json.loads((ROOT / "cdktf.json").read_text())["app"]


def base_environment(env_name: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PETCLINIC_", "CDKTF_"))}
    env.update(speed.ENVIRONMENT, PETCLINIC_ENV=env_name, CHECKPOINT_DISABLE="1", **extra)
    return env


def summarize(key: str, title: str, samples: list[Sample]) -> Case:
    times = [s.seconds for s in samples]
    return Case(key, title, statistics.median(times), min(times), statistics.median(s.cpu for s in samples),
                statistics.median(s.peak_mb for s in samples), len(samples))


def cases(env_name: str, runs: int, scratch: Path) -> list[Case]:
    """Each case's `run(i)` measures its run i; run -1 is its unmeasured warm-up."""
    python = sys.executable
    off = {"PETCLINIC_CACHE": "off"}
    plan = []

    def plain(i):
        return measure([python, "-c", PLAIN_CDKTF], base_environment(env_name), scratch)
    plan.append(("a", "plain cdktf: import the provider, touch one class", plain))

    def cold(i):
        out = scratch / f"b{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure(app_command(), base_environment(env_name, CDKTF_OUTDIR=str(out), **off), ROOT)
    plan.append(("b", f"cold synthesis, all stacks of {env_name}", cold))

    def together(i):
        out = scratch / f"c{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure([python, "-O", "-c", ALL_ENVIRONMENTS, str(ROOT), str(out), *ENVIRONMENTS],
                       base_environment(env_name, **off), ROOT)
    plan.append(("c", "all four environments in one process", together))

    repeated_out = scratch / "d"

    def repeated(i):
        return measure(app_command(), base_environment(env_name, CDKTF_OUTDIR=str(repeated_out)), ROOT)
    repeated(-1)  # the run that fills the cache; the case's own warm-up is then already a hit
    plan.append(("d", "repeated synthesis, nothing changed (cache on)", repeated))

    npx = shutil.which("npx")
    if npx is None or not (ROOT / "node_modules" / ".bin" / "cdktf").exists():
        raise SystemExit("case e needs the cdktf CLI: run bin/setup --cli first")

    def cli(i):
        out = scratch / f"e{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure([npx, "--no-install", "cdktf", "synth", "--output", str(out)],
                       base_environment(env_name, **off), ROOT)
    plan.append(("e", "npx cdktf synth (cache off)", cli))

    for _, _, run in plan:
        run(-1)
    samples = {key: [] for key, _, _ in plan}
    for i in range(runs):
        for key, _, run in plan:
            samples[key].append(run(i))
    return [summarize(key, title, samples[key]) for key, title, _ in plan]


def ratios_and_targets(by_key: dict[str, Case]) -> tuple[dict[str, float], dict[str, dict]]:
    a, b = by_key["a"], by_key["b"]
    ratios = {f"{k}/a": round(by_key[k].seconds / a.seconds, 3) for k in ("b", "c", "d", "e")}
    ratios.update({f"{k}/a cpu": round(by_key[k].cpu / a.cpu, 3) for k in ("b", "c", "d", "e")})
    targets = {
        "b <= 0.15 x a": {"value": ratios["b/a"], "limit": 0.15, "met": ratios["b/a"] <= 0.15},
        "b <= 400 MB": {"value": round(b.peak_mb), "limit": 400, "met": b.peak_mb <= 400},
        "c <= 0.3 x a": {"value": ratios["c/a"], "limit": 0.3, "met": ratios["c/a"] <= 0.3},
        "d <= 0.3 s": {"value": round(by_key["d"].seconds, 3), "limit": 0.3, "met": by_key["d"].seconds <= 0.3},
        "e <= b + 1.5 s": {"value": round(by_key["e"].seconds, 2), "limit": round(b.seconds + 1.5, 2),
                           "met": by_key["e"].seconds <= b.seconds + 1.5},
    }
    return ratios, targets


def table(results: list[Case], ratios: dict[str, float], targets: dict[str, dict], machine: dict) -> str:
    a = results[0]
    lines = ["| case | what | median s | best s | CPU s | peak MB | time / a | CPU / a | memory / a |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for case in results:
        lines.append(f"| {case.key} | {case.title} | {case.seconds:.2f} | {case.best:.2f} | {case.cpu:.2f} | "
                     f"{case.peak_mb:.0f} | {case.seconds / a.seconds:.3f} | {case.cpu / a.cpu:.3f} | "
                     f"{case.peak_mb / a.peak_mb:.3f} |")
    lines.append("")
    lines.append("Targets: " + "; ".join(f"{name}: {t['value']} ({'met' if t['met'] else 'NOT met'})"
                                         for name, t in targets.items()))
    lines.append("")
    lines.append(f"{a.runs} fresh processes per case, medians, measured round by round; {machine['cores']} cores, "
                 f"load average "
                 f"{machine['load_before']} before and {machine['load_after']} after; {machine['stacks']} stacks "
                 f"per environment; Python {machine['python']}, Node {machine['node']}.")
    return "\n".join(lines)


def machine_facts(env_name: str) -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    sys.path.insert(0, str(ROOT))
    from layers import LAYERS
    return {"cores": os.cpu_count(), "python": sys.version.split()[0], "node": node, "stacks": len(LAYERS),
            "env": env_name, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def render(recorded: dict) -> str:
    """The docs' table from a recorded run (the JSON `main` writes)."""
    cases = [Case(**case) for case in recorded["cases"]]
    return table(cases, recorded["ratios"], recorded["targets"], recorded["machine"])


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
        env = dict(os.environ, PETCLINIC_ENV="dev", CDKTF_OUTDIR=str(Path(tmp) / "cdktf.out"))
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", default="dev")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmark.json")
    parser.add_argument("--docs", action="store_true", help="rewrite the benchmark table in docs/speed.md")
    parser.add_argument("--drift", action="store_true", help="time the drift checks instead of the synthesis")
    args = parser.parse_args()
    if args.drift:
        measure_drift(args.runs)
        return
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians of at least three fresh processes)")
    machine = machine_facts(args.env)
    with tempfile.TemporaryDirectory(prefix="petclinic-benchmark-") as tmp:
        results = cases(args.env, args.runs, Path(tmp))
    machine["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    by_key = {case.key: case for case in results}
    ratios, targets = ratios_and_targets(by_key)
    text = table(results, ratios, targets, machine)
    print(text)
    print("\nratios (wall time, then CPU time): " + ", ".join(f"{k} = {v}" for k, v in ratios.items()))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    recorded = {"machine": machine, "cases": [asdict(c) for c in results], "ratios": ratios, "targets": targets}
    args.json.write_text(json.dumps(recorded, indent=2) + "\n")
    if args.docs:
        doc_blocks.write_block(DOC, BLOCK, render(recorded))


if __name__ == "__main__":
    main()
