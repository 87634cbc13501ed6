"""Outputs as a declared contract between layers.

Each layer declares its outputs once (`LayerOutputs`: name, shape, description, sensitivity). The
producing stack writes exactly those (`LayerStack` refuses a missing or an undeclared one), and a
consuming stack reads them through the same declaration (`LayerStack.read(network.OUTPUTS)`), whose
typed accessors refuse an output the producer does not declare or a shape it does not have. Every
read is recorded, so that `synthesis.checks` and `tools.graph` can reason about the whole set of stacks.

The outputs of a layer are its public API: people's scripts and other layers read them through
`terraform_remote_state` by name, so names and shapes stay as the original layer had them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from cdktf import DataTerraformRemoteStateS3, Fn, Token

OUTPUT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Shape(str, Enum):
    STRING = "string"
    NUMBER = "number"
    BOOL = "bool"
    LIST = "list"
    MAP = "map"
    OBJECT = "object"


@dataclass(frozen=True)
class Output:
    name: str
    shape: Shape
    description: str
    sensitive: bool = False

    def __post_init__(self) -> None:
        if not OUTPUT_NAME.match(self.name):
            raise ValueError(f"Output {self.name!r}: names are lower-case [a-z0-9_], starting with a letter")
        if not self.description.strip():
            raise ValueError(f"Output {self.name!r}: give it a description")


@dataclass(frozen=True)
class LayerOutputs:
    """The outputs of one layer. `state_name` is the data-source name consumers read it under."""

    layer: str
    state_name: str
    outputs: tuple[Output, ...]

    def __post_init__(self) -> None:
        names = [o.name for o in self.outputs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{self.layer}: outputs declared twice: {twice}")

    def __iter__(self) -> Iterator[Output]:
        return iter(self.outputs)

    def __contains__(self, name: object) -> bool:
        return any(o.name == name for o in self.outputs)

    def __getitem__(self, name: str) -> Output:
        for output in self.outputs:
            if output.name == name:
                return output
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)


class UndeclaredOutput(LookupError):
    """A stack reads an output its producer does not declare (or with another shape)."""


@dataclass(frozen=True)
class RemoteRead:
    """One `terraform_remote_state` read of a stack: which layer, under which name, which outputs, and
    the setting that switches it on (a read that exists only while that setting is on can be deferred
    to break a deploy-order cycle)."""

    consumer: str
    producer: str
    name: str
    switch: str | None = None
    outputs: list[str] = field(default_factory=list, compare=False)


class RemoteOutputs:
    """The outputs of another layer's state, read through that layer's declaration."""

    def __init__(self, state: DataTerraformRemoteStateS3, declared: LayerOutputs, read: RemoteRead):
        self._state, self.declared, self.read = state, declared, read

    def _output(self, name: str, *shapes: Shape) -> Output:
        if name not in self.declared:
            raise UndeclaredOutput(f"{self.read.consumer} reads {name!r} from {self.declared.layer}, "
                                   f"which does not declare it")
        output = self.declared[name]
        if shapes and output.shape not in shapes:
            raise UndeclaredOutput(f"{self.read.consumer} reads {self.declared.layer}'s {name!r} as "
                                   f"{'/'.join(s.value for s in shapes)}, but it is declared {output.shape.value}")
        if name not in self.read.outputs:
            self.read.outputs.append(name)
        return output

    def string(self, name: str) -> str:
        self._output(name, Shape.STRING)
        return self._state.get_string(name)

    def number(self, name: str) -> float:
        self._output(name, Shape.NUMBER)
        return self._state.get_number(name)

    def list(self, name: str) -> list[str]:
        self._output(name, Shape.LIST)
        return self._state.get_list(name)

    def map(self, name: str) -> Any:
        self._output(name, Shape.MAP, Shape.OBJECT)
        return self._state.get(name)

    def values(self, name: str) -> list[str]:
        """The values of a map output, as a list (`values(...)`), e.g. subnet ids keyed by AZ index."""
        return Token.as_list(Fn.values(self.map(name)))

    def get(self, name: str) -> Any:
        """An output of any shape, untyped (for `try(...)`, `lookup(...)` and the like)."""
        self._output(name)
        return self._state.get(name)

    def expression(self, name: str) -> str:
        """The HCL expression of the output (no `${}`), for a hand-written expression."""
        self._output(name)
        return f"data.terraform_remote_state.{self.read.name}.outputs.{name}"
