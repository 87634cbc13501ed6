"""JSON-document attributes compared as the AWS provider compares them, so that key order and
whitespace are no drift and a changed port, image or statement is.

- ECS container definitions: the provider's `containerDefinitionsAreEquivalent` (hashicorp/aws,
  internal/service/ecs/container_definitions.go): containers ordered by name, environment and secrets
  by name, empty lists, nulls and a zero `cpu` dropped, `essential` true when unset, health-check defaults
  (interval 30, retries 3, timeout 5), port protocol `tcp` the same as unset, and, in `awsvpc` mode,
  an unset host port equal to the container port.
- IAM-style policies (`policy`, `assume_role_policy`, `*_policy`): a one-item list is its item and
  string lists compare without order (the provider's policy equivalence).
- Other JSON (dashboards, ...): equal as JSON values, key order and whitespace aside, lists in order.

A configured document may hold pieces known only later (a `Partial`): those match any text in their
place, the known rest must still match.
"""
from __future__ import annotations

import json
import re
from typing import Any

from tools.drift.expressions import Partial

MARK = "\ue000unknown\ue000"   # a private-use character: valid inside a JSON string
HEALTH_CHECK_DEFAULTS = {"interval": 30, "retries": 3, "timeout": 5}


def kind_of(rtype: str, attribute: str) -> str:
    if rtype == "aws_ecs_task_definition" and attribute == "container_definitions":
        return "container_definitions"
    if attribute in ("policy", "assume_role_policy") or attribute.endswith("_policy"):
        return "policy"
    return "json"


def parse_document(value: Any) -> Any:
    """The JSON value of a configured string (a Partial's unknown pieces as MARK), or None."""
    text = value.marked(MARK) if isinstance(value, Partial) else value
    if not isinstance(text, str) or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _lower_keys(value: Any) -> Any:
    # The provider decodes into the SDK's types, whose JSON field names match case-insensitively.
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [i for i in (_drop_empty(v) for v in value) if i not in (None, {}, [])]
    return value


def reduce_container_definitions(document: Any, awsvpc: bool) -> Any:
    if not isinstance(document, list):
        return document
    containers = []
    for raw in _lower_keys(document):
        if not isinstance(raw, dict):
            return document
        container = dict(raw)
        container.setdefault("essential", True)
        if isinstance(container.get("healthCheck"), dict):
            container["healthCheck"] = {**HEALTH_CHECK_DEFAULTS, **{k: v for k, v in container["healthCheck"].items()
                                                                    if v is not None}}
        mappings = []
        for mapping in container.get("portMappings") or []:
            mapping = dict(mapping)
            if mapping.get("protocol") == "tcp":
                mapping.pop("protocol")
            if not mapping.get("hostPort"):
                mapping.pop("hostPort", None)
                if awsvpc and mapping.get("containerPort") is not None:
                    mapping["hostPort"] = mapping["containerPort"]
            mappings.append(mapping)
        container["portMappings"] = mappings
        for named in ("environment", "secrets"):
            items = container.get(named) or []
            container[named] = sorted(items, key=lambda i: str(i.get("name", "")) if isinstance(i, dict) else "")
        if container.get("cpu") == 0:      # a plain int32 in the SDK's type: 0 and unset are one
            container.pop("cpu")
        containers.append(_drop_empty(container))
    return sorted(containers, key=lambda c: str(c.get("name", "")))


def _policy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _policy(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_policy(v) for v in value]
        return items[0] if len(items) == 1 else items
    return value


def _leaf_equal(config: Any, state: Any) -> bool:
    if isinstance(config, str) and MARK in config:
        pattern = ".*?".join(re.escape(p) for p in config.split(MARK))
        return re.fullmatch(pattern, _text(state), re.DOTALL) is not None
    if isinstance(config, bool) or isinstance(state, bool):
        return config is state
    if isinstance(config, (int, float)) and isinstance(state, (int, float)):
        return float(config) == float(state)
    return config == state


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _equal(config: Any, state: Any, unordered_strings: bool) -> bool:
    if isinstance(config, dict):
        return isinstance(state, dict) and set(config) == set(state) and \
            all(_equal(v, state[k], unordered_strings) for k, v in config.items())
    if isinstance(config, list):
        if not isinstance(state, list) or len(config) != len(state):
            return False
        if unordered_strings and all(isinstance(i, str) for i in config):
            remaining = list(state)
            for item in sorted(config, key=lambda i: MARK in i):     # exact items first, patterns last
                match = next((n for n, s in enumerate(remaining) if _leaf_equal(item, s)), None)
                if match is None:
                    return False
                del remaining[match]
            return True
        return all(_equal(c, s, unordered_strings) for c, s in zip(config, state))
    return _leaf_equal(config, state)


def _normalized(kind: str, config: Any, state: Any, awsvpc: bool) -> tuple[Any, Any] | None:
    left = parse_document(config)
    right = parse_document(state) if isinstance(state, str) else state if isinstance(state, (dict, list)) else None
    if left is None or right is None:
        return None
    if kind == "container_definitions":
        return reduce_container_definitions(left, awsvpc), reduce_container_definitions(right, awsvpc)
    if kind == "policy":
        return _policy(left), _policy(right)
    return left, right


def documents_equal(kind: str, config: Any, state: Any, awsvpc: bool = False) -> bool | None:
    """Whether the configured document equals the state's; None when either is not a JSON document."""
    pair = _normalized(kind, config, state, awsvpc)
    return None if pair is None else _equal(*pair, unordered_strings=kind == "policy")


def differing_paths(kind: str, config: Any, state: Any, awsvpc: bool = False, limit: int = 5) -> list[str]:
    """Where two documents differ (`customers.portMappings.0.containerPort`), values left out: a
    report may name the place of a change in a document it must not print."""
    pair = _normalized(kind, config, state, awsvpc)
    if pair is None:
        return []
    found: list[str] = []

    def walk(left: Any, right: Any, path: str) -> None:
        if len(found) >= limit or _equal(left, right, unordered_strings=kind == "policy"):
            return
        if isinstance(left, list) and isinstance(right, list) and kind == "container_definitions" and not path:
            named = lambda items: {str(i.get("name")): i for i in items if isinstance(i, dict)}
            left, right = named(left), named(right)
        if isinstance(left, dict) and isinstance(right, dict):
            for key in sorted(set(left) | set(right)):
                walk(left.get(key), right.get(key), f"{path}.{key}" if path else key)
        elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
            for index, (a, b) in enumerate(zip(left, right)):
                walk(a, b, f"{path}.{index}" if path else str(index))
        else:
            found.append(path or "(document)")

    walk(*pair, "")
    return found
