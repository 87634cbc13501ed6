"""Layer 01-network: the VPC and its endpoints. Reads no other layer.

Addresses: every original `module.vpc.*` / `module.vpc_endpoints.*` instance moves to a flat
address of this stack (`ORIGINAL_ADDRESSES` below); the original's unused `random_id` leaves the
state without being destroyed.
"""
from __future__ import annotations

from cdktf import Token
from constructs import Construct

from layers.base import LayerStack, StateRemoval
from modules.endpoints import Endpoints, EndpointsProps
from modules.vpc import Vpc, VpcProps
from settings import Environment

# Per-service convenience outputs, by the short service name they carry.
SERVICE_OUTPUTS = {
    "ssm_vpc_endpoint_id": "ssm",
    "secretsmanager_vpc_endpoint_id": "secretsmanager",
    "ecr_api_vpc_endpoint_id": "ecr.api",
    "ecr_dkr_vpc_endpoint_id": "ecr.dkr",
    "logs_vpc_endpoint_id": "logs",
    "xray_vpc_endpoint_id": "xray",
    "kms_vpc_endpoint_id": "kms",
    "monitoring_vpc_endpoint_id": "monitoring",
}


class NetworkStack(LayerStack):
    layer = "01-network"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        net = env.network
        tags = self.module_tags(component="networking")
        self.vpc = Vpc(self, "vpc", VpcProps(
            name_prefix=env.name_prefix,
            environment=env.environment,
            cidr=str(net.vpc_cidr),
            azs=net.azs,
            public_subnet_cidrs=[str(c) for c in net.public_subnet_cidrs],
            private_app_subnet_cidrs=[str(c) for c in net.private_app_subnet_cidrs],
            private_db_subnet_cidrs=[str(c) for c in net.private_db_subnet_cidrs],
            enable_ipv6=net.enable_ipv6,
            nat_gateway_per_az=net.nat_gateway_per_az,
            tags=tags,
        ))
        self.endpoints = Endpoints(self, "endpoints", EndpointsProps(
            name_prefix=env.name_prefix,
            environment=env.environment,
            region=env.region,
            vpc_id=self.vpc.vpc_id,
            vpc_cidr=str(net.vpc_cidr),
            interface_subnet_ids=self.vpc.private_app_subnet_ids,
            gateway_route_table_ids=self.vpc.route_table_ids,
            interface_services=net.interface_endpoint_services,
            tags=tags,
        ))
        self._outputs()
        self.carry_over_state(original_addresses(env), [
            StateRemoval("module.common.random_id.bucket_suffix",
                         "unused suffix of the original common module; the random provider is not needed"),
        ])

    def _outputs(self) -> None:
        vpc, endpoints = self.vpc, self.endpoints
        by_index = lambda resources: {str(i): r.id for i, r in enumerate(resources)}  # noqa: E731
        self.output("vpc_id", vpc.vpc_id, "VPC ID")
        self.output("vpc_cidr", vpc.vpc.cidr_block, "VPC IPv4 CIDR block")
        self.output("vpc_ipv6_cidr", vpc.vpc.ipv6_cidr_block if vpc.egress_only_gateway else Token.null_value(),
                    "VPC IPv6 CIDR block (null when IPv6 is off)")
        self.output("public_subnet_ids", by_index(vpc.public_subnets), "Public subnet IDs keyed by AZ index")
        self.output("private_app_subnet_ids", by_index(vpc.private_app_subnets),
                    "Private app subnet IDs keyed by AZ index")
        self.output("private_db_subnet_ids", by_index(vpc.private_db_subnets),
                    "Private DB subnet IDs keyed by AZ index")
        self.output("public_route_table_id", vpc.public_route_table.id, "Public route table ID")
        self.output("private_app_route_table_ids", by_index(vpc.private_app_route_tables),
                    "Private app route table IDs keyed by AZ index")
        self.output("private_db_route_table_ids", by_index(vpc.private_db_route_tables),
                    "Private DB route table IDs keyed by AZ index")
        self.output("nat_gateway_ids", by_index(vpc.nat_gateways), "NAT gateway IDs keyed by AZ index")
        self.output("vpce_security_group_id", endpoints.security_group.id,
                    "Security group of the interface endpoints")
        self.output("s3_gateway_endpoint_id", endpoints.s3_gateway.id, "S3 gateway endpoint ID")
        self.output("interface_endpoint_ids",
                    {endpoints.service_name(s): e.id for s, e in endpoints.interface_endpoints.items()},
                    "Interface endpoint IDs keyed by full service name")
        for name, service in SERVICE_OUTPUTS.items():
            endpoint = endpoints.interface_endpoints.get(service)
            self.output(name, endpoint.id if endpoint else Token.null_value(),
                        f"Interface endpoint ID of {service} (null when it is not configured)")


def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state, for every instance this layer keeps."""
    net = env.network
    moves = {
        "aws_vpc.vpc": "module.vpc.aws_vpc.this",
        "aws_internet_gateway.vpc_internet_gateway": "module.vpc.aws_internet_gateway.this",
        "aws_route_table.vpc_public": "module.vpc.aws_route_table.public",
        "aws_route.vpc_public_ipv4_default": "module.vpc.aws_route.public_ipv4_default",
        "aws_security_group.endpoints": "module.vpc_endpoints.aws_security_group.vpce",
        "aws_vpc_security_group_ingress_rule.endpoints_https_from_vpc":
            "module.vpc_endpoints.aws_vpc_security_group_ingress_rule.vpce_https_ipv4",
        "aws_vpc_security_group_egress_rule.endpoints_all_out":
            "module.vpc_endpoints.aws_vpc_security_group_egress_rule.vpce_all_out",
        "aws_vpc_endpoint.endpoints_s3": "module.vpc_endpoints.aws_vpc_endpoint.s3",
    }
    if net.enable_ipv6:
        moves["aws_egress_only_internet_gateway.vpc_egress_only_gateway"] = \
            "module.vpc.aws_egress_only_internet_gateway.this[0]"
        moves["aws_route.vpc_public_ipv6_default"] = "module.vpc.aws_route.public_ipv6_default[0]"
    for i in range(len(net.azs)):
        key = f'["{i}"]'
        for tier, name in (("public", "public"), ("private-app", "private_app"), ("private-db", "private_db")):
            ours = f"vpc_{tier.replace('-', '_')}_{i}"
            moves[f"aws_subnet.{ours}"] = f"module.vpc.aws_subnet.{name}{key}"
            moves[f"aws_route_table_association.{ours}_association"] = \
                f"module.vpc.aws_route_table_association.{name}{key}"
            if tier != "public":
                moves[f"aws_route_table.{ours}_rt"] = f"module.vpc.aws_route_table.{name}{key}"
            if tier != "public" and net.enable_ipv6:
                moves[f"aws_route.{ours}_ipv6_default"] = f"module.vpc.aws_route.{name}_ipv6_default{key}"
        moves[f"aws_route.vpc_private_app_{i}_ipv4_default"] = f"module.vpc.aws_route.private_app_ipv4_default{key}"
        if net.nat_gateway_per_az or i == 0:
            moves[f"aws_eip.vpc_nat_eip_{i}"] = f"module.vpc.aws_eip.nat{key}"
            moves[f"aws_nat_gateway.vpc_nat_{i}"] = f"module.vpc.aws_nat_gateway.this{key}"
    for service in net.interface_endpoint_services:
        moves[f"aws_vpc_endpoint.endpoints_{service.replace('.', '_')}"] = \
            f'module.vpc_endpoints.aws_vpc_endpoint.interface["com.amazonaws.{env.region}.{service}"]'
    return moves
