"""jsii's kernel runs without its relay process (`speed/kernel.py`) where the pinned jsii allows it,
and jsii's own start stays everywhere else. (The bytes it synthesizes equal those of the eager load,
which keeps jsii's own start: `tests/speed/test_lazy_import.py`.)"""
from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

from speed import kernel
from tests.conftest import ROOT


def kernel_pid() -> int:
    import jsii._runtime
    return jsii._runtime.kernel.provider._process._process.pid


def test_the_sessions_kernel_is_a_child_of_this_process_without_the_relay(synthesized):
    synthesized("dev")
    pid = kernel_pid()
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert command[-2].endswith(b"lib/program.js") and b"--preserve-symlinks" in command
    assert not any(part.endswith(b"jsii-runtime.js") for part in command)
    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert parent == os.getpid()


def test_another_jsii_version_keeps_jsiis_own_start_and_says_why(monkeypatch):
    from jsii._kernel.providers import process

    monkeypatch.setattr(process._NodeProcess, "start", process._NodeProcess._stock_start)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.999.0")
    reason = kernel.install()
    assert reason is not None and "1.999.0" in reason
    assert process._NodeProcess.start is process._NodeProcess._stock_start


LOAD_THEN_ASK = """
import sys
sys.path.insert(0, sys.argv[1])
from speed import kernel
assert kernel.install() is None
from jsii._runtime import kernel
kernel.load("petclinic-no-such-package", "1.0.0", sys.argv[2])
print("the load did not wait", flush=True)
try:
    kernel.stats()
except Exception as error:
    print(f"the next request raised {type(error).__name__}: {error}", flush=True)
else:
    print("the next request passed", flush=True)
"""


def test_a_load_is_not_waited_for_but_its_failure_raises_at_the_next_request(tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "missing.tgz"
    done = subprocess.run([sys.executable, "-c", LOAD_THEN_ASK, str(ROOT), str(missing)],
                          capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0] == "the load did not wait", done.stderr[-2000:]
    assert lines[1].startswith("the next request raised JSIIError") and str(missing) in lines[1], lines
