"""Rewrite `tests/fixtures/addresses.json`: every resource address of every stack, per environment.

usage: python tools/pin_addresses.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import known_environments, load_environment  # noqa: E402
from synthesis import synthesize  # noqa: E402

TARGET = ROOT / "tests" / "fixtures" / "addresses.json"


def main() -> None:
    pinned: dict[str, dict[str, list[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for env in known_environments():
            outdir = Path(tmp) / env
            synthesize(load_environment(env), outdir)
            pinned[env] = {}
            for stack_dir in sorted((outdir / "stacks").iterdir()):
                stack = json.loads((stack_dir / "cdk.tf.json").read_text())
                pinned[env][stack_dir.name] = sorted(
                    f"{t}.{n}" for t, items in (stack.get("resource") or {}).items() for n in items)
    TARGET.write_text(json.dumps(pinned, indent=1) + "\n")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
