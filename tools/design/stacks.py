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
RESOURCE_REF = re.compile(r"^\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$")
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


class Stacks:
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

    def resource(self, layer: str, address: str) -> Block | None:
        type_, _, name = address.partition(".")
        body = self.document(layer).get("resource", {}).get(type_, {}).get(name)
        return Block(layer, address, body) if body is not None else None

    def remote_output(self, layer: str, expression: Any) -> Block | None:
        """The output a `${data.terraform_remote_state.<name>.outputs.<out>}` in `layer` reads:
        the producing layer is the second-to-last part of the remote state's backend key."""
        match = REMOTE_OUTPUT.match(expression) if isinstance(expression, str) else None
        if not match:
            return None
        state = self.document(layer).get("data", {}).get("terraform_remote_state", {}).get(match[1])
        if state is None:
            return None
        key = str(state.get("config", {}).get("key", ""))
        parts = key.split("/")
        producer = parts[-2] if len(parts) >= 2 else ""
        return self.outputs(producer).get(match[2])

    def follow(self, layer: str, expression: Any) -> Block | None:
        """The resource an expression points at: `${aws_x.y.attr}` in `layer`, or through a remote
        state's output to the producing layer's resource. None when it points at nothing known."""
        if not isinstance(expression, str):
            return None
        output = self.remote_output(layer, expression)
        if output is not None:
            return self.follow(output.layer, output.body.get("value"))
        match = RESOURCE_REF.match(expression)
        if match and match[1] != "data":
            return self.resource(layer, f"{match[1]}.{match[2]}")
        return None

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
