"""Live readers for the network: VPC, subnets, route tables and routes, gateways, EIPs, security
groups and their rules, VPC endpoints, network ACLs, flow logs, instances."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.drift.live.base import Aws, Missing, first, reader, tags_of


def _ec2(aws: Aws, operation: str, key: str, **arguments: Any) -> list[Any]:
    return aws.call("ec2", operation, **arguments).get(key) or []


@reader("aws_vpc")
def vpc(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    v = first(_ec2(aws, "describe_vpcs", "Vpcs", VpcIds=[a["id"]]), a["id"])
    dns = aws.call("ec2", "describe_vpc_attribute", VpcId=a["id"], Attribute="enableDnsSupport")
    hostnames = aws.call("ec2", "describe_vpc_attribute", VpcId=a["id"], Attribute="enableDnsHostnames")
    return {"cidr_block": v["CidrBlock"], "instance_tenancy": v.get("InstanceTenancy"),
            "enable_dns_support": dns["EnableDnsSupport"]["Value"],
            "enable_dns_hostnames": hostnames["EnableDnsHostnames"]["Value"], "tags_all": tags_of(v.get("Tags"))}


@reader("aws_subnet")
def subnet(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    s = first(_ec2(aws, "describe_subnets", "Subnets", SubnetIds=[a["id"]]), a["id"])
    return {"cidr_block": s["CidrBlock"], "availability_zone": s["AvailabilityZone"], "vpc_id": s["VpcId"],
            "map_public_ip_on_launch": s.get("MapPublicIpOnLaunch"), "tags_all": tags_of(s.get("Tags"))}


def _route_table(aws: Aws, table_id: str) -> dict[str, Any]:
    return first(_ec2(aws, "describe_route_tables", "RouteTables", RouteTableIds=[table_id]), table_id)


@reader("aws_route_table")
def route_table(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    t = _route_table(aws, a["id"])
    return {"vpc_id": t["VpcId"], "tags_all": tags_of(t.get("Tags"))}


ROUTE_TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId", "vpc_endpoint_id": "VpcEndpointId",
                 "transit_gateway_id": "TransitGatewayId", "network_interface_id": "NetworkInterfaceId",
                 "egress_only_gateway_id": "EgressOnlyInternetGatewayId",
                 "vpc_peering_connection_id": "VpcPeeringConnectionId"}


@reader("aws_route")
def route(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    t = _route_table(aws, a["route_table_id"])
    for r in t.get("Routes") or []:
        if (a.get("destination_cidr_block") and r.get("DestinationCidrBlock") == a["destination_cidr_block"]) or \
                (a.get("destination_ipv6_cidr_block") and r.get("DestinationIpv6CidrBlock") == a["destination_ipv6_cidr_block"]) or \
                (a.get("destination_prefix_list_id") and r.get("DestinationPrefixListId") == a["destination_prefix_list_id"]):
            return {name: r.get(key) or "" for name, key in ROUTE_TARGETS.items()}
    raise Missing(f"no route to {a.get('destination_cidr_block') or a.get('destination_ipv6_cidr_block')} in {a['route_table_id']}")


@reader("aws_route_table_association")
def route_table_association(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    tables = _ec2(aws, "describe_route_tables", "RouteTables",
                  Filters=[{"Name": "association.route-table-association-id", "Values": [a["id"]]}])
    for t in tables:
        for assoc in t.get("Associations") or []:
            if assoc.get("RouteTableAssociationId") == a["id"]:
                return {"route_table_id": t["RouteTableId"], "subnet_id": assoc.get("SubnetId") or "",
                        "gateway_id": assoc.get("GatewayId") or ""}
    raise Missing(a["id"])


@reader("aws_internet_gateway")
def internet_gateway(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(_ec2(aws, "describe_internet_gateways", "InternetGateways", InternetGatewayIds=[a["id"]]), a["id"])
    attached = [x["VpcId"] for x in g.get("Attachments") or [] if x.get("State") in ("available", "attached")]
    return {"vpc_id": attached[0] if attached else "", "tags_all": tags_of(g.get("Tags"))}


@reader("aws_egress_only_internet_gateway")
def egress_only_gateway(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(_ec2(aws, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways",
                   EgressOnlyInternetGatewayIds=[a["id"]]), a["id"])
    attached = [x["VpcId"] for x in g.get("Attachments") or []]
    return {"vpc_id": attached[0] if attached else "", "tags_all": tags_of(g.get("Tags"))}


@reader("aws_nat_gateway")
def nat_gateway(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(_ec2(aws, "describe_nat_gateways", "NatGateways", NatGatewayIds=[a["id"]]), a["id"])
    if g.get("State") in ("deleted", "deleting", "failed"):
        raise Missing(f"{a['id']} is {g['State']}")
    addresses = g.get("NatGatewayAddresses") or [{}]
    return {"subnet_id": g["SubnetId"], "connectivity_type": g.get("ConnectivityType", "public"),
            "allocation_id": addresses[0].get("AllocationId", ""), "tags_all": tags_of(g.get("Tags"))}


@reader("aws_eip")
def eip(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    e = first(_ec2(aws, "describe_addresses", "Addresses", AllocationIds=[a["id"]]), a["id"])
    return {"public_ip": e.get("PublicIp"), "domain": e.get("Domain"), "tags_all": tags_of(e.get("Tags"))}


def permissions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EC2 IpPermissions in the provider's ingress/egress shape, one entry per source kind."""
    out = []
    for p in items or []:
        protocol = str(p.get("IpProtocol", "-1"))
        base = {"from_port": p.get("FromPort", 0), "to_port": p.get("ToPort", 0), "protocol": protocol}
        for r in p.get("IpRanges") or []:
            out.append({**base, "cidr_blocks": [r["CidrIp"]], "description": r.get("Description", "")})
        for r in p.get("Ipv6Ranges") or []:
            out.append({**base, "ipv6_cidr_blocks": [r["CidrIpv6"]], "description": r.get("Description", "")})
        for r in p.get("PrefixListIds") or []:
            out.append({**base, "prefix_list_ids": [r["PrefixListId"]], "description": r.get("Description", "")})
        for r in p.get("UserIdGroupPairs") or []:
            out.append({**base, "security_groups": [r["GroupId"]], "description": r.get("Description", "")})
    return out


def _flatten_rules(rules: list[dict[str, Any]] | None) -> list[tuple]:
    """Provider ingress/egress entries as comparable facts (one per source), ignoring how the
    provider grouped sources into entries."""
    facts = []
    for r in rules or []:
        base = (int(r.get("from_port") or 0), int(r.get("to_port") or 0), str(r.get("protocol")))
        for kind in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups"):
            for source in r.get(kind) or []:
                facts.append(base + (kind, source))
        if r.get("self"):
            facts.append(base + ("self", True))
    return sorted(facts)


@reader("aws_security_group")
def security_group(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(_ec2(aws, "describe_security_groups", "SecurityGroups", GroupIds=[a["id"]]), a["id"])
    live = {"name": g["GroupName"], "description": g.get("Description"), "vpc_id": g.get("VpcId"),
            "tags_all": tags_of(g.get("Tags"))}
    for name, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        # An empty inline list: the group's rules are resources of their own (aws_vpc_security_group_*_rule,
        # aws_security_group_rule), read and compared by their own readers, not twice here.
        if a.get(name):
            mine = permissions(g.get(key) or [])
            for entry in mine:   # a group's own id as a source is the provider's `self = true`
                if entry.get("security_groups") == [a["id"]]:
                    entry.pop("security_groups")
                    entry["self"] = True
            if _flatten_rules(mine) != _flatten_rules(a.get(name)):
                live[name] = mine
    return live


@reader("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
def security_group_rule_v2(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = first(_ec2(aws, "describe_security_group_rules", "SecurityGroupRules", SecurityGroupRuleIds=[a["id"]]), a["id"])
    protocol = str(r.get("IpProtocol"))
    ported = protocol not in ("-1", "all")
    return {"security_group_id": r["GroupId"], "ip_protocol": protocol,
            "from_port": r.get("FromPort") if ported else None, "to_port": r.get("ToPort") if ported else None,
            "cidr_ipv4": r.get("CidrIpv4"), "cidr_ipv6": r.get("CidrIpv6"),
            "prefix_list_id": r.get("PrefixListId"),
            "referenced_security_group_id": (r.get("ReferencedGroupInfo") or {}).get("GroupId"),
            "description": r.get("Description"), "tags_all": tags_of(r.get("Tags"))}


@reader("aws_security_group_rule")
def security_group_rule(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    """The legacy rule resource has a synthetic id: present when its permission is in the group."""
    g = first(_ec2(aws, "describe_security_groups", "SecurityGroups", GroupIds=[a["security_group_id"]]),
              a["security_group_id"])
    key = "IpPermissions" if a.get("type") == "ingress" else "IpPermissionsEgress"
    # `self = true` is the group itself as the source, which is how EC2 lists it.
    sources = [a["source_security_group_id"]] if a.get("source_security_group_id") else []
    sources += [a["security_group_id"]] if a.get("self") else []
    wanted = set(_flatten_rules([{**a, "self": False, "security_groups": sources}]))
    live = set(_flatten_rules(permissions(g.get(key) or [])))
    if wanted and wanted <= live:
        return {}
    raise Missing(f"rule {a.get('type')} {a.get('protocol')} {a.get('from_port')}-{a.get('to_port')} not in {a['security_group_id']}")


@reader("aws_vpc_endpoint")
def vpc_endpoint(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    e = first(_ec2(aws, "describe_vpc_endpoints", "VpcEndpoints", VpcEndpointIds=[a["id"]]), a["id"])
    if e.get("State", "").lower() in ("deleted", "deleting", "failed", "rejected"):
        raise Missing(f"{a['id']} is {e['State']}")
    live = {"vpc_id": e["VpcId"], "service_name": e["ServiceName"], "vpc_endpoint_type": e.get("VpcEndpointType"),
            "tags_all": tags_of(e.get("Tags"))}
    if e.get("VpcEndpointType") == "Interface":
        live.update(private_dns_enabled=e.get("PrivateDnsEnabled"), subnet_ids=e.get("SubnetIds") or [],
                    security_group_ids=[g["GroupId"] for g in e.get("Groups") or []])
    else:
        live["route_table_ids"] = e.get("RouteTableIds") or []
    return live


@reader("aws_network_acl")
def network_acl(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    n = first(_ec2(aws, "describe_network_acls", "NetworkAcls", NetworkAclIds=[a["id"]]), a["id"])
    return {"vpc_id": n["VpcId"], "subnet_ids": [x["SubnetId"] for x in n.get("Associations") or []],
            "tags_all": tags_of(n.get("Tags"))}


@reader("aws_flow_log")
def flow_log(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    f = first(_ec2(aws, "describe_flow_logs", "FlowLogs", FlowLogIds=[a["id"]]), a["id"])
    return {"traffic_type": f.get("TrafficType"), "log_destination_type": f.get("LogDestinationType"),
            "log_destination": f.get("LogDestination"), "tags_all": tags_of(f.get("Tags"))}


@reader("aws_instance")
def instance(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    reservations = _ec2(aws, "describe_instances", "Reservations", InstanceIds=[a["id"]])
    i = first([i for r in reservations for i in r.get("Instances") or []], a["id"])
    if (i.get("State") or {}).get("Name") in ("terminated", "shutting-down"):
        raise Missing(f"{a['id']} is {(i.get('State') or {}).get('Name')}")
    # An instance's VPC security groups are its primary network interface's (as the provider reads
    # them); the instance-level list is a summary some endpoints leave empty.
    primary = [n for n in i.get("NetworkInterfaces") or [] if (n.get("Attachment") or {}).get("DeviceIndex", 0) == 0]
    groups = (primary[0].get("Groups") if primary else None) or i.get("SecurityGroups") or []
    return {"ami": i.get("ImageId"), "instance_type": i.get("InstanceType"), "subnet_id": i.get("SubnetId"),
            "vpc_security_group_ids": [g["GroupId"] for g in groups],
            "tags_all": tags_of(i.get("Tags"))}
