"""Plan equivalence without terraform: every literal value the original planned for an instance
(`tests/fixtures/original/`, written from the reference plans) is what the synthesized stack
configures for the instance it lands on — or what the provider plans when the stack leaves the
attribute unset (`PROVIDER_DEFAULTS`) — except the deliberate changes in
`docs/accepted-differences.json`.

Values the stack takes from other layers or data sources are references here (`${...}`); they are
compared by `plan_compare.py` with terraform, not in this test, except the caller's account id.
"""
from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest

from layers import LAYERS
from tests.conftest import REFERENCE_ENVIRONMENTS, ROOT
from tests.helpers import moves, resource

FIXTURES = Path(__file__).parent / "fixtures" / "original"
ACCEPTED = json.loads((ROOT / "docs" / "accepted-differences.json").read_text())
REFERENCE_ACCOUNT = "897722691159"  # the account of the original's variable files (and of the reference plans)
KNOWN_REFERENCES = {"${data.aws_caller_identity.current.account_id}": REFERENCE_ACCOUNT}
PROVIDER_DEFAULTS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "provider_defaults.json").read_text())["defaults"]


def default(rtype: str, attr: str) -> Any:
    for key in (f"{rtype}.{attr}", f"*.{attr}"):
        if key in PROVIDER_DEFAULTS:
            return PROVIDER_DEFAULTS[key]
    return MISSING


MISSING = object()


def accepted(layer: str, address: str, attr: str) -> bool:
    return any(fnmatch.fnmatch(layer, a["layer"]) and fnmatch.fnmatch(address, a["address"])
               and fnmatch.fnmatch(attr, a["attribute"]) for a in ACCEPTED)


REFERENCE = re.compile(r"\$\{(aws_[a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)\}")


def resolved(value: Any, stack: dict) -> Any:
    """`value` with the references it can resolve offline replaced: the caller's account id, and
    another resource's attribute that the stack sets literally (`${aws_iam_user.x.name}`)."""
    if isinstance(value, list):
        return [resolved(v, stack) for v in value]
    if not isinstance(value, str):
        return value
    for token, fact in KNOWN_REFERENCES.items():
        value = value.replace(token, fact)

    def literal(match: re.Match) -> str:
        target = (stack.get("resource") or {}).get(match[1], {}).get(match[2], {}).get(match[3])
        return target if isinstance(target, str) and "${" not in target else match[0]
    return REFERENCE.sub(literal, value)


def canonical(value: Any) -> Any:
    """JSON documents by meaning: key order, statement order and one-element lists do not matter."""
    if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(value)
        except ValueError:
            return value
        return canonical_json(value)
    return value


def canonical_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: canonical_json(v) for k, v in sorted(value.items()) if k != "Sid" or v}
    if isinstance(value, list):
        items = [canonical_json(v) for v in value]
        items = sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
        return items[0] if len(items) == 1 and not isinstance(items[0], dict) else items
    return value


def differences(rtype: str, path: str, original: Any, ours: Any, stack: dict) -> list[str]:
    if ours is MISSING:
        # A nested block the configuration leaves out is planned as an empty list, whatever its type.
        if default(rtype, path) == original or original == []:
            return []
        return [f"{path}: not set, original {original!r}"]
    ours = resolved(ours, stack)
    if "${" in json.dumps(ours):
        return []
    if isinstance(original, list) and len(original) == 1 and isinstance(original[0], dict) and isinstance(ours, dict):
        original = original[0]
    if isinstance(original, list) and isinstance(ours, list) and len(original) == len(ours) and \
            all(isinstance(x, dict) for x in original + ours):
        return [d for i, (o, u) in enumerate(zip(original, ours)) for d in differences(rtype, path, o, u, stack)]
    if isinstance(original, dict) and isinstance(ours, dict) and path not in ("tags", "tags_all"):
        return [d for k, v in original.items() for d in differences(rtype, f"{path}.{k}", v, ours.get(k, MISSING), stack)]
    if canonical(original) != canonical(ours):
        return [f"{path}: {ours!r}, original {original!r}"]
    return []


def cases():
    for env in REFERENCE_ENVIRONMENTS:
        for layer in LAYERS:
            if (FIXTURES / env / f"{layer.layer}.json").exists():
                yield pytest.param(env, layer.layer, id=f"{env}-{layer.layer}")


@pytest.mark.parametrize("env,layer", list(cases()))
def test_stack_carries_every_literal_value_of_the_original(synthesized, env, layer):
    stack = synthesized(env).stack(layer)
    (provider,) = stack["provider"]["aws"]
    default_tags = provider["default_tags"][0]["tags"]
    moved = moves(stack)
    problems = []
    for instance in json.loads((FIXTURES / env / f"{layer}.json").read_text())["instances"]:
        target = moved.get(instance["address"], instance["address"])
        config = dict(resource(stack, target))
        config.setdefault("tags_all", {**default_tags, **(config.get("tags") or {})})
        for attr, value in sorted(instance["values"].items()):
            if accepted(layer, instance["address"], attr):
                continue
            for problem in differences(instance["type"], attr, value, config.get(attr, MISSING), stack):
                problems.append(f"{instance['address']} -> {target}: {problem}")
    assert not problems, "\n".join(problems)
