"""Layer 01-network: the VPC and its endpoints. Reads no other layer.

The interface endpoints are those `network.interface_endpoint_services` lists, and, while the GenAI
function's egress is private (`lambda_genai.private_egress`: 443 to the endpoints only), the two
APIs it calls (bedrock-runtime, rds-data), so that the switch stands alone.

Addresses: the constructs declare where each resource was in the original `module.vpc` and
`module.vpc_endpoints`; the original's unused `random_id` leaves the state without being destroyed.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf import Token

from layers.base import LayerStack, StateRemoval
from layers.contracts.network import OUTPUTS, SERVICE_OUTPUTS
from modules.endpoints import Endpoints, EndpointsProps
from modules.origin import Origin
from modules.vpc import Vpc, VpcProps
from settings import Environment


# The AWS APIs the GenAI function calls over HTTPS (functions/genai), reached through interface
# endpoints when its security group sends 443 to the endpoints only.
GENAI_ENDPOINT_SERVICES = ("bedrock-runtime", "rds-data")


def interface_endpoint_services(env: Environment) -> tuple[str, ...]:
    """The interface endpoints of the environment: its list, then what the private GenAI function needs."""
    needed = GENAI_ENDPOINT_SERVICES if env.lambda_genai.private_egress else ()
    return tuple(dict.fromkeys((*env.network.interface_endpoint_services, *needed)))


class NetworkStack(LayerStack):
    layer = "01-network"
    outputs = OUTPUTS

    def build(self) -> None:
        net = self.env.network
        self.vpc = Vpc(self, "vpc", VpcProps(
            naming=self.naming,
            origin=Origin("module.vpc"),
            cidr=str(net.vpc_cidr),
            azs=net.azs,
            public_subnet_cidrs=[str(c) for c in net.public_subnet_cidrs],
            private_app_subnet_cidrs=[str(c) for c in net.private_app_subnet_cidrs],
            private_db_subnet_cidrs=[str(c) for c in net.private_db_subnet_cidrs],
            enable_ipv6=net.enable_ipv6,
            nat_gateway_per_az=net.nat_gateway_per_az,
        ))
        self.endpoints = Endpoints(self, "endpoints", EndpointsProps(
            naming=self.naming,
            origin=Origin("module.vpc_endpoints"),
            region=self.env.region,
            vpc_id=self.vpc.vpc_id,
            vpc_cidr=str(net.vpc_cidr),
            interface_subnet_ids=self.vpc.private_app_subnet_ids,
            gateway_route_table_ids=self.vpc.route_table_ids,
            interface_services=interface_endpoint_services(self.env),
        ))

    def state_removals(self) -> list[StateRemoval]:
        return [StateRemoval("module.common.random_id.bucket_suffix",
                             "unused suffix of the original common module; the random provider is not needed")]

    def output_values(self) -> Mapping[str, Any]:
        vpc, endpoints = self.vpc, self.endpoints
        by_index = lambda resources: {str(i): r.id for i, r in enumerate(resources)}  # noqa: E731
        return {
            "vpc_id": vpc.vpc_id,
            "vpc_cidr": vpc.cidr_block,
            "vpc_ipv6_cidr": vpc.ipv6_cidr_block or Token.null_value(),
            "public_subnet_ids": by_index(vpc.public_subnets),
            "private_app_subnet_ids": by_index(vpc.private_app_subnets),
            "private_db_subnet_ids": by_index(vpc.private_db_subnets),
            "public_route_table_id": vpc.public_route_table_id,
            "private_app_route_table_ids": by_index(vpc.private_app_route_tables),
            "private_db_route_table_ids": by_index(vpc.private_db_route_tables),
            "nat_gateway_ids": by_index(vpc.nat_gateways),
            "vpce_security_group_id": endpoints.security_group_id,
            "s3_gateway_endpoint_id": endpoints.s3_gateway.id,
            "interface_endpoint_ids": {endpoints.service_name(s): e.id for s, e in endpoints.interface_endpoints.items()},
            **{name: (endpoints.interface_endpoints[service].id if service in endpoints.interface_endpoints
                      else Token.null_value())
               for name, service in SERVICE_OUTPUTS.items()},
        }
