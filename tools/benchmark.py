"""Benchmark of synthesis against the plain cost of cdktf, as ratios from one run.

usage: python tools/benchmark.py [--runs N] [--env ENV] [--json PATH] [--readme]

Each case is the median of N (≥ 3) fresh processes, each with the peak resident memory of its whole
process tree (Python, the jsii Node runtime, the cdktf CLI), sampled from /proc:

  a  plain cdktf: a fresh Python imports `cdktf_cdktf_provider_aws` the ordinary way (no hook of this
     app), touches one class and exits normally
  b  a cold synthesis of every stack of one environment: the app command of `cdktf.json`,
     synthesis cache off, a fresh output folder
  c  the four environments in one process (synthesis cache off)
  d  a repeated synthesis with nothing changed: the app command of `cdktf.json` with the synthesis cache
     on, into an output folder it synthesized before
  e  `npx cdktf synth` (synthesis cache off)

Every case runs once before it is measured, so each measures a warm machine (jsii's package cache,
the file system cache), not the first run after an install. `CHECKPOINT_DISABLE=1` keeps the cdktf
CLI from calling its vendor's version-check service. It prints a table, the ratios b/a, c/a,
d/a, e/a and the issue's targets, and writes them as JSON (`docs/benchmark.json` by default);
`--readme` also rewrites the table in README.md. Load average and core count are recorded, since the
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
ENVIRONMENTS = ("dev", "staging", "prod", "seoul")
SAMPLE_SECONDS = 0.02
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"

PLAIN_CDKTF = "import cdktf_cdktf_provider_aws.vpc as m; m.Vpc"
ALL_ENVIRONMENTS = """
import os
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from settings import load_environment
from synth import synthesize
for name in sys.argv[3:]:
    synthesize(load_environment(name), Path(sys.argv[2]) / name)
sys.stdout.flush()
os._exit(0)  # as main.py: no interpreter teardown of the bindings
"""


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    seconds: float      # median wall time
    best: float
    peak_mb: float      # median of the runs' peak memory of the process tree
    runs: int


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in kB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str] | str, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak memory (MB) of one run of `command` and everything it starts."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, shell=isinstance(command, str),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{command!r} failed with exit code {process.returncode}:\n{stderr[-3000:]}")
    return elapsed, peak / 1024


def app_command() -> str:
    """The command `cdktf synth` runs, from cdktf.json."""
    return json.loads((ROOT / "cdktf.json").read_text())["app"]


def base_environment(env_name: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PETCLINIC_", "CDKTF_"))}
    env.update(PETCLINIC_ENV=env_name, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1",
               **extra)
    return env


def run_case(key: str, title: str, runs: int, make) -> Case:
    """`make(i)` gives (command, env, cwd) for run i; run -1 is the unmeasured warm-up."""
    make(-1)
    samples = [make(i) for i in range(runs)]
    times = [t for t, _ in samples]
    return Case(key, title, statistics.median(times), min(times), statistics.median(m for _, m in samples), runs)


def cases(env_name: str, runs: int, scratch: Path) -> list[Case]:
    python = sys.executable
    off = {"PETCLINIC_CACHE": "off"}
    results = []

    def plain(i):
        return measure([python, "-c", PLAIN_CDKTF], base_environment(env_name), scratch)
    results.append(run_case("a", "plain cdktf: import the provider, touch one class", runs, plain))

    def cold(i):
        out = scratch / f"b{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure(app_command(), base_environment(env_name, CDKTF_OUTDIR=str(out), **off), ROOT)
    results.append(run_case("b", f"cold synthesis, all stacks of {env_name}", runs, cold))

    def together(i):
        out = scratch / f"c{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure([python, "-O", "-c", ALL_ENVIRONMENTS, str(ROOT), str(out), *ENVIRONMENTS],
                       base_environment(env_name, **off), ROOT)
    results.append(run_case("c", "all four environments in one process", runs, together))

    repeated_out = scratch / "d"

    def repeated(i):
        return measure(app_command(), base_environment(env_name, CDKTF_OUTDIR=str(repeated_out)), ROOT)
    repeated(-1)  # the run that fills the cache; the case's own warm-up is then already a hit
    results.append(run_case("d", "repeated synthesis, nothing changed (cache on)", runs, repeated))

    npx = shutil.which("npx")
    if npx is None or not (ROOT / "node_modules" / ".bin" / "cdktf").exists():
        raise SystemExit("case e needs the cdktf CLI: run bin/setup --cli first")

    def cli(i):
        out = scratch / f"e{i}"
        shutil.rmtree(out, ignore_errors=True)
        return measure([npx, "--no-install", "cdktf", "synth", "--output", str(out)],
                       base_environment(env_name, **off), ROOT)
    results.append(run_case("e", "npx cdktf synth (cache off)", runs, cli))
    return results


def ratios_and_targets(by_key: dict[str, Case]) -> tuple[dict[str, float], dict[str, dict]]:
    a, b = by_key["a"], by_key["b"]
    ratios = {f"{k}/a": round(by_key[k].seconds / a.seconds, 3) for k in ("b", "c", "d", "e")}
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
    lines = ["| case | what | median s | best s | peak MB | time / a | memory / a |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for case in results:
        lines.append(f"| {case.key} | {case.title} | {case.seconds:.2f} | {case.best:.2f} | {case.peak_mb:.0f} | "
                     f"{case.seconds / a.seconds:.3f} | {case.peak_mb / a.peak_mb:.3f} |")
    lines.append("")
    lines.append("Targets: " + "; ".join(f"{name}: {t['value']} ({'met' if t['met'] else 'NOT met'})"
                                         for name, t in targets.items()))
    lines.append("")
    lines.append(f"{a.runs} fresh processes per case, medians; {machine['cores']} cores, load average "
                 f"{machine['load_before']} before and {machine['load_after']} after; {machine['stacks']} stacks "
                 f"per environment; Python {machine['python']}, Node {machine['node']}.")
    return "\n".join(lines)


def machine_facts(env_name: str) -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    sys.path.insert(0, str(ROOT))
    from layers import LAYERS
    return {"cores": os.cpu_count(), "python": sys.version.split()[0], "node": node, "stacks": len(LAYERS),
            "env": env_name, "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text()
    start, end = content.find(README_START), content.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {README_START} ... {README_END} section to rewrite")
    readme.write_text(content[:start + len(README_START)] + "\n" + text + "\n" + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", default="dev")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmark.json")
    parser.add_argument("--readme", action="store_true", help="rewrite the benchmark table in README.md")
    args = parser.parse_args()
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
    print("\nratios: " + ", ".join(f"{k} = {v}" for k, v in ratios.items()))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": machine, "cases": [asdict(c) for c in results], "ratios": ratios,
                                     "targets": targets}, indent=2) + "\n")
    if args.readme:
        update_readme(text)


if __name__ == "__main__":
    main()
