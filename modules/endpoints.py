"""VPC endpoints: one S3 gateway endpoint on every route table, and interface endpoints (private
DNS on) for AWS services, behind a security group that admits HTTPS from the VPC only.

Holds no routes or subnets of its own; it is given them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

HTTPS = 443


@dataclass(frozen=True)
class EndpointsProps:
    name_prefix: str
    environment: str
    region: str
    vpc_id: str
    vpc_cidr: str
    interface_subnet_ids: Sequence[str]
    gateway_route_table_ids: Sequence[str]
    interface_services: Sequence[str]
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.interface_services)) != len(self.interface_services):
            raise ValueError(f"EndpointsProps.interface_services lists a service twice: {list(self.interface_services)}")


class Endpoints(Construct):
    def __init__(self, scope: Construct, id: str, props: EndpointsProps):
        super().__init__(scope, id)
        self.props = props
        self.security_group = SecurityGroup(
            self, "Default",
            name=f"{props.name_prefix}-vpce-sg",
            description="Security group for VPC interface endpoints",
            vpc_id=props.vpc_id,
            tags=self._tags("vpce-sg"),
        )
        VpcSecurityGroupIngressRule(
            self, "https_from_vpc",
            security_group_id=self.security_group.id,
            description="Allow HTTPS from VPC IPv4 CIDR",
            cidr_ipv4=props.vpc_cidr, from_port=HTTPS, to_port=HTTPS, ip_protocol="tcp",
        )
        VpcSecurityGroupEgressRule(
            self, "all_out",
            security_group_id=self.security_group.id,
            description="Allow all outbound traffic",
            cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
        )
        self.s3_gateway = VpcEndpoint(
            self, "s3",
            vpc_id=props.vpc_id,
            service_name=self.service_name("s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=list(props.gateway_route_table_ids),
            tags=self._tags("s3-gw-endpoint"),
        )
        self.interface_endpoints: dict[str, VpcEndpoint] = {
            service: VpcEndpoint(
                self, service.replace(".", "_"),
                vpc_id=props.vpc_id,
                service_name=self.service_name(service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(props.interface_subnet_ids),
                security_group_ids=[self.security_group.id],
                tags=self._tags(f"vpce-{service}"),
            )
            for service in props.interface_services
        }

    def service_name(self, service: str) -> str:
        return f"com.amazonaws.{self.props.region}.{service}"

    def _tags(self, suffix: str) -> dict[str, str]:
        return {**self.props.tags, "Name": f"{self.props.name_prefix}-{suffix}",
                "Environment": self.props.environment, "Tier": "network-endpoints"}
