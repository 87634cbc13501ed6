"""Checks of §3.1–§3.3 of the design: the VPC, its subnets, gateways and routes (A01–A14)."""
from __future__ import annotations

from ipaddress import ip_network

from tools.design.checks import check
from tools.design.checks.finders import (INTERNET_TARGETS, TIER_OUTPUTS, TIERS, genai_functions, pointed,
                                         route_tables_of, routes_of, subnets_of_tier, tier_of)
from tools.design.checks.fixtures_s03_s06 import APP, NET, NETWORK, PLACED
from tools.design.checks.primitives import absent, added, changed, every, expect, fixture, tags_name, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_VPC = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True,
                                       "enable_dns_support": True}))


@check("A01", passing=[_VPC], failing=[changed(_VPC, NET, "aws_vpc.vpc", cidr_block="10.1.0.0/16"),
                                        fixture((NET, "aws_subnet.a", {"cidr_block": "10.0.1.0/24"}))])
def vpc_cidr(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_vpc"), "aws_vpc", lambda vpc: expect(vpc, "cidr_block", "10.0.0.0/16"))


@check("A02", passing=[NETWORK], failing=[changed(NETWORK, NET, "aws_subnet.db_1", availability_zone="us-west-2c"),
                                           _VPC])
def two_oregon_azs(stacks: Stacks) -> Verdict:
    subnets = stacks.resources("aws_subnet")
    if not subnets:
        return failed("found no aws_subnet")
    zones = sorted({str(s.body.get("availability_zone")) for s in subnets})
    evidence = f"the {len(subnets)} aws_subnet of {', '.join(sorted({s.layer for s in subnets}))} use {zones}"
    if zones == ["us-west-2a", "us-west-2b"]:
        return passed(evidence)
    return failed(evidence + ", expected ['us-west-2a', 'us-west-2b']")


@check("A03", passing=[_VPC], failing=[changed(_VPC, NET, "aws_vpc.vpc", enable_dns_hostnames=False),
                                        changed(_VPC, NET, "aws_vpc.vpc", enable_dns_support=False)])
def vpc_dns(stacks: Stacks) -> Verdict:
    # Unset, the provider's enable_dns_support is true and enable_dns_hostnames false.
    return every(stacks.resources("aws_vpc"), "aws_vpc", lambda vpc: combine([
        expect(vpc, "enable_dns_hostnames", True, absent_means=False),
        expect(vpc, "enable_dns_support", True, absent_means=True)]))


@check("A04", passing=[NETWORK], failing=[
    changed(NETWORK, NET, "aws_vpc.vpc", assign_generated_ipv6_cidr_block=True),
    fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}),
            (NET, "aws_egress_only_internet_gateway.eigw", {"vpc_id": "${aws_vpc.vpc.id}"}))])
def ipv4_only(stacks: Stacks) -> Verdict:
    vpcs = every(stacks.resources("aws_vpc"), "aws_vpc",
                 lambda vpc: expect(vpc, "assign_generated_ipv6_cidr_block", False, absent_means=False))
    return combine([vpcs,
                    absent(stacks, "aws_subnet", "with an IPv6 block", lambda s: bool(s.body.get("ipv6_cidr_block"))),
                    absent(stacks, "aws_egress_only_internet_gateway", "(an IPv6 egress path)"),
                    absent(stacks, "aws_route", "to ::/0", lambda r: r.body.get("destination_ipv6_cidr_block") == "::/0")])


def _tier(stacks: Stacks, tier: str) -> Verdict:
    """The tier's subnets (01-network's output): at least two, in as many AZs; the design's CIDRs
    where the VPC is the design's 10.0.0.0/16, else /24s inside the environment's own VPC (A01's reading)."""
    subnets = subnets_of_tier(stacks, tier)
    if len(subnets) < 2:
        return failed(f"found {len(subnets)} {tier} subnets (01-network output {TIER_OUTPUTS[tier]}), expected two")
    zones = sorted({str(s.body.get("availability_zone")) for s in subnets})
    cidrs = sorted(str(s.body.get("cidr_block")) for s in subnets)
    listed = ", ".join(f"{s.where} {s.body.get('cidr_block')} in {s.body.get('availability_zone')}" for s in subnets)
    vpcs = {str(v.body.get("cidr_block")) for v in stacks.resources("aws_vpc")}
    parts = [passed(listed) if len(zones) == len(subnets) else failed(f"{listed}: not one subnet per AZ")]
    if vpcs == {"10.0.0.0/16"}:
        parts.append(passed(f"the design's {', '.join(TIERS[tier])}") if cidrs == sorted(TIERS[tier])
                     else failed(f"{tier} CIDRs {cidrs}, expected the design's {list(TIERS[tier])}"))
    else:
        inside = all(ip_network(c).prefixlen == 24 and any(ip_network(c).subnet_of(ip_network(v)) for v in vpcs)
                     for c in cidrs)
        parts.append(passed(f"/24s inside the environment's own VPC {sorted(vpcs)}") if inside
                     else failed(f"{tier} CIDRs {cidrs} are not /24s inside the VPC {sorted(vpcs)}"))
    return combine(parts)


def _default_route(stacks: Stacks, subnet: Block, target_type: str) -> Verdict:
    tables = route_tables_of(stacks, subnet)
    if not tables:
        return failed(f"{subnet.where} has no route table association (the VPC's main route table applies)")
    routes = [r for t in tables for r in routes_of(stacks, t) if r.destination == "0.0.0.0/0"]
    good = [r for r in routes if r.target is not None and r.target.type == target_type]
    if good:
        return passed(f"{subnet.where} ({subnet.body.get('cidr_block')}): {good[0].describe()}")
    return failed(f"{subnet.where} ({subnet.body.get('cidr_block')}) has no 0.0.0.0/0 route to an {target_type} "
                  f"(routes: {'; '.join(r.describe() for r in routes) or 'none'})")


def _tier_routes(stacks: Stacks, tier: str, target_type: str) -> Verdict:
    return every(subnets_of_tier(stacks, tier), f"{tier} subnets", lambda s: _default_route(stacks, s, target_type),
                 at_least=2)


_NO_IGW_ROUTE = without(NETWORK, NET, "aws_route.public_default")


@check("A05", passing=[NETWORK], failing=[changed(NETWORK, NET, "aws_subnet.public_1", cidr_block="10.0.9.0/24"),
                                           _NO_IGW_ROUTE])
def public_subnets(stacks: Stacks) -> Verdict:
    return combine([_tier(stacks, "public"), _tier_routes(stacks, "public", "aws_internet_gateway")])


@check("A06", passing=[NETWORK], failing=[changed(NETWORK, NET, "aws_subnet.app_1", availability_zone="us-west-2a"),
                                           without(NETWORK, NET, "aws_subnet.app_0")])
def private_app_subnets(stacks: Stacks) -> Verdict:
    return _tier(stacks, "private-app")


@check("A07", passing=[NETWORK], failing=[changed(NETWORK, NET, "aws_subnet.db_0", cidr_block="10.0.50.0/24")])
def private_db_subnets(stacks: Stacks) -> Verdict:
    return _tier(stacks, "private-db")


# Resources that may point at a public subnet: the ALB, the NAT gateways, and the plumbing.
_PUBLIC_PLUMBING = ("aws_lb", "aws_nat_gateway", "aws_route_table_association", "aws_network_acl",
                    "aws_network_acl_association", "aws_subnet")


@check("A08", passing=[PLACED], failing=[
    added(PLACED, (APP, "aws_instance.bastion", {
        "subnet_id": "${values(data.terraform_remote_state.network.outputs.public_subnet_ids)[0]}"})),
    changed(PLACED, APP, "aws_lb.alb", subnets="${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}")])
def public_subnets_hold_alb_and_nat(stacks: Stacks) -> Verdict:
    public = {s.where for s in subnets_of_tier(stacks, "public")}
    if not public:
        return failed("found no public subnet (01-network output public_subnet_ids)")
    albs = every(stacks.resources("aws_lb"), "aws_lb", lambda lb: _placed_in(stacks, lb, "subnets", "public"))
    nats = every(stacks.resources("aws_nat_gateway"), "aws_nat_gateway",
                 lambda nat: _placed_in(stacks, nat, "subnet_id", "public"))
    others = [f"{block.where}{tags_name(block)}" for block in stacks.all_resources() if block.type not in _PUBLIC_PLUMBING
              and any(ref.block.where in public for ref in stacks.refs(block.layer, dict(block.body)))]
    rest = failed("also in a public subnet: " + ", ".join(others)) if others else passed("nothing else in them")
    return combine([albs, nats, rest])


def _placed_in(stacks: Stacks, block: Block, path: str, tier: str) -> Verdict:
    subnets = pointed(stacks, block, path, "aws_subnet")
    tiers = sorted({tier_of(stacks, s) or str(s.body.get("cidr_block", "?")) for s in subnets})
    listed = ", ".join(f"{s.where} ({s.body.get('cidr_block')})" for s in subnets) or "no subnet it names"
    if subnets and tiers == [tier]:
        return passed(f"{block.where} {path} -> {listed}")
    return failed(f"{block.where} {path} -> {listed}, expected the {tier} subnets only")


@check("A09", passing=[PLACED], failing=[
    changed(PLACED, APP, "aws_ecs_service.customers", network_configuration={
        "assign_public_ip": True, "subnets": "${values(data.terraform_remote_state.network.outputs.public_subnet_ids)}"}),
    without(PLACED, "06-lambda-genai", "aws_lambda_function.genai")])
def app_subnets_hold_ecs_and_lambda(stacks: Stacks) -> Verdict:
    services = every(stacks.resources("aws_ecs_service"), "aws_ecs_service", lambda s: combine([
        _placed_in(stacks, s, "network_configuration.subnets", "private-app"),
        expect(s, "network_configuration.assign_public_ip", False, absent_means=False)]))
    functions = every(genai_functions(stacks), "GenAI aws_lambda_function",
                      lambda f: _placed_in(stacks, f, "vpc_config.subnet_ids", "private-app"))
    return combine([services, functions])


@check("A10", passing=[NETWORK], failing=[without(NETWORK, NET, "aws_internet_gateway.igw"),
                                           changed(NETWORK, NET, "aws_internet_gateway.igw", vpc_id=None)])
def internet_gateway(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_internet_gateway"), "aws_internet_gateway", lambda igw: (
        passed(f"{igw.where} vpc_id -> {pointed(stacks, igw, 'vpc_id', 'aws_vpc')[0].where}")
        if pointed(stacks, igw, "vpc_id", "aws_vpc") else failed(f"{igw.where} is attached to no aws_vpc")))


@check("A11", passing=[NETWORK], failing=[changed(NETWORK, NET, "aws_nat_gateway.nat_1", subnet_id="${aws_subnet.app_1.id}"),
                                           without(without(NETWORK, NET, "aws_route.app_0_default"), NET, "aws_route.app_1_default")])
def nat_for_app_egress(stacks: Stacks) -> Verdict:
    nats = every(stacks.resources("aws_nat_gateway"), "aws_nat_gateway", lambda nat: combine([
        _placed_in(stacks, nat, "subnet_id", "public"),
        passed(f"{nat.where} has an Elastic IP") if pointed(stacks, nat, "allocation_id", "aws_eip")
        else failed(f"{nat.where} has no Elastic IP (allocation_id)")]))
    return combine([nats, _tier_routes(stacks, "private-app", "aws_nat_gateway")])


@check("A12", passing=[NETWORK], failing=[_NO_IGW_ROUTE, changed(NETWORK, NET, "aws_route.public_default",
                                                                 gateway_id=None, nat_gateway_id="${aws_nat_gateway.nat_0.id}")])
def public_route_to_igw(stacks: Stacks) -> Verdict:
    return _tier_routes(stacks, "public", "aws_internet_gateway")


@check("A13", passing=[NETWORK], failing=[without(NETWORK, NET, "aws_route.app_1_default"),
                                           changed(NETWORK, NET, "aws_route.app_0_default", nat_gateway_id=None,
                                                   gateway_id="${aws_internet_gateway.igw.id}")])
def app_route_to_nat(stacks: Stacks) -> Verdict:
    return _tier_routes(stacks, "private-app", "aws_nat_gateway")


_DB_IPV6 = fixture(
    (NET, "aws_subnet.db_0", {"cidr_block": "10.0.5.0/24"}), (NET, "aws_subnet.db_1", {"cidr_block": "10.0.6.0/24"}),
    (NET, "aws_route_table.db", {}), (NET, "aws_egress_only_internet_gateway.eigw", {}),
    (NET, "aws_route_table_association.db_0", {"subnet_id": "${aws_subnet.db_0.id}", "route_table_id": "${aws_route_table.db.id}"}),
    (NET, "aws_route_table_association.db_1", {"subnet_id": "${aws_subnet.db_1.id}", "route_table_id": "${aws_route_table.db.id}"}),
    (NET, "output.private_db_subnet_ids", ["${aws_subnet.db_0.id}", "${aws_subnet.db_1.id}"]),
    (NET, "aws_route.db_v6", {"destination_ipv6_cidr_block": "::/0", "route_table_id": "${aws_route_table.db.id}",
                              "egress_only_gateway_id": "${aws_egress_only_internet_gateway.eigw.id}"}))


@check("A14", passing=[NETWORK], failing=[_DB_IPV6, without(NETWORK, NET, "aws_route_table_association.db_0")])
def db_routes_local_only(stacks: Stacks) -> Verdict:
    def local_only(subnet: Block) -> Verdict:
        tables = route_tables_of(stacks, subnet)
        if not tables:
            return failed(f"{subnet.where} has no route table association (the VPC's main route table applies)")
        outward = [r for t in tables for r in routes_of(stacks, t) if r.target is not None and r.target.type in INTERNET_TARGETS]
        if outward:
            return failed(f"{subnet.where} ({subnet.body.get('cidr_block')}) has an internet path: "
                          + "; ".join(r.describe() for r in outward))
        return passed(f"{subnet.where} ({subnet.body.get('cidr_block')}) via {', '.join(t.where for t in tables)}: "
                      "no route to an internet, NAT or egress-only gateway")
    return every(subnets_of_tier(stacks, "private-db"), "private DB subnets", local_only, at_least=2)
