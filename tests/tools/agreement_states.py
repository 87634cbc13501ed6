"""The changed state set of the agreement check: completed fixtures with one fact changed per case,
as someone changing the platform outside this code would leave them. Each change names the layer,
the instance and what it does to the state."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.tools.state_fixtures import set_attribute


def _container_definitions(change: Callable[[dict], None]) -> Callable[[Any], Any]:
    def edit(text: str) -> str:
        containers = json.loads(text)
        change(containers[0])
        return json.dumps(containers)
    return edit


def _port(container: dict) -> None:
    container["portMappings"][0]["containerPort"] += 1
    container["portMappings"][0]["hostPort"] = container["portMappings"][0]["containerPort"]


def _image(container: dict) -> None:
    container["image"] = container["image"].rsplit(":", 1)[0] + ":hand-deployed"


def _drop_last_statement(text: str) -> str:
    policy = json.loads(text)
    policy["Statement"] = policy["Statement"][:-1]
    return json.dumps(policy)


def _tag(tags: dict) -> dict:
    return {**tags, "Owner": "someone-else"}


@dataclass(frozen=True)
class StateChange:
    what: str
    address: str
    attribute: str
    edit: Callable[[Any], Any]


CHANGES: dict[str, tuple[StateChange, ...]] = {
    "07-application": (
        StateChange("a port: the customers container listens on 8081", 'aws_ecs_task_definition.services["customers"]',
                    "container_definitions", _container_definitions(_port)),
        StateChange("an image: the vets container runs a hand-deployed tag", 'aws_ecs_task_definition.services["vets"]',
                    "container_definitions", _container_definitions(_image)),
    ),
    "02-security": (
        StateChange("a policy statement: the parameter-store policy lost its last statement",
                    "module.security_groups.aws_iam_policy.parameter_store_access", "policy", _drop_last_statement),
    ),
    "01-network": (
        StateChange("a tag: the VPC's Owner tag changed", "module.vpc.aws_vpc.this", "tags", _tag),
    ),
}


def _attribute(state: dict, address: str, attribute: str) -> Any:
    for resource in state["resources"]:
        for instance in resource["instances"]:
            prefix = f"{resource['module']}." if resource.get("module") else ""
            key = instance.get("index_key")
            suffix = "" if key is None else (f'["{key}"]' if isinstance(key, str) else f"[{key}]")
            if f"{prefix}{resource['type']}.{resource['name']}{suffix}" == address:
                return instance["attributes"].get(attribute)
    raise KeyError(f"no instance {address} in the state")


def changed_states(folder: Path) -> None:
    """Apply every change of CHANGES to the states in `folder` (completed fixtures)."""
    for layer, changes in CHANGES.items():
        path = folder / f"{layer}.tfstate"
        state = json.loads(path.read_text())
        for change in changes:
            before = _attribute(state, change.address, change.attribute)
            if before is None:
                raise ValueError(f"{path}: {change.address} has no {change.attribute} to change ({change.what})")
            state = set_attribute(state, change.address, change.attribute, change.edit(before))
        path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    """`python -m tests.tools.agreement_states OUT_DIR [STACKS_DIR]`: dev's fixtures, completed, with
    the changes above (the agreement check's "changed" set), for `drift config --state OUT_DIR`."""
    from tests.tools.state_completion import complete
    from tests.tools.state_fixtures import ORIGINAL, write_states
    from tools.drift.config import stack_layers

    if not 1 <= len(argv) <= 2:
        print(main.__doc__)
        return 1
    out = Path(argv[0])
    stacks = Path(argv[1]) if len(argv) == 2 else Path(__file__).resolve().parents[2] / "cdktf.out" / "stacks"
    layers = [layer for layer in stack_layers(stacks) if (ORIGINAL / "dev" / f"{layer}.json").is_file()]
    write_states(out, "dev", layers)
    complete(stacks, out)
    changed_states(out)
    for layer, changes in CHANGES.items():
        for change in changes:
            print(f"{layer}: {change.address}: {change.what}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
