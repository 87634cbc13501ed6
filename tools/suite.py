"""Run the test suite as `bin/test` does (after setup) and record what it took: the summary line's
counts, the wall time and the CPU time of the process tree, in `docs/suite.json` and the `suite` block
of `docs/speed.md`. A run with a failure records nothing.

usage: python -m tools.suite [pytest arguments, e.g. -m "not e2e"]
"""
from __future__ import annotations

import json
import os
import re
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

from tools import doc_blocks

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "docs" / "suite.json"
DOC = ROOT / "docs" / "speed.md"
BLOCK = "suite"
SUMMARY = re.compile(r"^=*\s*(?P<counts>\d+ \w+(?:, \d+ \w+)*) in [\d.]+s")


def workers() -> int:
    """As bin/test: one pytest-xdist worker per core, at most 4 (PETCLINIC_TEST_WORKERS overrides)."""
    named = os.environ.get("PETCLINIC_TEST_WORKERS")
    return int(named) if named else max(1, min(4, len(os.sched_getaffinity(0))))


def counts_of(output: str) -> dict[str, int]:
    """`{"passed": 1415, "skipped": 3}` from pytest's last summary line."""
    for line in reversed(output.splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return {word: int(number) for number, word in (part.split() for part in match["counts"].split(", "))}
    raise SystemExit("error: pytest printed no summary line")


def render(recorded: dict) -> str:
    counts = ", ".join(f"{number:,} {word}" for word, number in recorded["counts"].items())
    selection = shlex.join(recorded["arguments"])
    return (f"`bin/test{' ' if selection else ''}{selection}` after setup: **{counts}** in **{recorded['wall_seconds']:.0f} s** wall "
            f"({recorded['cpu_seconds']:.0f} s CPU of the process tree), {recorded['workers']} workers on "
            f"{recorded['cores']} cores, load average {recorded['load_before']} before and "
            f"{recorded['load_after']} after; Python {recorded['python']}.")


def main(arguments: list[str]) -> int:
    count = workers()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(
        ["-n", str(count), "--dist", "loadfile"] if count else []), *arguments]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.write(done.stdout[-3000:])
    sys.stderr.write(done.stderr[-3000:])
    if done.returncode != 0:
        print(f"error: the suite failed (exit code {done.returncode}); nothing recorded", file=sys.stderr)
        return done.returncode
    recorded = {
        "arguments": arguments, "counts": counts_of(done.stdout), "wall_seconds": round(wall, 1),
        "cpu_seconds": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "workers": count, "cores": len(os.sched_getaffinity(0)), "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()), "python": sys.version.split()[0],
    }
    RECORD.write_text(json.dumps(recorded, indent=2) + "\n")
    doc_blocks.write_block(DOC, BLOCK, render(recorded))
    print(f"recorded in {RECORD.relative_to(ROOT)} and {DOC.relative_to(ROOT)}: {render(recorded)}")
    return 0


def rewrite_block() -> None:
    """The block again from the record, without a run (after a change to `render`)."""
    doc_blocks.write_block(DOC, BLOCK, render(json.loads(RECORD.read_text())))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
