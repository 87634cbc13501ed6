"""Design profiles and the design switches they set.

Every environment file declares a `profile`: `as-deployed` keeps the platform as the original
deployed it; `to-be` realizes the design document. A *design switch* is a setting whose default
comes from the profile; `envs/_switches.toml` lists each one with its to-be value, the design claims
it realizes and the risk of flipping it. Adding a switch is one entry there plus the setting in
`settings/model.py`.

Order of precedence, lowest first: `_defaults.toml` (as deployed), the profile's switch values,
the environment file. So an environment may still set any switch itself, and the `as-deployed`
profile sets nothing (the defaults are the deployed platform), which keeps dev and seoul unchanged.
"""
from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

PROFILES = ("as-deployed", "to-be")
SWITCHES_FILE = "_switches.toml"
RISKS = ("none", "downtime", "data-lost", "access-changed", "manual-step", "reboot")
_UNSET = object()


class ProfileError(Exception):
    """Bad profile or switch data: the file, the field and what is wrong (settings.load turns it
    into a ConfigError)."""

    def __init__(self, file: Path | str, field: str, message: str):
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{file}: {field}: {message}")


@dataclass(frozen=True)
class Switch:
    """One design switch. `to_be` is None when the profile cannot set it (`not_in_profile` says
    why, for instance a value only the environment knows, such as its certificate ARN)."""

    path: str                       # dotted settings path, e.g. "frontend.viewer_protocol_policy"
    to_be: Any                      # the value the to-be profile gives it (None: not in the profile)
    claims: tuple[str, ...]         # design claims (A.. / D.. ids) the to-be value realizes
    description: str
    risk: str                       # one of RISKS: the worst the flip does to a running platform
    runbook: tuple[str, ...] = ()   # what a person does around the flip (risky steps)
    after: tuple[str, ...] = ()     # switches that must be flipped first
    not_in_profile: str = ""        # why the to-be profile leaves it to the environment

    @property
    def in_profile(self) -> bool:
        return self.to_be is not None


def load_switches(envs_dir: Path) -> tuple[Switch, ...]:
    """The switches table; every path must name a setting of `Environment`."""
    from settings.model import Environment

    path = envs_dir / SWITCHES_FILE
    if not path.is_file():
        return ()
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, "", f"is not valid TOML: {exc}") from None
    switches: list[Switch] = []
    for i, entry in enumerate(data.get("switch", [])):
        where = f"switch[{i}]"
        unknown = set(entry) - {"path", "to_be", "claims", "description", "risk", "runbook", "after", "not_in_profile"}
        if unknown:
            raise ProfileError(path, f"{where}.{sorted(unknown)[0]}", "is not a switch field")
        for required in ("path", "claims", "description", "risk"):
            if required not in entry:
                raise ProfileError(path, f"{where}.{required}", "is required but missing")
        if not setting_exists(Environment, entry["path"]):
            raise ProfileError(path, f"{where}.path", f"{entry['path']!r} names no setting of the environment")
        if entry["risk"] not in RISKS:
            raise ProfileError(path, f"{where}.risk", f"{entry['risk']!r} is not one of {', '.join(RISKS)}")
        if ("to_be" in entry) == bool(entry.get("not_in_profile")):
            raise ProfileError(path, f"{where}.to_be", "set either to_be or not_in_profile (the reason), not both")
        switches.append(Switch(entry["path"], entry.get("to_be"), tuple(entry["claims"]), entry["description"],
                               entry["risk"], tuple(entry.get("runbook", ())), tuple(entry.get("after", ())),
                               entry.get("not_in_profile", "")))
    paths = [s.path for s in switches]
    for i, switch in enumerate(switches):
        if paths.index(switch.path) != i:
            raise ProfileError(path, f"switch[{i}].path", f"{switch.path!r} is listed twice")
        for j, needed in enumerate(switch.after):
            if needed not in paths:
                raise ProfileError(path, f"switch[{i}].after[{j}]", f"{needed!r} is not a switch")
    return tuple(switches)


def setting_exists(model: type[BaseModel], dotted: str) -> bool:
    """Whether `dotted` walks the model's fields (a dict- or value-typed field ends the walk)."""
    current: Any = model
    for part in dotted.split("."):
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return False
        annotation = current.model_fields[part].annotation
        models = [a for a in (annotation, *get_args(annotation)) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = models[0] if models and get_origin(annotation) is None else annotation
    return True


def get_path(data: Mapping[str, Any], dotted: str, default: Any = _UNSET) -> Any:
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            if default is _UNSET:
                raise KeyError(dotted)
            return default
        current = current[part]
    return current


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `dotted` in nested dicts, in place; the value replaces (never merges into) what was there."""
    *parents, last = dotted.split(".")
    current = data
    for part in parents:
        current = current.setdefault(part, {})
    current[last] = copy.deepcopy(value)


def has_path(data: Mapping[str, Any], dotted: str) -> bool:
    return get_path(data, dotted, None) is not None


def apply_profile(merged: dict[str, Any], env_file_data: Mapping[str, Any], profile: str,
                  switches: tuple[Switch, ...]) -> dict[str, Any]:
    """`merged` (defaults + environment file) with the profile's switch values, wherever the
    environment file does not set the switch itself."""
    if profile != "to-be":
        return merged
    result = copy.deepcopy(merged)
    for switch in switches:
        if switch.in_profile and not has_path(env_file_data, switch.path):
            set_path(result, switch.path, switch.to_be)
    return result
