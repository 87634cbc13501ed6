"""Comparing what a reader returned with the state: state value -> live value, per attribute the
reader knows, with the schema's set/list/block shapes; sensitive values are never shown."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.drift.findings import Change
from tools.drift.schema import resource_schema
from tools.drift.values import compare

SENSITIVE = "(sensitive)"


def live_changes(rtype: str, state: Mapping[str, Any], live: Mapping[str, Any]) -> tuple[Change, ...]:
    schema = resource_schema(rtype)
    changes: list[Change] = []
    for name, value in sorted(live.items()):
        if value is None:
            continue
        stated = state.get(name)
        if name == "tags_all" and stated is None:
            stated = state.get("tags")
        if name not in state and not (name == "tags_all" and "tags" in state):
            continue
        nested = schema.nested(name) if schema is not None else None
        if nested is not None:
            differences = compare(value, stated, name, nesting=nested[0], block=nested[1])
        else:
            differences = compare(value, stated, name, schema.attribute_type(name) if schema else None)
        if differences:
            hidden = schema is not None and schema.is_sensitive(name)
            changes.append(Change(name, SENSITIVE if hidden else stated, SENSITIVE if hidden else value, "changed"))
    return tuple(changes)
