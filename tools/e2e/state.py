"""Terraform states as the S3 backend holds them in moto, read with boto3."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Instance:
    address: str
    type: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class State:
    layer: str
    document: dict[str, Any]

    def instances(self, rtype: str | None = None) -> Iterator[Instance]:
        for resource in self.document.get("resources") or []:
            if resource.get("mode") != "managed" or (rtype and resource.get("type") != rtype):
                continue
            base = f"{resource['module']}." if resource.get("module") else ""
            base += f"{resource['type']}.{resource['name']}"
            for instance in resource.get("instances") or []:
                key = instance.get("index_key")
                suffix = "" if key is None else f'["{key}"]' if isinstance(key, str) else f"[{key}]"
                yield Instance(base + suffix, resource["type"], instance.get("attributes") or {})

    @property
    def managed_count(self) -> int:
        return sum(1 for _ in self.instances())

    @property
    def outputs(self) -> dict[str, Any]:
        return dict(self.document.get("outputs") or {})


def read_state(s3: Any, bucket: str, key: str, layer: str) -> State | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return State(layer, json.loads(body))
