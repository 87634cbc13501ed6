"""One environment's synthesized stacks, read as data, with the lookups the checks share.

`Stacks.load(folder)` reads `<folder>/<layer>/cdk.tf.json` for every layer (`folder` is the
`stacks` directory of a synthesis, or its parent). Addresses are `type.name`, as Terraform shows them.
A claim that spans layers follows `${data.terraform_remote_state.<name>.outputs.<out>}` to the layer
the remote state's backend key names, and from that output to the resource it points at.
Native `.tf` files beside the JSON (moved/removed blocks) hold no resource settings: not read here.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

REMOTE_OUTPUT = re.compile(r"^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\}$")
# Inside an expression: a remote output (with an optional ["key"] or [0]), and a resource reference
# with the attribute path after it. A resource type has an underscore, which keeps literal text such
# as "petclinic.local" out; a match counts only when the block exists.
REMOTE_IN = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)"
                       r"(?:\[(?:\\?\"([^\"\\]*)\\?\"|(\d+))\])?")
RESOURCE_IN = re.compile(r"(?<![\w.\"])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)"
                         r"((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)")
INTERPOLATION = "${"


class StacksError(Exception):
    """A synthesis folder that cannot be read; one line naming the file."""


@dataclass(frozen=True)
class Block:
    """One resource, data source or output: where it is and what it says."""

    layer: str
    address: str        # "aws_vpc.vpc", "data.aws_iam_policy_document.x", "output.vpc_id"
    body: Mapping[str, Any]

    @property
    def where(self) -> str:
        return f"{self.layer} {self.address}"

    @property
    def name(self) -> str:
        return self.address.rsplit(".", 1)[1]

    @property
    def type(self) -> str:
        return self.address.removeprefix("data.").split(".", 1)[0]

    @property
    def is_data(self) -> bool:
        return self.address.startswith("data.")


@dataclass(frozen=True)
class Ref:
    """A block an expression refers to, and the attribute it reads ("arn", "master_user_secret[0].secret_arn")."""

    block: Block
    attribute: str


class Stacks:
    """The parsed `cdk.tf.json` of each layer (layer name -> document); tests build one from small dicts."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]):
        self._docs = {layer: documents[layer] for layer in sorted(documents)}

    @classmethod
    def load(cls, folder: Path) -> "Stacks":
        folder = Path(folder)
        if (folder / "stacks").is_dir():
            folder = folder / "stacks"
        files = sorted(folder.glob("*/cdk.tf.json"))
        if not files:
            raise StacksError(f"{folder}: no <layer>/cdk.tf.json (synthesize first: PETCLINIC_ENV=<env> "
                              "CDKTF_OUTDIR=<dir> bin/app)")
        documents = {}
        for path in files:
            try:
                documents[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StacksError(f"{path}: cannot be read as JSON: {exc}") from None
        return cls(documents)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(self._docs)

    def document(self, layer: str) -> Mapping[str, Any]:
        return self._docs.get(layer, {})

    def resources(self, type_: str, layer: str | None = None) -> list[Block]:
        return list(self._blocks("resource", type_, layer, prefix=""))

    def all_resources(self) -> list[Block]:
        return [Block(layer, f"{type_}.{name}", body) for layer in self.layers
                for type_, blocks in sorted(self.document(layer).get("resource", {}).items())
                for name, body in sorted(blocks.items())]

    def data(self, type_: str, layer: str | None = None) -> list[Block]:
        return list(self._blocks("data", type_, layer, prefix="data."))

    def outputs(self, layer: str) -> dict[str, Block]:
        return {name: Block(layer, f"output.{name}", body)
                for name, body in sorted(self.document(layer).get("output", {}).items())}

    def region(self) -> str:
        """The AWS provider's region, the same in every layer of one environment ("" if none)."""
        for layer in self.layers:
            for provider in self.document(layer).get("provider", {}).get("aws", []):
                if provider.get("region") and "alias" not in provider:
                    return str(provider["region"])
        return ""

    def environment(self) -> str:
        """The environment label that leads every backend key ("dev", "seoul-dev"); "" without backends."""
        for layer in self.layers:
            key = str(self.document(layer).get("terraform", {}).get("backend", {}).get("s3", {}).get("key", ""))
            if key.count("/") >= 2:
                return key.split("/")[0]
        return ""

    def resource(self, layer: str, address: str) -> Block | None:
        type_, _, name = address.partition(".")
        body = self.document(layer).get("resource", {}).get(type_, {}).get(name)
        return Block(layer, address, body) if body is not None else None

    def remote_output(self, layer: str, expression: Any) -> Block | None:
        """The output a `${data.terraform_remote_state.<name>.outputs.<out>}` in `layer` reads:
        the producing layer is the second-to-last part of the remote state's backend key."""
        match = REMOTE_OUTPUT.match(expression) if isinstance(expression, str) else None
        return self._remote(layer, match[1], match[2]) if match else None

    def follow(self, layer: str, expression: Any) -> Block | None:
        """The one resource an expression points at (through remote-state outputs), else None."""
        found = {ref.block.where: ref.block for ref in self.refs(layer, expression) if not ref.block.is_data}
        return next(iter(found.values())) if len(found) == 1 else None

    def refs(self, layer: str, value: Any) -> list["Ref"]:
        """Every resource and data source `value` (a string, list or map, from `layer`) refers to,
        following remote-state outputs to the producing layer, each with the attribute read."""
        found: dict[tuple[str, str], Ref] = {}
        self._collect(layer, value, found, set())
        return list(found.values())

    def _collect(self, layer: str, value: Any, found: dict[tuple[str, str], Ref], seen: set[tuple[str, str]]) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                self._collect(layer, item, found, seen)
            return
        if isinstance(value, (list, tuple)):
            for item in value:
                self._collect(layer, item, found, seen)
            return
        if not isinstance(value, str) or INTERPOLATION not in value:
            return
        for match in REMOTE_IN.finditer(value):
            output = self._remote(layer, match[1], match[2])
            if output is None or (output.layer, match[0]) in seen:
                continue
            seen.add((output.layer, match[0]))
            produced = output.body.get("value")
            key = match[3] if match[3] is not None else match[4]
            if key is not None and isinstance(produced, Mapping) and key in produced:
                produced = produced[key]
            elif key is not None and isinstance(produced, list) and key.isdigit() and int(key) < len(produced):
                produced = produced[int(key)]
            self._collect(output.layer, produced, found, seen)
        for match in RESOURCE_IN.finditer(REMOTE_IN.sub("", value)):
            kind = "data" if match[1] else "resource"
            body = self.document(layer).get(kind, {}).get(match[2], {}).get(match[3])
            if body is not None:
                block = Block(layer, f"{match[1] or ''}{match[2]}.{match[3]}", body)
                found.setdefault((layer, block.address), Ref(block, match[4].lstrip(".")))

    def _remote(self, layer: str, state_name: str, output_name: str) -> Block | None:
        state = self.document(layer).get("data", {}).get("terraform_remote_state", {}).get(state_name)
        if state is None:
            return None
        parts = str(state.get("config", {}).get("key", "")).split("/")
        return self.outputs(parts[-2]).get(output_name) if len(parts) >= 2 else None

    def _blocks(self, kind: str, type_: str, layer: str | None, prefix: str) -> Iterator[Block]:
        for name in ([layer] if layer else self.layers):
            for block_name, body in sorted(self.document(name).get(kind, {}).get(type_, {}).items()):
                yield Block(name, f"{prefix}{type_}.{block_name}", body)


def is_known(value: Any) -> bool:
    """False for a value Terraform computes at apply (it still holds an interpolation)."""
    if isinstance(value, str):
        return INTERPOLATION not in value
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_known(v) for v in value)
    return True
