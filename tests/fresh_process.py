"""Runs of `main.py` in fresh processes, started in the background as soon as the tests that need
them are collected, so that they run beside the session's own synthesis instead of after it.

Under pytest-xdist the controller starts them (it learns which tests were collected from the
workers' collection reports) and the worker that runs the tests reads their results from files; in
a plain run the session starts them at collection. Either way they run once per test run: each run
writes its output and, when it ends, its exit code into a folder named by `PETCLINIC_FRESH_RUNS`,
which `result(name)` waits for."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from speed import synth_cache

ROOT = Path(__file__).resolve().parent.parent
FOLDER_VARIABLE = "PETCLINIC_FRESH_RUNS"
TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Run:
    outdir: Path
    returncode: int
    stdout: str
    stderr: str


_started: dict[str, subprocess.Popen] = {}   # the runs this process launched (and must stop)
_owned: list[Path] = []                        # the folder this process made (and must remove)


def folder() -> Path:
    """The runs' folder of this test run, made (and named in the environment, for the workers
    started after it) on first use."""
    named = os.environ.get(FOLDER_VARIABLE)
    if named:
        return Path(named)
    made = Path(tempfile.mkdtemp(prefix="petclinic-fresh-"))
    os.environ[FOLDER_VARIABLE] = str(made)
    _owned.append(made)
    return made


def environment(outdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (synth_cache.SWITCH, "PETCLINIC_EAGER_IMPORT", FOLDER_VARIABLE)}
    env.update(PETCLINIC_ENV="dev", CDKTF_OUTDIR=str(outdir), **extra)
    return env


def path_without_terraform(scratch: Path) -> str:
    """PATH less every folder that holds a terraform, with node kept (linked from a folder of its own)."""
    node = shutil.which(os.environ.get("JSII_NODE") or "node")
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not Path(d, "terraform").exists()]
    if node is not None:
        (scratch / "node-only").mkdir(exist_ok=True)
        link = scratch / "node-only" / "node"
        if not link.exists():
            link.symlink_to(node)
        kept.insert(0, str(link.parent))
    return os.pathsep.join(kept)


def _record_exit(name: str, process: subprocess.Popen, where: Path) -> None:
    code = process.wait()
    scratch = where / f".{name}.rc"
    scratch.write_text(str(code))
    scratch.rename(where / f"{name}.rc")   # whole, or not there


def launch(name: str, *python_flags: str, **extra: str) -> None:
    where = folder()
    (where / f"{name}.started").touch()
    outdir = where / name / "cdktf.out"
    outdir.parent.mkdir(parents=True)
    with open(where / f"{name}.out", "w") as stdout, open(where / f"{name}.log", "w") as stderr:
        process = subprocess.Popen([sys.executable, *python_flags, str(ROOT / "main.py")], cwd=ROOT,
                                   env=environment(outdir, **extra), stdout=stdout, stderr=stderr, text=True)
    _started[name] = process
    threading.Thread(target=_record_exit, args=(name, process, where), daemon=True).start()


def start() -> None:
    """The first run as `cdktf synth` makes it (`python -O`, cache on; on a PATH without terraform,
    which a synthesis does not need), and the eager reference load."""
    if (folder() / "first.started").exists():
        return
    launch("first", "-O", PATH=path_without_terraform(folder()))
    launch("eager", PETCLINIC_EAGER_IMPORT="1", **{synth_cache.SWITCH: "off"})


def result(name: str) -> Run:
    where = folder()
    if not (where / f"{name}.started").exists():
        start()
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not (where / f"{name}.rc").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the fresh-process run {name!r} did not end within {TIMEOUT_SECONDS} s")
        time.sleep(0.05)
    return Run(where / name / "cdktf.out", int((where / f"{name}.rc").read_text()),
               (where / f"{name}.out").read_text(), (where / f"{name}.log").read_text())


def run_now(outdir: Path, *python_flags: str, **extra: str) -> Run:
    done = subprocess.run([sys.executable, *python_flags, str(ROOT / "main.py")], cwd=ROOT,
                          env=environment(outdir, **extra), capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    return Run(outdir, done.returncode, done.stdout, done.stderr)


def stop() -> None:
    """Stop the runs this process launched and remove the folder it made."""
    for process in _started.values():
        if process.poll() is None:
            process.kill()
            process.wait()
    for path in _owned:
        shutil.rmtree(path, ignore_errors=True)
    _owned.clear()
