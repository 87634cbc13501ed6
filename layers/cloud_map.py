"""Layer 05-cloud-map: service discovery for the microservices (it replaced Eureka). Reads
01-network (the VPC).

Addresses: `module.cloud_map.*` instances move to flat addresses: the namespace to
`aws_service_discovery_private_dns_namespace.cloud_map`, each service to
`aws_service_discovery_service.cloud_map_<name>`.
"""
from __future__ import annotations

from constructs import Construct

from layers.base import LayerStack
from modules.service_discovery import ServiceDiscovery, ServiceDiscoveryProps
from settings import Environment


class CloudMapStack(LayerStack):
    layer = "05-cloud-map"
    deployed_layer_tag = "01-network"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        cm = env.cloud_map
        network = self.remote_state("network", "01-network")
        self.discovery = ServiceDiscovery(self, "cloud_map", ServiceDiscoveryProps(
            name_prefix=env.name_prefix,
            environment=env.environment,
            vpc_id=network.get_string("vpc_id"),
            namespace=cm.namespace,
            services=cm.services,
            dns_ttl=cm.dns_ttl,
            tags={**env.tags, "Layer": self.layer, "Component": "service-discovery", "Purpose": "eureka-replacement"},
        ))
        self._outputs()
        self.carry_over_state(original_addresses(env))

    def _outputs(self) -> None:
        d = self.discovery
        self.output("namespace_id", d.namespace.id, "Private DNS namespace ID")
        self.output("namespace_name", d.namespace.name, "Private DNS namespace name")
        self.output("service_ids", {n: s.id for n, s in sorted(d.services.items())}, "Service IDs by service name")
        self.output("service_arns", {n: s.arn for n, s in sorted(d.services.items())}, "Service ARNs by service name")
        self.output("service_dns_names", {n: d.dns_name(n) for n in sorted(d.services)},
                    "DNS name of each microservice")


def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state, for every instance this layer keeps."""
    moves = {"aws_service_discovery_private_dns_namespace.cloud_map":
             "module.cloud_map.aws_service_discovery_private_dns_namespace.this"}
    for name in env.cloud_map.services:
        moves[f"aws_service_discovery_service.cloud_map_{name}"] = \
            f'module.cloud_map.aws_service_discovery_service.microservices["{name}"]'
    return moves
