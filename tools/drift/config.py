"""The configuration of one synthesized stack folder (`cdk.tf.json` and the native `moved.tf` beside it,
synthesis/output_form.py), as the checks need it: managed resources with their literal values, instance
keys (`count`, `for_each`), `lifecycle.ignore_changes`, the `moved` and `removed` blocks, and the S3 backend.

Values that reference another resource of the same stack (`${aws_rds_cluster.aurora.engine_version}`)
are resolved to that resource's configured literal when it has one; anything else in `${...}` is
known only at apply time.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.drift.addresses import Address, AddressError, Key, parse
from tools.drift.state import Backend
from tools.stack_form import NATIVE_FILE, OutputFormError, merge_native, parse_native

META_ARGUMENTS = frozenset({"//", "count", "for_each", "lifecycle", "depends_on", "provider",
                            "provisioner", "connection"})
REFERENCE = re.compile(r"^\$\{([a-z0-9_]+)\.([a-zA-Z0-9_-]+)\.([a-z0-9_]+)\}$")
STACK_FILE = "cdk.tf.json"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Resource:
    address: Address               # a root-module resource address (no key)
    body: Mapping[str, Any]        # the arguments, meta-arguments taken out, references resolved
    keys: tuple[Key, ...] | None   # instance keys; (None,) for a single instance; None = known at apply only
    ignore_changes: tuple[str, ...] | str = ()   # "all" or attribute names

    @property
    def type(self) -> str:
        return self.address.type

    def ignores(self, path: str) -> bool:
        if self.ignore_changes == "all":
            return True
        top = path.split(".", 1)[0]
        return any(top == i.split(".", 1)[0].split("[", 1)[0] for i in self.ignore_changes)


@dataclass(frozen=True)
class Move:
    source: Address
    target: Address


@dataclass(frozen=True)
class Removal:
    source: Address
    destroy: bool


@dataclass(frozen=True)
class Configuration:
    layer: str
    path: Path
    resources: Mapping[str, Resource]   # by resource address
    moves: tuple[Move, ...]
    removals: tuple[Removal, ...]
    backend: Backend | None
    region: str | None
    local_state: Path | None = None     # the state file of a stack with a local backend (00-bootstrap)

    def resource(self, address: Address) -> Resource | None:
        return self.resources.get(str(address.resource))


def _keys(body: Mapping[str, Any], where: str) -> tuple[Key, ...] | None:
    if "count" in body and "for_each" in body:
        raise ConfigError(f"{where}: both count and for_each")
    if "count" in body:
        count = body["count"]
        if isinstance(count, bool) or not isinstance(count, int):
            return None
        return tuple(range(count))
    if "for_each" in body:
        each = body["for_each"]
        if isinstance(each, dict) and not any("${" in k for k in each):
            return tuple(sorted(each))
        if isinstance(each, list) and all(isinstance(v, str) and "${" not in v for v in each):
            return tuple(sorted(set(each)))
        return None
    return (None,)


def _ignore_changes(body: Mapping[str, Any]) -> tuple[str, ...] | str:
    value = (body.get("lifecycle") or {}).get("ignore_changes") or ()
    if value == "all" or value == ["all"]:
        return "all"
    return tuple(v for v in value if isinstance(v, str))


def _resolve(value: Any, literals: Mapping[str, Mapping[str, Any]], depth: int = 0) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, literals, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, literals, depth) for v in value]
    if isinstance(value, str) and depth < 5:
        match = REFERENCE.match(value)
        if match:
            rtype, name, attr = match.groups()
            target = literals.get(f"{rtype}.{name}", {}).get(attr)
            if target is not None:
                return _resolve(target, literals, depth + 1)
    return value


def _address(text: str, where: str) -> Address:
    try:
        return parse(text)
    except AddressError as error:
        raise ConfigError(f"{where}: {error}") from None


def _blocks(value: Any) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def parse_configuration(data: Mapping[str, Any], layer: str, path: Path) -> Configuration:
    where = str(path)
    raw_resources: dict[str, tuple[str, str, dict]] = {}
    for rtype, named in (data.get("resource") or {}).items():
        for name, body in named.items():
            raw_resources[f"{rtype}.{name}"] = (rtype, name, body)
    literals = {a: {k: v for k, v in body.items() if k not in META_ARGUMENTS} for a, (_, _, body) in raw_resources.items()}
    resources: dict[str, Resource] = {}
    for text, (rtype, name, body) in sorted(raw_resources.items()):
        arguments = {k: _resolve(v, literals) for k, v in body.items() if k not in META_ARGUMENTS}
        resources[text] = Resource(Address((), rtype, name), arguments, _keys(body, f"{where}: {text}"),
                                   _ignore_changes(body))
    moves = tuple(Move(_address(m["from"], f"{where}: moved"), _address(m["to"], f"{where}: moved"))
                  for m in _blocks(data.get("moved")))
    removals = tuple(Removal(_address(r["from"], f"{where}: removed"),
                             bool((r.get("lifecycle") or {}).get("destroy", True)))
                     for r in _blocks(data.get("removed")))
    s3 = ((data.get("terraform") or {}).get("backend") or {}).get("s3")
    backend = Backend(s3["bucket"], s3["key"], s3["region"]) if s3 else None
    local = ((data.get("terraform") or {}).get("backend") or {}).get("local")
    local_state = (path / local.get("path", "terraform.tfstate")).resolve() if isinstance(local, dict) else None
    providers = (data.get("provider") or {}).get("aws") or []
    providers = [providers] if isinstance(providers, dict) else providers
    region = next((p.get("region") for p in providers if "alias" not in p), None)
    return Configuration(layer, path, resources, moves, removals, backend, region, local_state)


def load_configuration(stack_dir: Path) -> Configuration:
    path = stack_dir / STACK_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no synthesized stack {path} (run main.py first)") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    native = stack_dir / NATIVE_FILE
    if native.is_file():   # the moved / removed blocks live there (checkov cannot read them in JSON)
        try:
            merge_native(data, parse_native(native.read_text(), str(native)))
        except OutputFormError as error:
            raise ConfigError(str(error)) from None
    return parse_configuration(data, stack_dir.name, path)


def stack_layers(stacks_dir: Path) -> list[str]:
    """Every synthesized layer: the folders of `stacks/` that hold a `cdk.tf.json`."""
    if not stacks_dir.is_dir():
        raise ConfigError(f"no synthesized stacks in {stacks_dir} (run main.py first)")
    return sorted(p.name for p in stacks_dir.iterdir() if (p / STACK_FILE).is_file())
