"""Defects of the synthesized stacks themselves that this run found: configurations that fail
against moto for the reason real AWS rejects (or silently does not serve) them too. They are bugs to
fix in the stacks, not moto gaps: each is named in the report as a defect of the stack, and the
scratch override leaves the resource out so that the rest of the layer still applies (the layer
counts as partial).

Two kinds, each checked on the stacks themselves, so an entry stops applying the moment the stack is
fixed:
- `DEFECTS`: something wrong inside one stack (server access logging into a bucket that does not
  let the logging service write);
- `DUPLICATES`: an object a layer makes that a layer deployed before it already makes (the same log
  group name, the same security-group permission): real AWS refuses the second create.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Resources = Mapping[str, Mapping[str, Mapping[str, Any]]]
REMOTE_OUTPUT = re.compile(r"\$\{data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)\}")


@dataclass(frozen=True)
class Layer:
    """One layer's synthesized stack (its first deploy step's), and whose states it reads."""

    name: str
    stack: Mapping[str, Any]
    reads: Mapping[str, str]        # remote-state data source name -> the layer it reads

    @property
    def resources(self) -> Resources:
        return self.stack.get("resource") or {}


class Platform:
    """All layers' stacks: a value resolved through remote-state reads to where it is made."""

    def __init__(self, layers: Mapping[str, Layer]):
        self.layers = layers

    def resolve(self, layer: str, value: Any) -> tuple[str, str]:
        """("01-network", "${aws_vpc.vpc.id}") for a read of 01-network's output that is that
        expression; ("", "3306") for a literal, which means the same in every layer."""
        text = str(value)
        found = REMOTE_OUTPUT.fullmatch(text)
        reader = self.layers.get(layer)
        if found and reader is not None and found.group(1) in reader.reads:
            producer = self.layers.get(reader.reads[found.group(1)])
            output = ((producer.stack.get("output") or {}).get(found.group(2)) or {}) if producer else {}
            if producer is not None and "value" in output:
                return self.resolve(producer.name, output["value"])
        return (layer if "${" in text else ""), text


# ------------------------------------------------------------------ inside one stack
@dataclass(frozen=True)
class Defect:
    rtype: str
    what: str                                                 # what is wrong, and what AWS does
    present: Callable[[Resources, Mapping[str, Any]], bool]   # (the stack's resources, the resource's body)


def _bucket_of(expression: Any) -> str | None:
    """`aws_s3_bucket.x` for "${aws_s3_bucket.x.id}" (or .bucket), else None."""
    found = re.fullmatch(r"\$\{(aws_s3_bucket\.[\w-]+)\.(?:id|bucket)\}", str(expression))
    return found.group(1) if found else None


def _log_target_not_granted(resources: Resources, body: Mapping[str, Any]) -> bool:
    """The target bucket of server access logging is one of the stack's buckets, and no bucket
    policy of it grants the logging service principal anything."""
    target = _bucket_of(body.get("target_bucket"))
    if target is None:
        return False
    policies = [p for p in (resources.get("aws_s3_bucket_policy") or {}).values() if _bucket_of(p.get("bucket")) == target]
    return not any("logging.s3.amazonaws.com" in json.dumps(p.get("policy")) for p in policies)


def _empty_cidr_entry(_resources: Resources, body: Mapping[str, Any]) -> bool:
    """An inline NACL entry that writes a CIDR attribute as "" (the provider validates each as a CIDR)."""
    entries = [e for kind in ("ingress", "egress") for e in (body.get(kind) or []) if isinstance(e, Mapping)]
    return any(e.get(attribute) == "" for e in entries for attribute in ("cidr_block", "ipv6_cidr_block"))


DEFECTS: tuple[Defect, ...] = (
    Defect("aws_network_acl",
           "an ingress/egress entry sets ipv6_cidr_block (or cidr_block) to \"\": the provider validates the "
           "attribute as a CIDR (ValidIPv6CIDRNetworkAddress) and the plan fails with '\"\" is not a valid CIDR "
           "block' before any AWS call (modules/network_acls.py; leave the attribute unset instead)",
           _empty_cidr_entry),
    Defect("aws_s3_bucket_logging",
           "the target bucket's policy does not let the S3 logging service (logging.s3.amazonaws.com) put "
           "objects, and its ACLs are disabled (BucketOwnerEnforced, the default), so S3 cannot deliver the "
           "access logs; S3:PutBucketLogging answers InvalidTargetBucketForLogging (moto gives AWS's message)",
           _log_target_not_granted),
)


# ------------------------------------------------------------------ across layers
Key = tuple[Any, ...]


def _ports(body: Mapping[str, Any], protocol_key: str) -> Key:
    protocol = str(body.get(protocol_key, "")).lower()
    protocol = {"6": "tcp", "17": "udp", "all": "-1"}.get(protocol, protocol)
    return protocol, str(body.get("from_port", "")), str(body.get("to_port", ""))


def _legacy_rule(platform: Platform, layer: str, body: Mapping[str, Any]) -> set[Key]:
    group = platform.resolve(layer, body.get("security_group_id"))
    sources = [("group", platform.resolve(layer, body["source_security_group_id"]))] if body.get("source_security_group_id") else []
    sources += [("group", group)] if body.get("self") else []
    sources += [("cidr", c) for c in (body.get("cidr_blocks") or []) + (body.get("ipv6_cidr_blocks") or [])]
    return {(body.get("type"), group, *_ports(body, "protocol"), source) for source in sources}


def _rule(direction: str) -> Callable[[Platform, str, Mapping[str, Any]], set[Key]]:
    def keys(platform: Platform, layer: str, body: Mapping[str, Any]) -> set[Key]:
        group = platform.resolve(layer, body.get("security_group_id"))
        if body.get("referenced_security_group_id"):
            source: Key = ("group", platform.resolve(layer, body["referenced_security_group_id"]))
        else:
            source = ("cidr", body.get("cidr_ipv4") or body.get("cidr_ipv6") or body.get("prefix_list_id"))
        return {(direction, group, *_ports(body, "ip_protocol"), source)}
    return keys


def _log_group(platform: Platform, layer: str, body: Mapping[str, Any]) -> set[Key]:
    return {("log group", platform.resolve(layer, body.get("name")))}


@dataclass(frozen=True)
class Duplicate:
    what: str                                                       # "security-group permission"
    error: str                                                      # what real AWS answers the second create
    keys: Mapping[str, Callable[[Platform, str, Mapping[str, Any]], set[Key]]]  # type -> what it makes


DUPLICATES: tuple[Duplicate, ...] = (
    Duplicate("security-group permission", "EC2 answers InvalidPermission.Duplicate to the second",
              {"aws_security_group_rule": _legacy_rule,
               "aws_vpc_security_group_ingress_rule": _rule("ingress"),
               "aws_vpc_security_group_egress_rule": _rule("egress")}),
    Duplicate("log group", "CloudWatch Logs answers ResourceAlreadyExistsException to the second",
              {"aws_cloudwatch_log_group": _log_group}),
)


def _made(platform: Platform, layer: Layer, duplicate: Duplicate) -> dict[Key, str]:
    return {key: f"{rtype}.{name}" for rtype, keys in duplicate.keys.items()
            for name, body in sorted((layer.resources.get(rtype) or {}).items())
            for key in keys(platform, layer.name, body)}


def defects_of(layer: Layer, earlier: list[Layer], platform: Platform) -> dict[str, str]:
    """address -> what is wrong, for every resource of `layer` that has a defect: one of DEFECTS, or
    making what a layer deployed before it (`earlier`) already makes."""
    found = {f"{d.rtype}.{name}": d.what for d in DEFECTS
             for name, body in sorted((layer.resources.get(d.rtype) or {}).items()) if d.present(layer.resources, body)}
    for duplicate in DUPLICATES:
        before = {key: (other.name, address) for other in earlier
                  for key, address in _made(platform, other, duplicate).items()}
        for key, address in _made(platform, layer, duplicate).items():
            if key in before and address not in found:
                other, theirs = before[key]
                found[address] = (f"makes the same {duplicate.what} as {theirs} of {other}, which is deployed "
                                  f"before it: {duplicate.error}")
    return dict(sorted(found.items()))
