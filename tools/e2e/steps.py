"""The deploy steps of one environment, and the environment data each step synthesizes with.

The order is `tools.graph.deploy_plan` (computed from the stacks' remote-state reads; the 02 <-> 07
cycle in two phases). A step's `settings` are dotted overrides ({"security.alb_integration": False});
they are applied to a scratch copy of the environment files, never to `envs/`.
"""
from __future__ import annotations

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

try:  # the lead's deploy order (Issue 17); until it is on main, the order below stands in for it
    from tools.graph import DeployStep, deploy_plan  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - removed once tools/graph.py is on main
    DeployStep = None  # type: ignore[assignment,misc]
    deploy_plan = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Step:
    layer: str
    phase: int
    settings: Mapping[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.layer}#{self.phase}" if self.phase > 1 or self.settings else self.layer

    @property
    def settings_key(self) -> str:
        return json.dumps(dict(self.settings), sort_keys=True)


def steps_for(env: Environment, layers: list[str]) -> list[Step]:
    """The deploy steps restricted to the layers that have a stack."""
    if deploy_plan is not None:
        return [Step(s.layer, s.phase, dict(s.settings)) for s in deploy_plan(env) if s.layer in layers]
    return _stand_in_order(env, layers)


def _stand_in_order(env: Environment, layers: list[str]) -> list[Step]:
    steps = []
    for layer in sorted(layers):
        if layer == "02-security" and env.security.alb_integration:
            steps.append(Step(layer, 1, {"security.alb_integration": False}))
        elif layer == "07-application":
            steps.append(Step(layer, 1))
            if env.security.alb_integration and "02-security" in layers:
                steps.append(Step("02-security", 2))
        else:
            steps.append(Step(layer, 1))
    return sorted(steps, key=lambda s: (s.layer if s.phase == 1 else "07-application~", s.phase))


def environment_with(name: str, overrides: Mapping[str, object], scratch: Path,
                     envs_dir: Path = ENVS_DIR) -> Environment:
    """`name`'s environment with dotted setting overrides, read from a scratch copy of the env files."""
    if not overrides:
        return load_environment(name, envs_dir)
    folder = scratch / f"envs-{re.sub(r'[^a-z0-9]+', '-', json.dumps(dict(overrides), sort_keys=True).lower()).strip('-')}"
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
    return load_environment(name, folder)


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
