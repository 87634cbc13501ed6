"""Pricing rules of the network and the load balancer: NAT gateways, public IPv4 addresses,
interface endpoints (per zone), the ALB. Gateway endpoints are free, said so on their line."""
from __future__ import annotations

from tools.cost.charges import Charge, Context, Unpriced
from tools.cost.stacks import Instance


def _interface_endpoints(ctx: Context) -> int:
    return sum(1 for i in ctx.stacks.of_type("aws_vpc_endpoint") if i.body.get("vpc_endpoint_type") == "Interface")


def nat_gateway(i: Instance, ctx: Context) -> list[Charge]:
    gb, why = ctx.shared("nat_gb", len(ctx.stacks.of_type("aws_nat_gateway")), "NAT gateways")
    return [Charge("gateway-hours", ctx.hours, "nat_gateway_hour", "fixed", "NAT gateway"),
            Charge("GB processed", gb, "nat_gateway_gb", "usage", "NAT gateway", why)]


def eip(i: Instance, ctx: Context) -> list[Charge]:
    return [Charge("public IPv4 address-hours", ctx.hours, "public_ipv4_hour", "fixed", "Public IPv4")]


def vpc_endpoint(i: Instance, ctx: Context) -> list[Charge]:
    if i.body.get("vpc_endpoint_type", "Gateway") == "Gateway":
        return [Charge("gateway endpoint", 0, None, "free", "VPC endpoints",
                       "gateway endpoints (S3, DynamoDB) have no hourly or per-GB charge")]
    subnets = i.body.get("subnet_ids")
    if isinstance(subnets, list):
        zones, how = len(subnets), f"{len(subnets)} subnets listed"
    else:
        zones, how = ctx.zones()
    gb, why = ctx.shared("vpce_gb", _interface_endpoints(ctx), "interface endpoints")
    return [Charge(f"endpoint-hours x {zones} zones", ctx.hours * zones, "vpce_interface_az_hour", "fixed",
                   "VPC endpoints", how),
            Charge("GB processed", gb, "vpce_interface_gb", "usage", "VPC endpoints", why)]


def load_balancer(i: Instance, ctx: Context) -> list[Charge]:
    if i.body.get("load_balancer_type", "application") != "application":
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: load_balancer_type "
                       f"{i.body.get('load_balancer_type')} has no price (only application)")
    lcu, why = ctx.figure("alb_lcu")
    out, out_why = ctx.figure("internet_out_gb")
    charges = [Charge("load balancer-hours", ctx.hours, "alb_hour", "fixed", "ALB"),
               Charge("LCU-hours", lcu * ctx.hours, "alb_lcu_hour", "usage", "ALB", why),
               Charge("GB out to the internet", out, "internet_out_gb", "usage", "Data transfer out", out_why)]
    if not i.body.get("internal", False):
        subnets = i.body.get("subnets")
        zones, how = (len(subnets), "subnets listed") if isinstance(subnets, list) else ctx.zones()
        charges.append(Charge(f"public IPv4 address-hours x {zones} zones", ctx.hours * zones, "public_ipv4_hour",
                              "fixed", "ALB", f"an internet-facing ALB holds one public IPv4 address per zone ({how})"))
    return charges


