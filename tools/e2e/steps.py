"""The deploy steps of one environment, and the environment data each step synthesizes with.

The order is `tools.graph.deploy_plan` (computed from the stacks' remote-state reads; the 02 <-> 07
cycle in two phases). A step's `settings` are dotted overrides ({"security.alb_integration": False});
they are applied to a scratch copy of the environment files, never to `envs/`.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from settings import Environment, load_environment
from settings.load import ENVS_DIR
from tools.graph import build_stacks_of, deploy_plan, graph_of


@dataclass(frozen=True)
class Step:
    layer: str
    phase: int
    settings: Mapping[str, object] = field(default_factory=dict)
    note: str = ""           # why the step's settings differ from the environment's, beyond the plan's own

    @property
    def label(self) -> str:
        return f"{self.layer}#{self.phase}" if self.phase > 1 or self.settings else self.layer


def steps_for(env: Environment, layers: list[str]) -> list[Step]:
    """`tools.graph.deploy_plan`, restricted to `layers`. A read of a layer that has no stack here
    cannot be served; when a setting switches it (`security.alb_integration` for 07-application), the
    step runs with it off and says so; otherwise the step reads a state that does not exist and fails
    (reported as such, and its dependents as not run)."""
    outside: dict[str, dict[str, object]] = {}
    notes: dict[str, list[str]] = {}
    for edge in graph_of(build_stacks_of(env)).edges:
        if edge.producer not in layers and edge.switch:
            outside.setdefault(edge.consumer, {})[edge.switch] = False
            notes.setdefault(edge.consumer, []).append(f"{edge.switch} off: reads {edge.producer}, which has no stack")
    steps = []
    for step in deploy_plan(env):
        if step.layer not in layers:
            continue
        settings = {**outside.get(step.layer, {}), **dict(step.settings)}
        steps.append(Step(step.layer, step.phase, settings, "; ".join(notes.get(step.layer, []))))
    return steps


def environment_with(name: str, overrides: Mapping[str, object], scratch: Path,
                     envs_dir: Path = ENVS_DIR, switch_values: Mapping[str, Any] | None = None) -> Environment:
    """`name`'s environment with dotted setting overrides, read from a scratch copy of the env files.

    `switch_values` are design switches forced the way `tools.design --ladder` measures them
    (`load_environment(switch_values=...)`): the environment viewed with those values, not a file that
    sets them (a file that turns on `api_gateway.https_to_alb` without a domain is refused; the ladder's
    view of dev with it on is not, and changes nothing)."""
    if not overrides:
        return load_environment(name, envs_dir, switch_values=switch_values)
    key = json.dumps(dict(overrides), sort_keys=True)
    slug = re.sub(r'[^a-z0-9]+', '-', key.lower()).strip('-')
    if len(slug) > 120:   # the ladder's switches add up: a file name has at most 255 bytes
        slug = f"{slug[:80]}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    folder = scratch / f"envs-{slug}"
    if not folder.exists():
        shutil.copytree(envs_dir, folder)
        path = folder / f"{name}.toml"
        data = tomllib.loads(path.read_text())
        for dotted, value in overrides.items():
            node = data
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ValueError(f"setting override {dotted!r}: {part!r} is not a table in {path}")
            node[leaf] = value
        path.write_text(to_toml(data))
    return load_environment(name, folder, switch_values=switch_values)


def to_toml(data: Mapping[str, Any]) -> str:
    """TOML for plain data: top-level keys, nested tables as inline tables (JSON strings are TOML strings)."""
    return "".join(f"{json.dumps(key)} = {_value(value)}\n" for key, value in data.items())


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")
