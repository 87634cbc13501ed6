"""The drift command (`python -m tools.drift`, issue 22) against moto, where it exists.

Before the tampering, `drift live --all` and `drift config --all --state s3` must find no drift. After
it, `live` must find exactly the tampered objects. `config` compares the state with the configuration,
and the tampering changed AWS, not the state: so the tampered layers are first refreshed into their
state (`terraform apply -refresh-only`, as an operator records drift), and then `config` must find
exactly those objects too. A configuration difference that the scratch override itself makes (a moto
gap, listed in the report) is counted as explained, not as drift.

Both run over a folder of the stacks as each layer was last applied (its step's settings), with the
state bucket and every AWS read at moto.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.e2e.terraform import local_only_environment

ROOT = Path(__file__).resolve().parents[2]
DRIFT_TIMEOUT = 300.0
WHOLE = "*"   # the scratch override left the whole resource out (`count = 0`)
DRIFT_KINDS = {"moved", "forgotten", "destroyed", "created", "missing", "changed", "unmanaged"}


@dataclass
class DriftRun:
    label: str                      # "live before", "config after", ...
    exit_code: int | None = None
    drifted: dict[str, list[str]] = field(default_factory=dict)    # layer -> ["address (kind: attributes)"]
    explained: dict[str, list[str]] = field(default_factory=dict)  # made by the scratch override (moto gaps)
    errors: list[str] = field(default_factory=list)

    def addresses(self) -> set[tuple[str, str]]:
        return {(layer, entry.split(" ", 1)[0]) for layer, entries in self.drifted.items() for entry in entries}


def available(root: Path = ROOT) -> bool:
    if root != ROOT:
        return (root / "tools" / "drift" / "__main__.py").is_file()
    try:
        return importlib.util.find_spec("tools.drift") is not None
    except (ImportError, ValueError):
        return False


def stacks_as_applied(run: Any) -> Path:
    """A stacks folder holding, per layer, the synthesized stack of its last applied step."""
    folder = run.scratch / "drift-stacks"
    shutil.rmtree(folder, ignore_errors=True)
    for name, layer in run.report.layers.items():
        step = layer.last_applied
        backend = ((step.stack.get("terraform") or {}).get("backend") or {}) if step else {}
        if step is not None and step.stack_dir is not None and "s3" in backend:  # drift reads states from S3
            shutil.copytree(step.stack_dir, folder / name)
    return folder


def check(run: Any, mode: str, label: str, stacks: Path, root: Path = ROOT) -> DriftRun:
    result = DriftRun(label)
    command = [sys.executable, "-m", "tools.drift", mode, "--all", "--stacks", str(stacks), "--state", "s3",
               "--endpoint-url", run.moto_url, "--format", "json"]
    if mode == "live":
        command += ["--aws-endpoint-url", run.moto_url]
    try:
        done = subprocess.run(command, cwd=root, env=local_only_environment(), capture_output=True, text=True,
                              timeout=DRIFT_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        result.errors.append(f"drift {mode} did not finish within {DRIFT_TIMEOUT:.0f} s")
        return result
    (run.scratch / f"drift-{label.replace(' ', '-')}.json").write_text(done.stdout + done.stderr)
    result.exit_code = done.returncode
    try:
        document = json.loads(done.stdout)
    except ValueError:
        result.errors.append(f"drift {mode} exit {done.returncode}: {' '.join(done.stderr.split())[-400:]}")
        return result
    classify(document, _override_attributes(run), result)
    return result


def classify(document: dict[str, Any], override: dict[tuple[str, str], set[str]], result: DriftRun) -> None:
    """Sort the drift report's findings (its `--format json`) into drifted and explained: a finding
    is explained when every attribute it names is one the scratch override changed on that address,
    or when the override left that resource out altogether."""
    for layer in document.get("layers") or []:
        if layer.get("error"):
            result.errors.append(f"{layer['layer']}: {layer['error']}")
        for finding in layer.get("findings") or []:
            if finding.get("ignored") or not (finding["kind"] in DRIFT_KINDS or finding.get("changes")):
                continue
            attributes = [c["attribute"] for c in finding.get("changes") or []]
            entry = f"{finding['address']} ({finding['action']}" + (f": {', '.join(attributes)})" if attributes else ")")
            touched = override.get((layer["layer"], finding["address"]), set())
            if WHOLE in touched or (attributes and all(a.split(".")[0].split("[")[0] in touched for a in attributes)):
                result.explained.setdefault(layer["layer"], []).append(entry)
            else:
                result.drifted.setdefault(layer["layer"], []).append(entry)


def _override_attributes(run: Any) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for name, layer in run.report.layers.items():
        step = layer.last_applied
        for exclusion in step.excluded if step else ():
            found.setdefault((name, exclusion.address), set()).update(exclusion.attributes or (WHOLE,))
    return found
