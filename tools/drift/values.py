"""Comparing a configured value with a state (or live) value, the way a plan would see it.

Rules: a value the configuration leaves unset (absent, null) or only knows at apply time (any
`${...}` expression that is not a resolvable literal) is not drift. Sets compare without order,
lists and blocks with it (the schema says which); a nested block may be written as one object or a
list of them. JSON documents (policies, container definitions) compare by content, IAM policies the
way the provider compares them (a single-item list equals its item).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tools.drift.expressions import Partial, Unknown
from tools.drift.schema import Block

UNKNOWN = object()


@dataclass(frozen=True)
class Difference:
    path: str          # "cidr_block", "serverlessv2_scaling_configuration.0.max_capacity"
    state: Any
    config: Any
    note: str = ""     # where inside a document it differs


def is_unknown(value: Any) -> bool:
    if value is UNKNOWN or isinstance(value, (Unknown, Partial)):
        return True
    if isinstance(value, str):
        return "${" in value
    return False


def contains_unknown(value: Any) -> bool:
    """Whether a value holds something not comparable at all (a Partial is: by its known text)."""
    if isinstance(value, Partial):
        return False
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def _normalize_policy(value: Any) -> Any:
    """IAM-style normalization: a one-item list is its item, string lists are sorted."""
    if isinstance(value, dict):
        return {k: _normalize_policy(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_normalize_policy(v) for v in value]
        if len(items) == 1:
            return items[0]
        if all(isinstance(i, str) for i in items):
            return sorted(items)
        return items
    return value


def _as_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def scalar_equal(config: Any, state: Any) -> bool:
    if config == state:
        return True
    if isinstance(config, bool) or isinstance(state, bool):
        return str(config).lower() == str(state).lower()
    if isinstance(config, (int, float)) or isinstance(state, (int, float)):
        try:
            return float(config) == float(state)
        except (TypeError, ValueError):
            return False
    left, right = _as_json(config), _as_json(state)
    if left is not None and right is not None:
        return _normalize_policy(left) == _normalize_policy(right)
    if config in ("", None) and state in ("", None):
        return True
    return False


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def compare(config: Any, state: Any, path: str, ctype: Any = None, block: Block | None = None,
            nesting: str | None = None) -> list[Difference]:
    """Differences between a configured value and a state value at `path`.

    `ctype` is the attribute's cty type from the schema (None when unknown); `nesting`/`block`
    describe a nested block."""
    if isinstance(config, Partial):
        # a string with unknown pieces: its known text must still match (and null never does)
        if isinstance(state, list) and len(state) == 1:
            state = state[0]
        matches = isinstance(state, str) and config.pattern().fullmatch(state) is not None
        return [] if matches else [Difference(path, state, config.marked("(known after apply)"))]
    if config is None or is_unknown(config):
        return []
    if nesting is not None:
        return _compare_block(config, state, path, nesting, block)
    if isinstance(config, dict):
        return _compare_map(config, state, path, ctype)
    if isinstance(config, list):
        return _compare_list(config, state, path, ctype)
    if isinstance(state, list) and len(state) == 1 and not isinstance(config, list):
        state = state[0]
    return [] if scalar_equal(config, state) else [Difference(path, state, config)]


def _element_type(ctype: Any) -> Any:
    if isinstance(ctype, list) and len(ctype) == 2 and ctype[0] in ("list", "set", "map"):
        return ctype[1]
    return None


def _compare_map(config: dict, state: Any, path: str, ctype: Any) -> list[Difference]:
    if ctype is None:
        # No schema here (a block nested deeper than the trimmed schema, or an unknown type): an
        # object, possibly a block written as one object; only what the configuration sets counts.
        if isinstance(state, list) and len(state) == 1 and isinstance(state[0], dict):
            state = state[0]
        if not config and _empty(state):
            return []
        if not isinstance(state, dict):
            return [Difference(path, state, config)]
        return compare_object(config, state, path, None)
    if isinstance(ctype, list) and ctype and ctype[0] == "object":
        fields = ctype[1]
        state = state if isinstance(state, dict) else {}
        out: list[Difference] = []
        for key, value in config.items():
            out += compare(value, state.get(key), f"{path}.{key}", fields.get(key))
        return out
    state_map = state if isinstance(state, dict) else ({} if state is None else None)
    if state_map is None:
        return [Difference(path, state, config)]
    known = {k: v for k, v in config.items() if not contains_unknown(v)}
    # A key whose value is known at apply time only is not compared, present or not.
    if set(known) != set(state_map) - (set(config) - set(known)):
        return [Difference(path, state, config)]
    inner = _element_type(ctype)
    for key, value in known.items():
        if compare(value, state_map.get(key), f"{path}.{key}", inner):
            return [Difference(path, state, config)]
    return []


def _compare_list(config: list, state: Any, path: str, ctype: Any) -> list[Difference]:
    if contains_unknown(config):
        return []
    state_list = state if isinstance(state, list) else ([] if state is None else [state])
    if _empty(config) and _empty(state_list):
        return []
    inner = _element_type(ctype)
    ordered = isinstance(ctype, list) and ctype[0] == "list"
    if len(config) != len(state_list):
        return [Difference(path, state, config)]
    if ordered:
        same = all(not compare(c, s, path, inner) for c, s in zip(config, state_list))
    else:
        same = _multiset_match(config, state_list, lambda c, s: not compare(c, s, path, inner))
    return [] if same else [Difference(path, state, config)]


def _multiset_match(config: list, state: list, equal) -> bool:
    remaining = list(state)
    for item in config:
        for index, candidate in enumerate(remaining):
            if equal(item, candidate):
                del remaining[index]
                break
        else:
            return False
    return True


def compare_object(config: dict, state: dict, path: str, block: Block | None) -> list[Difference]:
    """Every configured attribute and block of one object (a resource body or a block element)."""
    out: list[Difference] = []
    for name, value in config.items():
        if name not in state and contains_unknown(value):
            continue    # a state without the attribute at all (not even null) and a value known at apply only
        sub = f"{path}.{name}" if path else name
        nested = block.nested(name) if block is not None else None
        if nested is not None:
            out += compare(value, state.get(name), sub, nesting=nested[0], block=nested[1])
        else:
            ctype = block.attribute_type(name) if block is not None else None
            out += compare(value, state.get(name), sub, ctype)
    return out


def _compare_block(config: Any, state: Any, path: str, nesting: str, block: Block | None) -> list[Difference]:
    items = config if isinstance(config, list) else [config]
    if nesting == "single":
        state_items = [state] if isinstance(state, dict) else list(state or [])
    else:
        state_items = state if isinstance(state, list) else ([] if state is None else [state])
    if not items and not state_items:
        return []
    if any(not isinstance(i, dict) for i in items):
        return [] if contains_unknown(items) else ([] if items == state_items else [Difference(path, state, config)])
    if len(items) != len(state_items):
        return [Difference(path, state, config)]
    if nesting == "set":
        same = _multiset_match(items, state_items,
                               lambda c, s: isinstance(s, dict) and not compare_object(c, s, path, block))
        return [] if same else [Difference(path, state, config)]
    out: list[Difference] = []
    for index, (item, state_item) in enumerate(zip(items, state_items)):
        out += compare_object(item, state_item if isinstance(state_item, dict) else {}, f"{path}.{index}", block)
    return out
