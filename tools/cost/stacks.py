"""Reading synthesized stacks: every managed resource instance of every layer, with its region.

`count` and `for_each` are expanded where the JSON holds a literal (a number, a list, a map); an
expression Terraform resolves at plan time counts as one instance, and the instance says so, so an
estimate never hides a guess. Data sources are not read: they cost nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class StackError(Exception):
    """A stacks folder that cannot be read: the message names the file."""


@dataclass(frozen=True)
class Instance:
    layer: str
    region: str  # the layer's provider region (00-bootstrap keeps the state bucket's, not the environment's)
    type: str
    address: str  # Terraform's address inside the layer, with the index when count/for_each expanded
    body: dict[str, Any] = field(compare=False, hash=False, repr=False)
    note: str = ""  # why the instance count is a guess, when it is one


@dataclass(frozen=True)
class Stacks:
    folder: Path
    layer_regions: dict[str, str] = field(compare=False, hash=False)
    instances: tuple[Instance, ...] = ()

    @property
    def region(self) -> str:
        """The environment's region: the one most layers use."""
        regions = list(self.layer_regions.values())
        return max(sorted(set(regions)), key=regions.count)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.layer_regions.values())))

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(sorted(self.layer_regions))

    def of_type(self, resource_type: str) -> tuple[Instance, ...]:
        return tuple(i for i in self.instances if i.type == resource_type)


def load_stacks(folder: Path) -> Stacks:
    files = sorted(folder.glob("*/cdk.tf.json"))
    if not files:
        raise StackError(f"no synthesized stack (*/cdk.tf.json) in {folder}: run bin/app, or pass --env ENV")
    instances: list[Instance] = []
    layer_regions: dict[str, str] = {}
    for path in files:
        try:
            document = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise StackError(f"{path}: not readable as JSON ({error})") from None
        regions = _regions(document)
        if len(regions) != 1:
            raise StackError(f"{path}: {len(regions)} default aws provider regions ({sorted(regions)}), expected one")
        layer, region = path.parent.name, regions.pop()
        layer_regions[layer] = region
        for resource_type, resources in sorted(document.get("resource", {}).items()):
            for name, body in sorted(resources.items()):
                instances.extend(_expand(layer, region, resource_type, name, body))
    return Stacks(folder, layer_regions, tuple(instances))


def _regions(document: dict[str, Any]) -> set[str]:
    providers = document.get("provider", {}).get("aws", [])
    return {p["region"] for p in providers if isinstance(p.get("region"), str) and "alias" not in p}


def _expand(layer: str, region: str, resource_type: str, name: str, body: dict[str, Any]) -> list[Instance]:
    address = f"{resource_type}.{name}"
    count, for_each = body.get("count"), body.get("for_each")
    if isinstance(count, int):
        return [Instance(layer, region, resource_type, f"{address}[{i}]", body) for i in range(count)]
    if isinstance(for_each, dict):
        return [Instance(layer, region, resource_type, f'{address}["{k}"]', body) for k in sorted(for_each)]
    if isinstance(for_each, list):
        return [Instance(layer, region, resource_type, f'{address}["{k}"]', body) for k in sorted(map(str, for_each))]
    if count is not None or for_each is not None:
        return [Instance(layer, region, resource_type, address, body,
                         note="count/for_each is an expression resolved at plan time: counted as one")]
    return [Instance(layer, region, resource_type, address, body)]
