"""Small readers of a synthesized `cdk.tf.json`, shared by the tests."""
from __future__ import annotations

import json
import socket
from typing import Any


def resources_of_type(stack: dict, rtype: str) -> dict[str, dict]:
    """`{name: config}` of every resource of one type."""
    return dict((stack.get("resource") or {}).get(rtype) or {})


def resource(stack: dict, address: str) -> dict:
    rtype, name = address.split(".", 1)
    return resources_of_type(stack, rtype)[name]


def addresses(stack: dict) -> set[str]:
    return {f"{t}.{n}" for t, rs in (stack.get("resource") or {}).items() for n in rs}


def moves(stack: dict) -> dict[str, str]:
    """original address -> new address, from the stack's `moved` blocks."""
    moved = stack.get("moved") or []
    return {m["from"]: m["to"] for m in ([moved] if isinstance(moved, dict) else moved)}


def removed(stack: dict) -> list[str]:
    return [r["from"] for r in stack.get("removed") or []]


def ref(address: str, attribute: str = "id") -> str:
    """The interpolation cdktf writes for a reference to another resource's attribute."""
    return "${" + f"{address}.{attribute}" + "}"


def policy(document: Any) -> dict:
    return json.loads(document) if isinstance(document, str) else document


def referenced(interpolation: str) -> str:
    """The address in a `${type.name.attr}` reference: `aws_subnet.x` for `${aws_subnet.x.id}`."""
    assert interpolation.startswith("${") and interpolation.endswith("}"), interpolation
    return interpolation[2:-1].rsplit(".", 1)[0]


def free_port(ports: range) -> int:
    """The first port of `ports` nothing listens on at 127.0.0.1 (each test helper has its own range)."""
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
