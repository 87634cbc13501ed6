"""The benchmark's own arithmetic and bookkeeping (never a timing: performance is measured by running
`tools/benchmark.py`, not in tests)."""
from __future__ import annotations

import os
import sys

import pytest

from tools import benchmark


def case(key: str, seconds: float, cpu: float, peak_mb: float) -> benchmark.Case:
    return benchmark.Case(key, key, seconds, seconds, cpu, peak_mb, 3)


def test_ratios_are_each_case_over_plain_cdktf_and_the_targets_are_the_issues():
    by_key = {"a": case("a", 10.0, 8.0, 1000), "b": case("b", 1.4, 1.6, 380), "c": case("c", 3.1, 2.0, 390),
              "d": case("d", 0.2, 0.05, 20), "e": case("e", 3.0, 3.0, 700)}
    ratios, targets = benchmark.ratios_and_targets(by_key)
    assert ratios == {"b/a": 0.14, "c/a": 0.31, "d/a": 0.02, "e/a": 0.3,
                      "b/a cpu": 0.2, "c/a cpu": 0.25, "d/a cpu": 0.006, "e/a cpu": 0.375}
    assert {name: t["met"] for name, t in targets.items()} == {
        "b <= 0.15 x a": True, "b <= 400 MB": True, "c <= 0.3 x a": False, "d <= 0.3 s": True,
        "e <= b + 1.5 s": False}


def test_a_run_counts_the_memory_and_cpu_of_the_processes_it_starts(tmp_path):
    child = "x = bytearray(150 * 1024 * 1024); import time; t = time.process_time(); " \
            "exec('while time.process_time() - t < 0.3: pass')"
    sample = benchmark.measure([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, "
                                                      f"'-c', {child!r}])"], dict(os.environ), tmp_path)
    assert sample.peak_mb >= 150, "the grandchild's memory is part of the tree"
    assert sample.cpu >= 0.3, "the grandchild's CPU time is part of the tree"


def test_a_failed_run_stops_the_benchmark_with_its_error(tmp_path):
    with pytest.raises(SystemExit, match="exit code 3"):
        benchmark.measure([sys.executable, "-c", "import sys; sys.exit(3)"], dict(os.environ), tmp_path)
