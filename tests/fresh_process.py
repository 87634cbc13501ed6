"""Runs of `main.py` in fresh processes, started in the background as soon as the tests that need
them are collected, so that on two cores they run beside the session's own synthesis instead of
after it. `start()` is called once per session (conftest); `result(name)` waits for one run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import synth_cache

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    outdir: Path
    returncode: int
    stdout: str
    stderr: str


@dataclass
class _Started:
    process: subprocess.Popen
    outdir: Path
    log: Path


_started: dict[str, _Started] = {}
_scratch: list[Path] = []


def environment(outdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (synth_cache.SWITCH, "PETCLINIC_EAGER_IMPORT")}
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


def launch(name: str, *python_flags: str, **extra: str) -> None:
    if not _scratch:
        _scratch.append(Path(tempfile.mkdtemp(prefix="petclinic-fresh-")))
    outdir, log = _scratch[0] / name / "cdktf.out", _scratch[0] / f"{name}.log"
    outdir.parent.mkdir(parents=True)
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, *python_flags, str(ROOT / "main.py")], cwd=ROOT,
                                   env=environment(outdir, **extra), stdout=subprocess.PIPE, stderr=stderr,
                                   text=True)
    _started[name] = _Started(process, outdir, log)


def start() -> None:
    """The first run as `cdktf synth` makes it (`python -O`, cache on; on a PATH without terraform,
    which a synthesis does not need), and the eager reference load."""
    if not _scratch:
        _scratch.append(Path(tempfile.mkdtemp(prefix="petclinic-fresh-")))
    launch("first", "-O", PATH=path_without_terraform(_scratch[0]))
    launch("eager", PETCLINIC_EAGER_IMPORT="1", **{synth_cache.SWITCH: "off"})


def result(name: str) -> Run:
    if name not in _started:
        start()
    started = _started[name]
    stdout, _ = started.process.communicate(timeout=900)
    return Run(started.outdir, started.process.returncode, stdout, started.log.read_text())


def run_now(outdir: Path, *python_flags: str, **extra: str) -> Run:
    done = subprocess.run([sys.executable, *python_flags, str(ROOT / "main.py")], cwd=ROOT,
                          env=environment(outdir, **extra), capture_output=True, text=True, timeout=900)
    return Run(outdir, done.returncode, done.stdout, done.stderr)


def stop() -> None:
    for started in _started.values():
        if started.process.poll() is None:
            started.process.kill()
            started.process.wait()
    for path in _scratch:
        shutil.rmtree(path, ignore_errors=True)
