"""Changes a plan shows but AWS will refuse at apply time, said in words, and the version values
the provider treats as equal.

Engine versions: RDS upgrades engines (minor versions automatically when auto_minor_version_upgrade
is on), never downgrades them. A configuration that names a version older than the one running asks
for a downgrade: `ModifyDBCluster` / `ModifyDBInstance` fail, so the apply stops half-way. A configured
version that is a prefix of the running one (`8.0` of `8.0.mysql_aurora.3.08.2`) is what the
provider accepts as the same version.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from typing import Any

ENGINE_TYPES = frozenset({"aws_rds_cluster", "aws_rds_cluster_instance", "aws_db_instance",
                          "aws_rds_global_cluster", "aws_docdb_cluster", "aws_neptune_cluster"})


def version_tuple(version: str) -> tuple[int, ...]:
    """`8.0.mysql_aurora.3.08.2` -> (8, 0, 3, 8, 2)."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def same_version(configured: Any, running: Any) -> bool:
    if not isinstance(configured, str) or not isinstance(running, str):
        return False
    return running == configured or running.startswith(configured + ".")


def refusal(rtype: str, attribute: str, state: Any, config: Any) -> str:
    """Why AWS refuses changing `attribute` from `state` to `config`; "" when it does not."""
    if rtype in ENGINE_TYPES and attribute == "engine_version" and isinstance(state, str) and isinstance(config, str):
        if version_tuple(config) < version_tuple(state):
            return (f"AWS refuses this: it is an engine downgrade from {state} (running) to {config} "
                    f"(configured). RDS never downgrades an engine, so the apply fails. Configure "
                    f"{state} or later, or stop managing the minor version.")
    return ""


def _user_data_hash(value: str) -> str:
    """What the provider keeps in the state for an instance's user_data: the SHA-1 of the script
    (decoded first when it is given base64-encoded)."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = value.encode()
    return hashlib.sha1(raw).hexdigest()


NACL_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "all"}


def _nacl_entry(entry: Any) -> Any:
    """An inline NACL entry as the provider compares it: the protocol by name (the state keeps the
    number AWS answers after a refresh), an unset IPv6 CIDR the same as the "" it stores."""
    if not isinstance(entry, Mapping):
        return entry
    protocol = str(entry.get("protocol", ""))
    return tuple(sorted({**entry, "protocol": NACL_PROTOCOLS.get(protocol, protocol).lower(),
                         "ipv6_cidr_block": entry.get("ipv6_cidr_block") or "",
                         "cidr_block": entry.get("cidr_block") or ""}.items()))


def equivalent(rtype: str, attribute: str, state: Any, config: Any, attributes: dict) -> bool:
    """Values a plan would not show as a change although they differ as text."""
    if rtype == "aws_network_acl" and attribute in ("ingress", "egress") \
            and isinstance(state, list) and isinstance(config, list):
        return sorted(map(_nacl_entry, state), key=str) == sorted(map(_nacl_entry, config), key=str)
    if rtype in ENGINE_TYPES and attribute == "engine_version":
        running = attributes.get("engine_version_actual") or state
        return same_version(config, running) or same_version(config, state)
    if rtype == "aws_instance" and attribute == "user_data" and isinstance(config, str) and isinstance(state, str) \
            and re.fullmatch(r"[0-9a-f]{40}", state):
        return _user_data_hash(config) == state
    return False


def conditional_effect(rtype: str, attribute: str, body: Mapping[str, Any]) -> str | None:
    """The effect of an attribute that forces a replacement only in some configurations, when the
    configuration says which; None when it cannot be told."""
    if rtype == "aws_instance" and attribute in ("user_data", "user_data_base64"):
        return "replace" if body.get("user_data_replace_on_change") is True else "update"
    return None
