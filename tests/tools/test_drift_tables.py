"""The data the drift checks rely on: the force-new table names only attributes the mirrored
provider's schema has (no typo can silently turn a replacement into an update), it covers every
resource type of the original inventory that has a reader, and every such type has a live reader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.drift.force_new import load_force_new
from tools.drift.live.check import REGISTRY
from tools.drift.schema import resource_schema

ORIGINAL = Path(__file__).resolve().parents[1] / "fixtures" / "original"
TABLE = load_force_new()


def resolves(rtype: str, path: str) -> bool:
    block = resource_schema(rtype)
    parts = path.split(".")
    for index, part in enumerate(parts):
        if block is None:
            return False
        nested = block.nested(part)
        if nested is not None:
            if index == len(parts) - 1:
                return True
            block = nested[1]
            continue
        return index == len(parts) - 1 and block.attribute_type(part) is not None
    return False


@pytest.mark.parametrize("rtype", sorted(TABLE.types))
def test_force_new_entries_are_attributes_of_the_provider_schema(rtype):
    entry = TABLE.types[rtype]
    assert resource_schema(rtype) is not None, f"{rtype} is not a type of the mirrored provider"
    unknown = sorted(p for p in entry.force_new | entry.conditional if not resolves(rtype, p))
    assert not unknown, f"{rtype}: not in the provider schema: {unknown}"


def platform_types() -> set[str]:
    """Every AWS resource type the original platform deploys (the committed fixtures of its plans)."""
    types = set()
    for path in ORIGINAL.glob("*/*.json"):
        types |= {i["type"] for i in json.loads(path.read_text())["instances"]}
    return {t for t in types if t.startswith("aws_")}


def test_every_platform_type_has_a_force_new_entry_and_a_live_reader():
    types = platform_types()
    assert types
    assert not sorted(types - set(TABLE.types)), "types without a force-new entry"
    assert not sorted(types - set(REGISTRY)), "types without a live reader"
