"""Skip a synthesis when nothing that shapes its output changed.

The key is a SHA-256 over every input of a synthesis, each part digested on its own (`inputs()`): the
project's files, the environment files, Python, the installed libraries, Node, the provider tarball jsii
gets, and the variables the app reads. `record()` writes the key and the digest of every output file
into the output folder; `lookup()` is a hit only if that folder still holds exactly those files.
`PETCLINIC_CACHE=off` turns it off. It imports nothing of cdktf or the settings, so a hit stays cheap.
docs/speed.md lists what each part covers.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from speed import lazy_tarball

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
RECORD = ".petclinic-synthesis.json"
SWITCH = "PETCLINIC_CACHE"
ENVS_DIR_VARIABLE = "PETCLINIC_ENVS_DIR"   # as settings.load, not imported here: pydantic is slow to import
VARIABLE_PREFIXES = ("PETCLINIC_", "CDKTF_", "JSII_", "NODE_", "PYTHON", "SYNTH_")
SKIPPED_DIRS = {"node_modules", "__pycache__", "tests", "build"}


def enabled() -> bool:
    return os.environ.get(SWITCH, "").strip().lower() not in {"off", "0", "false", "no"}


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_output_folder(dirnames: list[str], filenames: list[str]) -> bool:
    return RECORD in filenames or ("manifest.json" in filenames and "stacks" in dirnames)


def tree_digest(root: Path, skip_names: set[str] = frozenset(), skip_outputs: bool = False) -> str:
    """SHA-256 over the relative path and content of every file below `root`, in a fixed order."""
    digest = hashlib.sha256()
    if not root.is_dir():
        digest.update(b"missing")
        return digest.hexdigest()
    for current, dirnames, filenames in os.walk(root):
        if skip_outputs and current != str(root) and _is_output_folder(dirnames, filenames):
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in skip_names)
        for name in sorted(filenames):
            if name.endswith(".pyc"):
                continue
            path = Path(current, name)
            relative = path.relative_to(root).as_posix()
            digest.update(f"{relative}\0{_file_digest(path) if path.is_file() else 'not a file'}\0".encode())
    return digest.hexdigest()


def _python() -> str:
    # resolved, so that `bin/../.venv/bin/python` and `.venv/bin/python` are one interpreter
    return json.dumps([sys.version, sys.implementation.cache_tag, str(Path(sys.executable).resolve()),
                       str(Path(sys.prefix).resolve())])


def _libraries() -> str:
    found = []
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")))
        except OSError:
            continue
        for name in names:
            record = Path(entry, name, "RECORD")
            stat = record.stat() if record.is_file() else None
            found.append([entry, name, stat and stat.st_size, stat and stat.st_mtime_ns])
    return json.dumps(found)


def _node() -> str:
    """The binary itself (a new version is a new file), without starting it; a script in between (a
    version manager's shim) is asked for the version it runs."""
    node = shutil.which(os.environ.get("JSII_NODE") or "node")
    if node is None:
        return "no node"
    real = Path(node).resolve()
    stat = real.stat()
    identity = [str(real), stat.st_size, stat.st_mtime_ns]
    with open(real, "rb") as binary:
        if binary.read(2) == b"#!":
            import subprocess
            try:
                identity.append(subprocess.run([node, "--version"], capture_output=True, text=True,
                                               timeout=60).stdout.strip())
            except (OSError, subprocess.SubprocessError) as error:
                identity.append(f"unknown: {error}")
    return json.dumps(identity)


def _variables() -> str:
    # as the synthesis will see them: speed.bindings sets jsii's package cache unless it is set
    environ = {lazy_tarball.PACKAGE_CACHE_VARIABLE: str(lazy_tarball.package_cache_root()), **os.environ}
    chosen = {k: v for k, v in environ.items() if k.startswith(VARIABLE_PREFIXES) and k != SWITCH}
    return json.dumps([sorted(chosen.items()), os.getcwd()])


def inputs() -> dict[str, str]:
    """Each input of a synthesis -> the digest of its current content."""
    envs_dir = Path(os.environ.get(ENVS_DIR_VARIABLE) or ROOT / "envs")
    parts = {
        "sources": tree_digest(ROOT, SKIPPED_DIRS, skip_outputs=True),
        "environments": tree_digest(envs_dir),
        "python": _python(),
        "libraries": _libraries(),
        "node": _node(),
        "provider tarball": lazy_tarball.state(),
        "variables": _variables(),
    }
    return {name: hashlib.sha256(value.encode()).hexdigest() for name, value in parts.items()}


def key_of(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([FORMAT, sorted(parts.items())]).encode()).hexdigest()


def output_files(outdir: Path) -> dict[str, str]:
    """Every file of a synthesized folder (but the record) -> its SHA-256."""
    files = {}
    for current, dirnames, filenames in os.walk(outdir):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(current, name)
            relative = path.relative_to(outdir).as_posix()
            if relative != RECORD:
                files[relative] = _file_digest(path)
    return files


def lookup(outdir: Path, key: str) -> str | None:
    """The summary recorded with an output folder that is exactly what `key` synthesized, else None."""
    try:
        record = json.loads((outdir / RECORD).read_text())
        if record.get("format") != FORMAT or record.get("key") != key:
            return None
        if output_files(outdir) != record.get("files"):
            return None
        return str(record["summary"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def record(outdir: Path, key: str, parts: dict[str, str], summary: str) -> bool:
    """Record a finished synthesis, unless an input changed while it ran; True if recorded."""
    if key_of(inputs()) != key:
        return False
    content = {"format": FORMAT, "key": key, "inputs": parts, "summary": summary, "files": output_files(outdir)}
    partial = outdir / f"{RECORD}.{os.getpid()}"
    partial.write_text(json.dumps(content, indent=1, sort_keys=True) + "\n")
    partial.replace(outdir / RECORD)
    return True
