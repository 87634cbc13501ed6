"""One synthesis per environment per test session, shared by every test.

`synthesized("dev")` synthesizes the app for that environment once (into a session temp folder)
and returns a `Synthesis` whose `stack(layer)` is the parsed `cdk.tf.json` of the deployable stack,
and whose `scan_dir(layer)` is its scan view (`layers/output_form.py`).
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from settings import load_environment  # noqa: E402
from synth import synthesize  # noqa: E402

ENVIRONMENTS = ("dev", "staging", "prod", "seoul")
REFERENCE_ENVIRONMENTS = ("dev", "seoul")  # the environments the original was planned for


@dataclass(frozen=True)
class Synthesis:
    env: str
    outdir: Path

    def stack_dir(self, layer: str) -> Path:
        return self.outdir / "stacks" / layer

    def scan_dir(self, layer: str) -> Path:
        """The scan view of the stack (`layers/output_form.py`)."""
        return self.outdir / "scan" / layer

    def stack(self, layer: str) -> dict:
        return json.loads((self.stack_dir(layer) / "cdk.tf.json").read_text())

    def layers(self) -> list[str]:
        return sorted(p.name for p in (self.outdir / "stacks").iterdir())


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Synthesis]:
    cache: dict[str, Synthesis] = {}

    def get(env: str) -> Synthesis:
        if env not in cache:
            outdir = tmp_path_factory.mktemp(f"synth-{env}") / "cdktf.out"
            synthesize(load_environment(env), outdir)
            cache[env] = Synthesis(env, outdir)
        return cache[env]

    return get
