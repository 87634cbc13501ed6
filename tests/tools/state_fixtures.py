"""Terraform states of the original layers, written from the inventory facts the repository keeps
(`tests/fixtures/original/<env>/<layer>.json`: every original managed instance with its planned
literal values, and `original_tags/` where a `timestamp()` hid the tags from the plan), as
`terraform state pull` would show them after the original was applied.

usage: python -m tests.tools.state_fixtures OUT_DIR [ENV]   # writes OUT_DIR/<layer>.tfstate

One state per layer the synthesis writes, so that `python -m tools.drift config --all --state OUT_DIR`
finds one for every stack: a layer the original did not have (00-bootstrap) gets an empty state.

IDs, ARNs and other values known only after apply are made up (`<type>-<n>`); everything the
configuration can set keeps its original value. Tampering helpers change one fact of a state.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from tools.drift.addresses import Address, parse
from tools.stack_form import known_layers

ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"


ORIGINAL_TAGS = ORIGINAL.parent / "original_tags"


def original_instances(env: str, layer: str) -> list[dict[str, Any]]:
    """The original instances; where the plans could not show the tags (a `timestamp()` inside),
    the tags the original gives them (`tests/fixtures/original_tags/`)."""
    original = ORIGINAL / env / f"{layer}.json"
    if not original.is_file():   # a layer with no reference plan (00-bootstrap): an empty state
        return []
    instances = json.loads(original.read_text())["instances"]
    tags_file = ORIGINAL_TAGS / env / f"{layer}.json"
    if tags_file.is_file():
        tags = json.loads(tags_file.read_text())["instances"]
        for instance in instances:
            instance["values"] = {**instance["values"], **tags.get(instance["address"], {})}
    return instances


def state_of(instances: list[dict[str, Any]], lineage: str = "fixture") -> dict[str, Any]:
    """A version-4 state holding these instances (address, type, values)."""
    resources: dict[tuple[str, str, str], dict[str, Any]] = {}
    for number, instance in enumerate(instances):
        address: Address = parse(instance["address"])
        module = str(Address(address.modules)) if address.modules else None
        group = resources.setdefault((module or "", address.type, address.name), {
            **({"module": module} if module else {}),
            "mode": "managed", "type": address.type, "name": address.name,
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]', "instances": []})
        if address.key is not None:
            group["each"] = "map" if isinstance(address.key, str) else "list"
        attributes = {"id": f"{address.type.removeprefix('aws_')}-{number:04d}", **copy.deepcopy(instance["values"])}
        group["instances"].append({**({"index_key": address.key} if address.key is not None else {}),
                                   "schema_version": 0, "attributes": attributes, "sensitive_attributes": []})
    return {"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": lineage, "outputs": {},
            "resources": list(resources.values())}


def original_state(env: str, layer: str) -> dict[str, Any]:
    return state_of(original_instances(env, layer), lineage=f"{env}-{layer}")


def set_attribute(state: dict[str, Any], address: str, attribute: str, value: Any) -> dict[str, Any]:
    """A copy of `state` where one instance's attribute holds `value`."""
    changed = copy.deepcopy(state)
    for resource in changed["resources"]:
        for instance in resource["instances"]:
            module = resource.get("module")
            rendered = parse(f"{module + '.' if module else ''}{resource['type']}.{resource['name']}")
            if str(rendered.with_key(instance.get("index_key"))) == address:
                instance["attributes"][attribute] = value
                return changed
    raise KeyError(f"no instance {address} in the state")


def add_instance(state: dict[str, Any], address: str, values: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(state)
    extra = state_of([{"address": address, "type": parse(address).type, "values": values}])["resources"]
    changed["resources"] += extra
    return changed


def write_states(out: Path, env: str, layers: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for layer in layers:
        path = out / f"{layer}.tfstate"
        path.write_text(json.dumps(original_state(env, layer), indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__)
        return 1
    env = argv[1] if len(argv) > 1 else "dev"
    if not (ORIGINAL / env).is_dir():
        print(f"error: no original plans for {env!r} in {ORIGINAL} (there are: "
              f"{', '.join(sorted(p.name for p in ORIGINAL.iterdir() if p.is_dir()))})", file=sys.stderr)
        return 1
    for path in write_states(Path(argv[0]), env, known_layers()):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
