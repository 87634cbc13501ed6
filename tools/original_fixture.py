"""Write `tests/fixtures/original/<env>/<layer>.json` from the reference plans of the original code.

usage: python tools/original_fixture.py [PLANS_DIR] [LAYER ...]
       (PLANS_DIR defaults to ../shared/reference/plans)

For every managed instance of the original layer: its address, its type and the values Terraform
planned for it that are facts of the configuration: literal values, minus nulls and minus anything
that came out of another layer's (fabricated) state. The tests read these files, so a user without
the reference plans still has the specification of what the original deployed.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLANS = ROOT.parent / "shared" / "reference" / "plans"
OUT = ROOT / "tests" / "fixtures" / "original"
# What another layer's state hands over: resource IDs (`vpc-0a1b...`), ARNs and endpoints.
FABRICATED = re.compile(r"^([a-z0-9]+-[0-9a-f]{8,17}|arn:.*|.*\.amazonaws\.com.*|[a-z0-9]{10})$")


def fabricated_strings(env_dir: Path) -> set[str]:
    """Every string output of the fabricated states the reference plans read."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and FABRICATED.match(value):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for state in (env_dir / "fake_states").glob("*.tfstate"):
        for output in json.loads(state.read_text()).get("outputs", {}).values():
            walk(output.get("value"))
    return found


def literal(value: Any, fabricated: set[str]) -> Any:
    """The value without nulls and fabricated parts; `None` when nothing literal is left."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if any(f in value for f in fabricated) else value
    if isinstance(value, dict):
        kept = {k: literal(v, fabricated) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None} or None
    if isinstance(value, list):
        kept = [literal(v, fabricated) for v in value]
        return None if any(v is None for v in kept) else kept
    return value


def write(plans: Path, layers: list[str]) -> list[Path]:
    written = []
    for env_dir in sorted(p for p in plans.iterdir() if p.is_dir()):
        fabricated = fabricated_strings(env_dir)
        for plan_file in sorted(env_dir.glob("*.json")):
            if layers and plan_file.stem not in layers:
                continue
            plan = json.loads(plan_file.read_text())
            instances = [
                {"address": i["address"], "type": i["type"],
                 "values": literal({k: v for k, v in i["values"].items() if k != "timeouts"}, fabricated) or {}}
                for i in plan["instances"]
            ]
            target = OUT / env_dir.name / plan_file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps({"layer": plan_file.stem, "env": env_dir.name,
                                          "outputs": sorted(plan.get("outputs", [])), "instances": instances},
                                         indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            written.append(target)
    return written


if __name__ == "__main__":
    args = sys.argv[1:]
    plans = Path(args.pop(0)) if args and Path(args[0]).is_dir() else DEFAULT_PLANS
    for path in write(plans, args):
        print(path.relative_to(ROOT))
