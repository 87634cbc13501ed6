"""The configured values of one layer as terraform would plan them against its state: every `${...}`
evaluated, with references answered from

- the same stack: a resource's configured value, else its state value (the planned value of an
  instance that is kept), else unknown after apply (an instance terraform creates);
- another layer: `data.terraform_remote_state.<name>.outputs.<output>` from the producer layer's state
  in the same source (S3, a folder), looked up by the backend key the data source reads.

Unknown values are counted by reason for the report (`unknown_note`).
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tools.drift.addresses import Address
from tools.drift.config import Configuration, ConfigError, RemoteRead, Resource, load_configuration, stack_layers
from tools.drift.expressions import EvaluationError, Partial, Unknown, evaluate_string
from tools.drift.schema import resource_schema
from tools.drift.state import Instance, S3Options, StateError, load

RemoteOutputs = Callable[[RemoteRead], Mapping[str, Any] | Unknown]


class Planned(dict):
    """An instance's planned object; `missing` answers an attribute it does not hold."""

    def __init__(self, values: Mapping[str, Any], missing: Any):
        super().__init__(values)
        self.missing = missing


def no_remote_state(read: RemoteRead) -> Unknown:
    return Unknown(f"remote state {read.name}: no state source given")


class Resolution:
    def __init__(self, config: Configuration, instances: Mapping[Address, Instance],
                 remote: RemoteOutputs = no_remote_state):
        self.config = config
        self.instances = instances
        self.remote = remote
        self.unknown: Counter[str] = Counter()
        self._bodies: dict[str, dict[str, Any] | None] = {}

    # -- references ---------------------------------------------------------------------------
    def resolve(self, root: tuple[str, ...]) -> Any:
        if root[0] == "data":
            if len(root) == 3 and root[1] == "terraform_remote_state":
                return self._remote(root[2])
            return Unknown(f"data source data.{'.'.join(root[1:])} is read at plan time")
        if len(root) == 2 and "_" in root[0] and root[0] not in ("each", "count", "var", "local", "module"):
            return self._resource(*root)
        return Unknown(f"{'.'.join(root)} is not evaluated by drift config")

    def _remote(self, name: str) -> Any:
        read = self.config.remote_reads.get(name)
        if read is None:
            raise EvaluationError(f"no data.terraform_remote_state.{name} in the configuration")
        outputs = self.remote(read)
        if isinstance(outputs, Unknown):
            return {"outputs": outputs}
        return {"outputs": {**read.defaults, **outputs}}

    def _resource(self, rtype: str, name: str) -> Any:
        resource = self.config.resources.get(f"{rtype}.{name}")
        if resource is None:
            raise EvaluationError(f"no resource {rtype}.{name} in the configuration")
        if resource.keys is None:
            return Unknown(f"{rtype}.{name}: instances decided at apply time", after_apply=True)
        objects = {key: self._instance(resource, key) for key in resource.keys}
        if resource.keys == (None,):
            return objects[None]
        if all(isinstance(k, int) for k in resource.keys):
            return [objects[k] for k in sorted(objects)]
        return objects

    def _instance(self, resource: Resource, key: Any) -> Planned:
        address = resource.address.with_key(key)
        instance = self.instances.get(address)
        body = self.body(resource)
        schema = resource_schema(resource.type)
        values: dict[str, Any] = dict(instance.attributes) if instance is not None else {}
        for attribute, value in (body or {}).items():
            if value is None or (schema is not None and schema.nested(attribute) is not None and instance is not None):
                continue    # a block keeps the state's shape (a list of objects) for references into it
            values[attribute] = value
        missing = None if instance is not None else Unknown(f"known after apply: {address} is created", after_apply=True)
        return Planned(values, missing)

    # -- configured values --------------------------------------------------------------------
    def body(self, resource: Resource) -> dict[str, Any] | None:
        """The resource's arguments evaluated (None while being evaluated: a reference cycle)."""
        text = str(resource.address)
        if text in self._bodies:
            return self._bodies[text]
        self._bodies[text] = None
        evaluated = {name: self.value(value) for name, value in resource.body.items()}
        self._bodies[text] = evaluated
        return evaluated

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return evaluate_string(value, self.resolve) if "${" in value else value
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def count(self, value: Any) -> None:
        """Count the unknown pieces of one compared value by reason."""
        for unknown in unknowns(value):
            self.unknown[unknown.reason] += 1

    def unknown_note(self) -> str:
        if not self.unknown:
            return ""
        total = sum(self.unknown.values())
        parts = [f"{n} {reason}" for reason, n in sorted(self.unknown.items(), key=lambda item: (-item[1], item[0]))]
        return f"{total} configured value(s) unknown: " + "; ".join(parts)


def unknowns(value: Any) -> list[Unknown]:
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, Partial):
        return [p for p in value.parts if isinstance(p, Unknown)]
    if isinstance(value, dict):
        return [u for v in value.values() for u in unknowns(v)]
    if isinstance(value, list):
        return [u for v in value for u in unknowns(v)]
    return []


class RemoteStates:
    """The producer layers' outputs, read once per run from the same source as the layers' states."""

    def __init__(self, stacks: Path, source: str, options: S3Options, single_layer: bool):
        self.source, self.options, self.single = source, options, single_layer
        self.stacks = stacks
        self._lock = threading.Lock()
        self._by_key: dict[str, str] | None = None
        self._outputs: dict[str, Mapping[str, Any] | Unknown] = {}

    def _producers(self) -> dict[str, str]:
        if self._by_key is None:
            found = {}
            try:
                layers = stack_layers(self.stacks)
            except ConfigError:
                layers = []
            for layer in layers:
                try:
                    backend = load_configuration(self.stacks / layer).backend
                except ConfigError:
                    continue
                if backend is not None:
                    found[backend.key] = layer
            self._by_key = found
        return self._by_key

    def __call__(self, read: RemoteRead) -> Mapping[str, Any] | Unknown:
        with self._lock:
            producer = self._producers().get(read.key)
            if producer is None:
                return Unknown(f"remote state {read.name}: no synthesized stack has the backend key {read.key}")
            if producer not in self._outputs:
                self._outputs[producer] = self._read(producer)
            return self._outputs[producer]

    def _read(self, producer: str) -> Mapping[str, Any] | Unknown:
        if self.single and self.source != "s3" and not Path(self.source).is_dir():
            return Unknown(f"the state of {producer} is not in the source (one state file)")
        try:
            config = load_configuration(self.stacks / producer)
            state = load(self.source, producer, config.backend, self.options, False, config.local_state)
        except (StateError, ConfigError) as error:
            return Unknown(f"the state of {producer} is not in the source ({error})")
        return {name: (output or {}).get("value") for name, output in state.outputs.items()}
