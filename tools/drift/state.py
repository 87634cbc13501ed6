"""Reading a layer's Terraform state: a file, a folder of files named by layer, or the S3 backend of
the synthesized stack (boto3, optional profile and S3-compatible endpoint, bounded timeouts).

Only what the checks need is kept: every managed resource instance with its address and attributes.
Sensitive values stay in memory and are never printed by the reports (see `report.py`).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.drift.addresses import Address, AddressError, Step, module_path

S3_SOURCE = "s3"
TIMEOUT_SECONDS = 10


class StateError(Exception):
    """A state that could not be read: the message says which and why."""


@dataclass(frozen=True)
class Instance:
    address: Address
    attributes: Mapping[str, Any]
    provider: str = ""

    @property
    def type(self) -> str:
        return self.address.type


@dataclass(frozen=True)
class State:
    source: str
    instances: tuple[Instance, ...] = ()
    serial: int | None = None
    lineage: str = ""
    outputs: Mapping[str, Any] = field(default_factory=dict)

    def by_address(self) -> dict[str, Instance]:
        return {str(i.address): i for i in self.instances}


@dataclass(frozen=True)
class Backend:
    bucket: str
    key: str
    region: str


@dataclass(frozen=True)
class S3Options:
    profile: str | None = None
    endpoint_url: str | None = None
    timeout: float = TIMEOUT_SECONDS


def _index_key(raw: Any) -> Any:
    if raw is None or isinstance(raw, (int, str)):
        return raw
    raise StateError(f"index_key {raw!r} is neither a number nor a string")


def parse_state(text: str, source: str) -> State:
    """A state (format version 4, as `terraform state pull` writes it) from its JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise StateError(f"{source}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    if not isinstance(data, dict):
        raise StateError(f"{source}: a state is a JSON object, this is a {type(data).__name__}")
    if data.get("version") != 4:
        raise StateError(f"{source}: state format version {data.get('version')!r}; only version 4 (Terraform >= 0.12) is read")
    resources = data.get("resources", [])
    if not isinstance(resources, list):
        raise StateError(f"{source}: 'resources' is not a list")
    instances: list[Instance] = []
    for position, resource in enumerate(resources):
        try:
            if resource.get("mode") != "managed":
                continue
            modules: tuple[Step, ...] = module_path(resource.get("module"))
            rtype, name = resource["type"], resource["name"]
            for instance in resource.get("instances", []):
                key = _index_key(instance.get("index_key"))
                address = Address(modules, rtype, name, key)
                instances.append(Instance(address, instance.get("attributes") or {}, resource.get("provider", "")))
        except (KeyError, AttributeError, TypeError, AddressError, StateError) as error:
            raise StateError(f"{source}: resources[{position}] is malformed ({error})") from None
    return State(source, tuple(instances), data.get("serial"), data.get("lineage", ""), data.get("outputs") or {})


def read_file(path: Path) -> State:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise StateError(f"no state file {path}") from None
    except OSError as error:
        raise StateError(f"{path}: {error.strerror}") from None
    return parse_state(text, str(path))


def folder_candidates(folder: Path, layer: str) -> list[Path]:
    return [folder / f"{layer}.tfstate", folder / f"{layer}.json", folder / layer / "terraform.tfstate"]


def read_from_folder(folder: Path, layer: str) -> State:
    for candidate in folder_candidates(folder, layer):
        if candidate.is_file():
            return read_file(candidate)
    names = ", ".join(str(c.relative_to(folder)) for c in folder_candidates(folder, layer))
    raise StateError(f"no state for {layer} in {folder} (looked for {names})")


def s3_client(region: str, options: S3Options):
    from tools.drift.sessions import client

    return client("s3", region, options.profile, options.endpoint_url, options.timeout, attempts=3)


def read_from_s3(backend: Backend, options: S3Options) -> State:
    from botocore.exceptions import BotoCoreError, ClientError

    where = f"s3://{backend.bucket}/{backend.key}"
    try:
        body = s3_client(backend.region, options).get_object(Bucket=backend.bucket, Key=backend.key)["Body"].read()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404"):
            raise StateError(f"no state object {where}") from None
        if code == "NoSuchBucket":
            raise StateError(f"no bucket {backend.bucket} (for {where})") from None
        raise StateError(f"{where}: {code or error}") from None
    except BotoCoreError as error:
        raise StateError(f"{where}: {error}") from None
    return parse_state(body.decode("utf-8", errors="replace"), where)


def load(source: str, layer: str, backend: Backend | None, options: S3Options, single_layer: bool) -> State:
    """The state of `layer` from SOURCE: `s3`, a folder, or (for one layer) a file."""
    if source == S3_SOURCE:
        if backend is None:
            raise StateError(f"{layer}: the synthesized stack has no S3 backend to read the state from")
        return read_from_s3(backend, options)
    path = Path(source)
    if path.is_dir():
        return read_from_folder(path, layer)
    if not single_layer:
        raise StateError(f"{source}: one state file fits one layer; give a folder of <layer>.tfstate files with --all")
    return read_file(path)
