"""Reusable pieces of checks: find blocks, read attributes, judge them with evidence; and the
builders of the small fixtures the checks are tested on.

Evidence always names the layer and the address, and the value found (or what is missing). A check
built from these never passes on nothing: `every` fails when it finds fewer items than it needs.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Callable, Iterable, Mapping

from tools.design.stacks import Block, Stacks, is_known
from tools.design.verdict import Verdict, combine, failed, passed, unknown

class _Missing:
    """An attribute that is not in the body: falsy, so `attribute(...) or default` reads naturally."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


# --- reading ---------------------------------------------------------------------------------

def attribute(body: Mapping[str, Any], path: str) -> Any:
    """`a.b.0.c` in a body; cdktf writes a nested block as an object or a one-item list, so a
    numeric step on an object and a named step on a one-item list both read through. MISSING if absent."""
    value: Any = body
    for step in path.split("."):
        if isinstance(value, list) and not step.isdigit() and len(value) == 1:
            value = value[0]
        if isinstance(value, Mapping):
            if step.isdigit() and step not in value:
                continue
            value = value.get(step, MISSING)
        elif isinstance(value, list) and step.isdigit():
            value = value[int(step)] if int(step) < len(value) else MISSING
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def show(value: Any) -> str:
    if value is MISSING:
        return "(not set)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def tags_name(block: Block) -> str:
    name = attribute(block.body, "tags.Name")
    return f" ({name})" if isinstance(name, str) else ""


# --- judging ---------------------------------------------------------------------------------

def expect(block: Block, path: str, wanted: Any, *, absent_means: Any = MISSING) -> Verdict:
    """The attribute at `path` equals `wanted` (`absent_means`: the provider's default when unset)."""
    value = attribute(block.body, path)
    shown = show(value)
    if value is MISSING and absent_means is not MISSING:
        value, shown = absent_means, f"(not set: {show(absent_means)})"
    if value is not MISSING and not is_known(value):
        return unknown(f"{block.where} {path} = {shown} is known only at apply")
    if value == wanted:
        return passed(f"{block.where} {path} = {shown}")
    return failed(f"{block.where} {path} = {shown}, expected {show(wanted)}")


def expect_that(block: Block, path: str, test: Callable[[Any], bool], wanted: str) -> Verdict:
    """The attribute at `path` satisfies `test`; `wanted` says in words what was expected."""
    value = attribute(block.body, path)
    if value is not MISSING and not is_known(value):
        return unknown(f"{block.where} {path} = {show(value)} is known only at apply")
    if value is not MISSING and test(value):
        return passed(f"{block.where} {path} = {show(value)}")
    return failed(f"{block.where} {path} = {show(value)}, expected {wanted}")


def every(blocks: Iterable[Block], what: str, judge: Callable[[Block], Verdict], *, at_least: int = 1) -> Verdict:
    """Each block passes `judge`; fewer than `at_least` blocks is a failure naming what was sought."""
    found = list(blocks)
    if len(found) < at_least:
        return failed(f"found {len(found)} {what}, expected at least {at_least}")
    return combine([judge(block) for block in found])


def absent(stacks: Stacks, type_: str, what: str, where: Callable[[Block], bool] = lambda b: True) -> Verdict:
    """No `type_` resource satisfies `where`; evidence names the offenders. Passing needs the type's
    absence to be meaningful, so callers pair it with a check that the surrounding thing exists."""
    found = [block for block in stacks.resources(type_) if where(block)]
    if found:
        return failed(f"{what}: " + ", ".join(block.where for block in found))
    return passed(f"no {type_} {what}")


# --- fixtures --------------------------------------------------------------------------------

BlockSpec = tuple[str, str, Mapping[str, Any]]   # (layer, address, body)


def fixture(*blocks: BlockSpec) -> dict[str, dict[str, Any]]:
    """Small stacks from (layer, address, body): `aws_x.y` is a resource, `data.aws_x.y` a data
    source, `output.name` an output (its body is the output's value)."""
    documents: dict[str, dict[str, Any]] = {}
    for layer, address, body in blocks:
        document = documents.setdefault(layer, {})
        if address.startswith("output."):
            document.setdefault("output", {})[address[len("output."):]] = {"value": body}
            continue
        kind = "data" if address.startswith("data.") else "resource"
        type_, _, name = address.removeprefix("data.").partition(".")
        document.setdefault(kind, {}).setdefault(type_, {})[name] = dict(body)
    return documents


def remote_state(layer: str, name: str, producer: str, environment: str = "dev") -> BlockSpec:
    """The remote-state data source `name` in `layer`, reading the state of `producer`."""
    return (layer, f"data.terraform_remote_state.{name}",
            {"backend": "s3", "config": {"key": f"{environment}/{producer}/terraform.tfstate"}})


def changed(base: Mapping[str, Any], layer: str, address: str, **attributes: Any) -> dict[str, Any]:
    """A copy of the fixture `base` with the attributes of one block set (None removes one)."""
    result = copy.deepcopy(dict(base))
    body = _body(result, layer, address)
    for key, value in attributes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return result


def added(base: Mapping[str, Any], *blocks: BlockSpec) -> dict[str, Any]:
    """A copy of the fixture `base` with more blocks."""
    result = copy.deepcopy(dict(base))
    for layer, documents in fixture(*blocks).items():
        target = result.setdefault(layer, {})
        for kind, types in documents.items():
            for type_or_name, value in types.items():
                if kind == "output":
                    target.setdefault("output", {})[type_or_name] = value
                else:
                    target.setdefault(kind, {}).setdefault(type_or_name, {}).update(value)
    return result


def without(base: Mapping[str, Any], layer: str, address: str) -> dict[str, Any]:
    """A copy of the fixture `base` without one block."""
    result = copy.deepcopy(dict(base))
    kind = "data" if address.startswith("data.") else "resource"
    type_, _, name = address.removeprefix("data.").partition(".")
    del result[layer][kind][type_][name]
    return result


def _body(documents: dict[str, Any], layer: str, address: str) -> dict[str, Any]:
    kind = "data" if address.startswith("data.") else "resource"
    type_, _, name = address.removeprefix("data.").partition(".")
    return documents[layer][kind][type_][name]
