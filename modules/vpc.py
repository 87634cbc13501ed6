"""A three-tier VPC: public, private-app and private-db subnets, one of each per AZ.

Public subnets route to an internet gateway; private-app subnets to a NAT gateway in their own AZ
(or one shared NAT); private-db subnets have no IPv4 route out at all. With IPv6 on, every subnet
gets a /64 from the VPC's /56 and private tiers leave through an egress-only gateway.

Each resource declares its place in the original `vpc` module (`props.origin`): `aws_vpc.this`,
`aws_subnet.<tier>["<az index>"]`, and so on.

Holds no VPC endpoints (see `modules/endpoints.py`) and no security groups.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.egress_only_internet_gateway import EgressOnlyInternetGateway
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc as VpcResource
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

# Offsets of each tier's IPv6 /64 blocks inside the VPC's /56 (kept from the deployed layout).
IPV6_BLOCK_OFFSET = {"public": 0, "private-app": 10, "private-db": 20}
ANYWHERE_IPV4 = "0.0.0.0/0"
ANYWHERE_IPV6 = "::/0"


@dataclass(frozen=True)
class VpcProps:
    naming: Naming
    origin: Origin
    cidr: str
    azs: Sequence[str]
    public_subnet_cidrs: Sequence[str]
    private_app_subnet_cidrs: Sequence[str]
    private_db_subnet_cidrs: Sequence[str]
    enable_ipv6: bool = False
    nat_gateway_per_az: bool = True

    def __post_init__(self) -> None:
        for name in ("public_subnet_cidrs", "private_app_subnet_cidrs", "private_db_subnet_cidrs"):
            if len(getattr(self, name)) != len(self.azs):
                raise ValueError(f"VpcProps.{name}: one CIDR per AZ is expected ({len(self.azs)} AZs)")


def az_letter(az: str) -> str:
    return az[-1]


def state_name(tier: str) -> str:
    """The original module's name for a tier (`private-app` -> `private_app`)."""
    return tier.replace("-", "_")


class Vpc(Construct):
    """The VPC and its subnets, gateways and routes. Subnet lists are ordered as `props.azs`."""

    def __init__(self, scope: Construct, id: str, props: VpcProps):
        super().__init__(scope, id)
        self.props = props
        origin = props.origin
        self.vpc = origin.carry(VpcResource(
            self, "Default",
            cidr_block=props.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            assign_generated_ipv6_cidr_block=props.enable_ipv6,
            tags=props.naming.tags_for("vpc", Module="vpc", Tier="network"),
            # As deployed: IPv6 is switched per environment without replacing the VPC.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True,
                                                 ignore_changes=["assign_generated_ipv6_cidr_block"]),
        ), "this")
        self.internet_gateway = origin.carry(InternetGateway(
            self, "internet_gateway", vpc_id=self.vpc.id, tags=props.naming.tags_for("igw")), "this")
        self.egress_only_gateway = (
            origin.carry(EgressOnlyInternetGateway(self, "egress_only_gateway", vpc_id=self.vpc.id,
                                                   tags=props.naming.tags_for("eigw")), "this", 0)
            if props.enable_ipv6 else None
        )
        self.public_subnets = self._subnets("public", props.public_subnet_cidrs, public=True)
        self.private_app_subnets = self._subnets("private-app", props.private_app_subnet_cidrs)
        self.private_db_subnets = self._subnets("private-db", props.private_db_subnet_cidrs)
        self.nat_gateways = self._nat_gateways()
        self.public_route_table = self._public_routes()
        self.private_app_route_tables = self._private_routes("private-app", self.private_app_subnets, via_nat=True)
        self.private_db_route_tables = self._private_routes("private-db", self.private_db_subnets, via_nat=False)

    # ------------------------------------------------------------------ public attributes

    @property
    def cidr_block(self) -> str:
        return self.vpc.cidr_block

    @property
    def ipv6_cidr_block(self) -> str | None:
        """None when IPv6 is off."""
        return self.vpc.ipv6_cidr_block if self.egress_only_gateway else None

    @property
    def public_route_table_id(self) -> str:
        return self.public_route_table.id

    @property
    def vpc_id(self) -> str:
        return self.vpc.id

    @property
    def private_app_subnet_ids(self) -> list[str]:
        return [s.id for s in self.private_app_subnets]

    @property
    def private_db_subnet_ids(self) -> list[str]:
        return [s.id for s in self.private_db_subnets]

    @property
    def route_table_ids(self) -> list[str]:
        """Every route table, public first, then private-app and private-db in AZ order."""
        return [self.public_route_table.id] + [rt.id for rt in self.private_app_route_tables] + [
            rt.id for rt in self.private_db_route_tables]

    # ------------------------------------------------------------------ building blocks
    def _subnets(self, tier: str, cidrs: Sequence[str], public: bool = False) -> list[Subnet]:
        ipv6, origin, naming = self.props.enable_ipv6, self.props.origin, self.props.naming
        subnets = []
        for i, (cidr, az) in enumerate(zip(cidrs, self.props.azs)):
            subnets.append(origin.carry(Subnet(
                self, f"{tier}_{i}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=az,
                map_public_ip_on_launch=True if public else None,
                assign_ipv6_address_on_creation=ipv6,
                ipv6_cidr_block=(Fn.cidrsubnet(self.vpc.ipv6_cidr_block, 8, IPV6_BLOCK_OFFSET[tier] + i)
                                 if ipv6 else None),
                tags=naming.tags_for(f"{tier}-{az_letter(az)}", Tier=tier),
            ), state_name(tier), str(i)))
        return subnets

    def _nat_gateways(self) -> list[NatGateway]:
        """One NAT per AZ, or one in the first public subnet shared by all AZs."""
        hosts = self.public_subnets if self.props.nat_gateway_per_az else self.public_subnets[:1]
        origin, naming = self.props.origin, self.props.naming
        gateways = []
        for i, subnet in enumerate(hosts):
            letter = az_letter(self.props.azs[i])
            eip = origin.carry(Eip(self, f"nat_eip_{i}", domain="vpc", tags=naming.tags_for(f"nat-eip-{letter}")),
                               "nat", str(i))
            gateways.append(origin.carry(NatGateway(self, f"nat_{i}", allocation_id=eip.id, subnet_id=subnet.id,
                                                    tags=naming.tags_for(f"nat-{letter}")), "this", str(i)))
        return gateways

    def _public_routes(self) -> RouteTable:
        origin, naming = self.props.origin, self.props.naming
        table = origin.carry(RouteTable(self, "public", vpc_id=self.vpc.id,
                                        tags=naming.tags_for("public-rt", Tier="public")), "public")
        origin.carry(Route(self, "public_ipv4_default", route_table_id=table.id, destination_cidr_block=ANYWHERE_IPV4,
                           gateway_id=self.internet_gateway.id), "public_ipv4_default")
        if self.egress_only_gateway is not None:
            origin.carry(Route(self, "public_ipv6_default", route_table_id=table.id,
                               destination_ipv6_cidr_block=ANYWHERE_IPV6, gateway_id=self.internet_gateway.id),
                         "public_ipv6_default", 0)
        for i, subnet in enumerate(self.public_subnets):
            origin.carry(RouteTableAssociation(self, f"public_{i}_association", subnet_id=subnet.id,
                                               route_table_id=table.id), "public", str(i))
        return table

    def _private_routes(self, tier: str, subnets: list[Subnet], via_nat: bool) -> list[RouteTable]:
        """One route table per subnet, so each AZ keeps its own NAT (AZ-symmetric egress)."""
        origin, naming, name = self.props.origin, self.props.naming, state_name(tier)
        tables = []
        for i, subnet in enumerate(subnets):
            letter, key = az_letter(self.props.azs[i]), str(i)
            table = origin.carry(RouteTable(self, f"{tier}_{i}_rt", vpc_id=self.vpc.id,
                                            tags=naming.tags_for(f"{tier}-{letter}-rt", Tier=tier)), name, key)
            if via_nat and self.nat_gateways:
                nat = self.nat_gateways[min(i, len(self.nat_gateways) - 1)]
                origin.carry(Route(self, f"{tier}_{i}_ipv4_default", route_table_id=table.id,
                                   destination_cidr_block=ANYWHERE_IPV4, nat_gateway_id=nat.id),
                             f"{name}_ipv4_default", key)
            if self.egress_only_gateway is not None:
                origin.carry(Route(self, f"{tier}_{i}_ipv6_default", route_table_id=table.id,
                                   destination_ipv6_cidr_block=ANYWHERE_IPV6,
                                   egress_only_gateway_id=self.egress_only_gateway.id), f"{name}_ipv6_default", key)
            origin.carry(RouteTableAssociation(self, f"{tier}_{i}_association", subnet_id=subnet.id,
                                               route_table_id=table.id), name, key)
            tables.append(table)
        return tables

