"""VPC endpoints: one S3 gateway endpoint on every route table, and interface endpoints (private
DNS on) for AWS services, behind a security group that admits HTTPS from the VPC only.

Each resource declares its place in the original `endpoints` module (`props.origin`); interface
endpoints were keyed there by the full service name.

Holds no routes or subnets of its own; it is given them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

HTTPS = 443


@dataclass(frozen=True)
class EndpointsProps:
    naming: Naming
    origin: Origin
    region: str
    vpc_id: str
    vpc_cidr: str
    interface_subnet_ids: Sequence[str]
    gateway_route_table_ids: Sequence[str]
    interface_services: Sequence[str]

    def __post_init__(self) -> None:
        if len(set(self.interface_services)) != len(self.interface_services):
            raise ValueError(f"EndpointsProps.interface_services lists a service twice: {list(self.interface_services)}")


class Endpoints(Construct):
    def __init__(self, scope: Construct, id: str, props: EndpointsProps):
        super().__init__(scope, id)
        self.props = props
        origin, naming = props.origin, props.naming.with_tags(Tier="network-endpoints")
        self.security_group = origin.carry(SecurityGroup(
            self, "Default",
            name=naming.name("vpce-sg"),
            description="Security group for VPC interface endpoints",
            vpc_id=props.vpc_id,
            tags=naming.tags_for("vpce-sg"),
        ), "vpce")
        origin.carry(VpcSecurityGroupIngressRule(
            self, "https_from_vpc",
            security_group_id=self.security_group.id,
            description="Allow HTTPS from VPC IPv4 CIDR",
            cidr_ipv4=props.vpc_cidr, from_port=HTTPS, to_port=HTTPS, ip_protocol="tcp",
        ), "vpce_https_ipv4")
        origin.carry(VpcSecurityGroupEgressRule(
            self, "all_out",
            security_group_id=self.security_group.id,
            description="Allow all outbound traffic",
            cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
        ), "vpce_all_out")
        self.s3_gateway = origin.carry(VpcEndpoint(
            self, "s3",
            vpc_id=props.vpc_id,
            service_name=self.service_name("s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=list(props.gateway_route_table_ids),
            tags=naming.tags_for("s3-gw-endpoint"),
        ), "s3")
        self.interface_endpoints: dict[str, VpcEndpoint] = {
            service: origin.carry(VpcEndpoint(
                self, service.replace(".", "_"),
                vpc_id=props.vpc_id,
                service_name=self.service_name(service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(props.interface_subnet_ids),
                security_group_ids=[self.security_group.id],
                tags=naming.tags_for(f"vpce-{service}"),
            ), "interface", self.service_name(service))
            for service in props.interface_services
        }

    @property
    def security_group_id(self) -> str:
        return self.security_group.id

    def service_name(self, service: str) -> str:
        return f"com.amazonaws.{self.props.region}.{service}"
