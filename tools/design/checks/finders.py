"""Finding the design's things in the stacks by what they are, not by their addresses: the subnet
tiers by the design's CIDRs, a subnet's routes, the security groups by what uses them (the ALB's,
the ECS services', Aurora's, the GenAI Lambda's), every security-group rule in one shape, the four
ECS services by their design key. Addresses change between ports; roles do not.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from tools.design.checks.primitives import MISSING, attribute
from tools.design.stacks import Block, Stacks

# §3.2's table: the design's CIDRs per tier, one per AZ (A05–A07 compare them where the VPC is the
# design's 10.0.0.0/16). Which subnet is of which tier is read from 01-network's outputs, the layer's
# public API, so that an environment with its own address plan (staging, prod) is judged too.
TIERS: dict[str, tuple[str, ...]] = {
    "public": ("10.0.1.0/24", "10.0.2.0/24"),
    "private-app": ("10.0.3.0/24", "10.0.4.0/24"),
    "private-db": ("10.0.5.0/24", "10.0.6.0/24"),
}
TIER_OUTPUTS = {"public": "public_subnet_ids", "private-app": "private_app_subnet_ids",
                "private-db": "private_db_subnet_ids"}
INTERNET_TARGETS = ("aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway")
SERVICES = ("customers", "vets", "visits", "admin")     # §4.2, by their key
_ROUTE_TARGETS = ("gateway_id", "nat_gateway_id", "egress_only_gateway_id", "transit_gateway_id",
                  "vpc_peering_connection_id", "network_interface_id", "vpc_endpoint_id", "carrier_gateway_id")


def subnets_of_tier(stacks: Stacks, tier: str) -> list[Block]:
    """The subnets a layer publishes as the tier's output (`public_subnet_ids`, ...)."""
    found: dict[str, Block] = {}
    for layer in stacks.layers:
        output = stacks.outputs(layer).get(TIER_OUTPUTS[tier])
        if output is not None:
            for ref in stacks.refs(layer, output.body.get("value")):
                if ref.block.type == "aws_subnet" and not ref.block.is_data:
                    found.setdefault(ref.block.where, ref.block)
    return list(found.values())


def tier_of(stacks: Stacks, subnet: Block) -> str:
    return next((tier for tier in TIERS if any(s.where == subnet.where for s in subnets_of_tier(stacks, tier))), "")


def pointed(stacks: Stacks, block: Block, path: str, type_: str) -> list[Block]:
    """The `type_` resources the attribute at `path` of `block` refers to (across layers)."""
    value = attribute(block.body, path)
    if value is MISSING:
        return []
    return [ref.block for ref in stacks.refs(block.layer, value) if ref.block.type == type_ and not ref.block.is_data]


def same(a: Block, b: Block) -> bool:
    return a.where == b.where


# --- routes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    where: str
    destination: str
    target: Block | None      # the gateway (or endpoint) the route sends to

    def describe(self) -> str:
        to = self.target.where if self.target else "(unresolved target)"
        return f"{self.where}: {self.destination} -> {to}"


def route_tables_of(stacks: Stacks, subnet: Block) -> list[Block]:
    tables = []
    for association in stacks.resources("aws_route_table_association"):
        if any(same(s, subnet) for s in pointed(stacks, association, "subnet_id", "aws_subnet")):
            tables += pointed(stacks, association, "route_table_id", "aws_route_table")
    return tables


def routes_of(stacks: Stacks, table: Block) -> list[Route]:
    routes = []
    for route in stacks.resources("aws_route"):
        if any(same(t, table) for t in pointed(stacks, route, "route_table_id", "aws_route_table")):
            destination = (route.body.get("destination_cidr_block") or route.body.get("destination_ipv6_cidr_block")
                           or route.body.get("destination_prefix_list_id") or "?")
            routes.append(Route(route.where, str(destination), _target(stacks, route, route.body)))
    for i, inline in enumerate(table.body.get("route", []) or []):
        destination = inline.get("cidr_block") or inline.get("ipv6_cidr_block") or "?"
        routes.append(Route(f"{table.where} route[{i}]", str(destination), _target(stacks, table, inline)))
    for endpoint in stacks.resources("aws_vpc_endpoint"):
        if any(same(t, table) for t in pointed(stacks, endpoint, "route_table_ids", "aws_route_table")):
            routes.append(Route(endpoint.where, f"prefix list of {endpoint.body.get('service_name')}", endpoint))
    return routes


def _target(stacks: Stacks, owner: Block, body: dict) -> Block | None:
    for key in _ROUTE_TARGETS:
        if body.get(key):
            refs = [r.block for r in stacks.refs(owner.layer, body[key]) if not r.block.is_data]
            if refs:
                return refs[0]
    return None


# --- security groups -------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    where: str
    group: str                   # the rule's security group, as "layer address"
    direction: str               # ingress | egress
    protocol: str                # "-1" = all
    from_port: int
    to_port: int
    cidrs: tuple[str, ...]
    peers: tuple[str, ...]       # security groups, as "layer address" (self included)

    def covers(self, port: int) -> bool:
        return self.protocol in ("-1", "all") or self.from_port <= port <= self.to_port

    def describe(self) -> str:
        ports = "all traffic" if self.protocol in ("-1", "all") else (
            f"{self.from_port}" if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}")
        peers = ", ".join(self.cidrs + self.peers) or "(no peer)"
        return f"{self.where}: {self.direction} {ports} {'from' if self.direction == 'ingress' else 'to'} {peers}"


def groups_used_by(stacks: Stacks, type_: str, path: str, where=lambda block: True) -> list[Block]:
    found: dict[str, Block] = {}
    for user in stacks.resources(type_):
        if where(user):
            for group in pointed(stacks, user, path, "aws_security_group"):
                found.setdefault(group.where, group)
    return list(found.values())


def alb_groups(stacks: Stacks) -> list[Block]:
    return groups_used_by(stacks, "aws_lb", "security_groups",
                          lambda lb: lb.body.get("load_balancer_type", "application") == "application")


def ecs_groups(stacks: Stacks) -> list[Block]:
    return groups_used_by(stacks, "aws_ecs_service", "network_configuration.security_groups")


def aurora_groups(stacks: Stacks) -> list[Block]:
    return groups_used_by(stacks, "aws_rds_cluster", "vpc_security_group_ids")


def lambda_groups(stacks: Stacks) -> list[Block]:
    return groups_used_by(stacks, "aws_lambda_function", "vpc_config.security_group_ids", is_genai)


def endpoint_groups(stacks: Stacks) -> list[Block]:
    """The security groups of the Interface VPC endpoints."""
    return groups_used_by(stacks, "aws_vpc_endpoint", "security_group_ids",
                          lambda e: e.body.get("vpc_endpoint_type") == "Interface")


def endpoint_services(stacks: Stacks) -> set[str]:
    """The services of the Interface VPC endpoints, short ("bedrock-runtime" of com.amazonaws.<region>.bedrock-runtime)."""
    return {str(e.body.get("service_name", "")).split(".", 3)[-1] for e in stacks.resources("aws_vpc_endpoint")
            if e.body.get("vpc_endpoint_type") == "Interface"}


def rules(stacks: Stacks) -> list[Rule]:
    found: list[Rule] = []
    for block in stacks.resources("aws_security_group_rule"):
        if block.body.get("count") == 0:
            continue
        groups = pointed(stacks, block, "security_group_id", "aws_security_group")
        peers = pointed(stacks, block, "source_security_group_id", "aws_security_group")
        if block.body.get("self"):
            peers += groups
        found += [_rule(block.where, g, str(block.body.get("type")), block.body, "protocol",
                        tuple(block.body.get("cidr_blocks") or ()) + tuple(block.body.get("ipv6_cidr_blocks") or ()),
                        peers) for g in groups]
    for direction in ("ingress", "egress"):
        for block in stacks.resources(f"aws_vpc_security_group_{direction}_rule"):
            groups = pointed(stacks, block, "security_group_id", "aws_security_group")
            cidrs = tuple(str(block.body[k]) for k in ("cidr_ipv4", "cidr_ipv6", "prefix_list_id") if block.body.get(k))
            peers = pointed(stacks, block, "referenced_security_group_id", "aws_security_group")
            found += [_rule(block.where, g, direction, block.body, "ip_protocol", cidrs, peers) for g in groups]
    for group in stacks.resources("aws_security_group"):
        for direction in ("ingress", "egress"):
            for i, inline in enumerate(group.body.get(direction, []) or []):
                peers = [g for g in pointed(stacks, group, f"{direction}.{i}.security_groups", "aws_security_group")]
                if inline.get("self"):
                    peers.append(group)
                cidrs = tuple(inline.get("cidr_blocks") or ()) + tuple(inline.get("ipv6_cidr_blocks") or ())
                found.append(_rule(f"{group.where} {direction}[{i}]", group, direction, inline, "protocol", cidrs, peers))
    return found


def rules_of(stacks: Stacks, groups: Iterable[Block], direction: str) -> list[Rule]:
    names = {g.where for g in groups}
    return [rule for rule in rules(stacks) if rule.group in names and rule.direction == direction]


def _rule(where: str, group: Block, direction: str, body: dict, protocol_key: str, cidrs: tuple, peers: list) -> Rule:
    protocol = str(body.get(protocol_key, "-1")).lower()
    return Rule(where, group.where, direction, protocol, _port(body.get("from_port")), _port(body.get("to_port")),
                tuple(str(c) for c in cidrs), tuple(dict.fromkeys(p.where for p in peers)))


def _port(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# --- compute ---------------------------------------------------------------------------------

def is_genai(function: Block) -> bool:
    variables = attribute(function.body, "environment.variables")
    return (isinstance(variables, dict) and "BEDROCK_MODEL_ID" in variables) or "genai" in str(
        function.body.get("function_name", ""))


def genai_functions(stacks: Stacks) -> list[Block]:
    return [f for f in stacks.resources("aws_lambda_function") if is_genai(f)]


def ecs_service(stacks: Stacks, key: str) -> Block | None:
    """The ECS service of a design key ("customers"), by its name's last part."""
    found = [s for s in stacks.resources("aws_ecs_service")
             if str(s.body.get("name", "")).rsplit("-", 1)[-1] == key or str(s.body.get("name", "")).endswith(f"-{key}-service")]
    return found[0] if len(found) == 1 else None


def containers(task: Block) -> list[dict]:
    """The container definitions of a task definition (a JSON string in the body)."""
    raw = task.body.get("container_definitions")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [c for c in parsed if isinstance(c, dict)] if isinstance(parsed, list) else []


# --- API Gateway -----------------------------------------------------------------------------

def api_path(stacks: Stacks, block: Block) -> str:
    """The full path of the API resource a method or integration sits on ("/" for the root):
    `resource_id` for a method or an integration, then `parent_id` up to the REST API."""
    parts: list[str] = []
    current = block
    key = "resource_id"
    for _ in range(32):   # deeper than any API; stops a cycle
        parents = [r.block for r in stacks.refs(current.layer, current.body.get(key)) if not r.block.is_data]
        resource = next((p for p in parents if p.type == "aws_api_gateway_resource"), None)
        if current.type == "aws_api_gateway_resource":
            parts.insert(0, str(current.body.get("path_part", "?")))
        if resource is None:
            break
        current, key = resource, "parent_id"
    return "/" + "/".join(parts)


def integration_targets(stacks: Stacks, integration: Block) -> list[Block]:
    """What an integration's uri invokes; an aws_lambda_alias counts as its function too (an alias
    holding provisioned concurrency is still the function in front of which the method sits). A
    private integration (VPC link) invokes its `integration_target`; a uri with a literal host (https://app.example.com/...) invokes what the stacks' Route 53 alias record of
    that name points at."""
    targets = [r.block for r in stacks.refs(integration.layer, integration.body.get("uri")) if not r.block.is_data]
    if not targets and integration.body.get("connection_type") == "VPC_LINK":   # a private integration names its target
        targets = [r.block for r in stacks.refs(integration.layer, integration.body.get("integration_target"))
                   if not r.block.is_data]
    if not targets:
        targets = [t for record in alias_records(stacks, uri_host(integration.body.get("uri")))
                   for t in pointed(stacks, record, "alias.name", "aws_lb")]
    return targets + [f for t in targets if t.type == "aws_lambda_alias"
                      for f in pointed(stacks, t, "function_name", "aws_lambda_function")]


def uri_host(uri: Any) -> str:
    """The literal host of an http(s) uri ("" when there is none, or it is an interpolation)."""
    text = str(uri or "")
    scheme, _, rest = text.partition("://")
    host = rest.split("/", 1)[0].split(":", 1)[0] if scheme in ("http", "https") else ""
    return "" if "${" in host else host.lower().rstrip(".")


def alias_records(stacks: Stacks, host: str) -> list[Block]:
    """The aws_route53_record alias records named `host`."""
    if not host:
        return []
    return [r for r in stacks.resources("aws_route53_record")
            if str(r.body.get("name", "")).lower().rstrip(".") == host and r.body.get("alias")]


def certificate_names(certificate: Block) -> list[str]:
    """The names an aws_acm_certificate is requested for."""
    return [str(n).lower() for n in [certificate.body.get("domain_name")] + list(certificate.body.get("subject_alternative_names") or []) if n]


def covers(name: str, host: str) -> bool:
    """A certificate name covers the host: the same name, or a wildcard of one label."""
    if name.startswith("*."):
        return "." in host and host.split(".", 1)[1] == name[2:]
    return name == host


def integrations(stacks: Stacks, type_: str) -> list[Block]:
    return [i for i in stacks.resources("aws_api_gateway_integration") if i.body.get("type") == type_]


def methods_on(stacks: Stacks, integration: Block) -> list[Block]:
    """The methods an integration serves: same resource (same path), same HTTP method when both say."""
    path = api_path(stacks, integration)
    method_ref = str(integration.body.get("http_method", ""))
    found = [m for m in stacks.resources("aws_api_gateway_method")
             if m.layer == integration.layer and api_path(stacks, m) == path]
    named = [m for m in found if m.address in method_ref]
    return named or found
