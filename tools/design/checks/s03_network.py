"""Checks of §3.1–§3.3 of the design: the VPC, its subnets, gateways and routes (A01–A14)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.primitives import changed, every, expect, fixture
from tools.design.stacks import Stacks
from tools.design.verdict import Verdict, combine

NET = "01-network"
_VPC = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True,
                                       "enable_dns_support": True}))


@check("A01", passing=[_VPC], failing=[changed(_VPC, NET, "aws_vpc.vpc", cidr_block="10.1.0.0/16"),
                                        fixture((NET, "aws_subnet.a", {"cidr_block": "10.0.1.0/24"}))])
def vpc_cidr(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_vpc"), "aws_vpc", lambda vpc: expect(vpc, "cidr_block", "10.0.0.0/16"))


@check("A03", passing=[_VPC], failing=[changed(_VPC, NET, "aws_vpc.vpc", enable_dns_hostnames=False),
                                        changed(_VPC, NET, "aws_vpc.vpc", enable_dns_support=False)])
def vpc_dns(stacks: Stacks) -> Verdict:
    # enable_dns_support defaults to true in the provider; enable_dns_hostnames to false.
    return every(stacks.resources("aws_vpc"), "aws_vpc", lambda vpc: combine([
        expect(vpc, "enable_dns_hostnames", True, absent_means=False),
        expect(vpc, "enable_dns_support", True, absent_means=True)]))


_AZS = fixture((NET, "aws_subnet.public_0", {"availability_zone": "us-west-2a", "cidr_block": "10.0.1.0/24"}),
               (NET, "aws_subnet.public_1", {"availability_zone": "us-west-2b", "cidr_block": "10.0.2.0/24"}))


@check("A02", passing=[_AZS], failing=[changed(_AZS, NET, "aws_subnet.public_1", availability_zone="us-west-2c"),
                                        fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))])
def two_oregon_azs(stacks: Stacks) -> Verdict:
    subnets = stacks.resources("aws_subnet")
    if not subnets:
        return Verdict("fail", "found no aws_subnet")
    zones = {str(s.body.get("availability_zone")) for s in subnets}
    evidence = f"the {len(subnets)} aws_subnet of {', '.join(sorted({s.layer for s in subnets}))} use {sorted(zones)}"
    return Verdict("pass" if zones == {"us-west-2a", "us-west-2b"} else "fail",
                   evidence + ("" if zones == {"us-west-2a", "us-west-2b"} else ", expected ['us-west-2a', 'us-west-2b']"))
