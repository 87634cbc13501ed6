"""Layer 05-cloud-map: service discovery for the microservices (it replaced Eureka). Reads
01-network (the VPC).

Addresses: the `ServiceDiscovery` construct declares where each resource was in `module.cloud_map`
(the namespace, and one service per name, keyed by the name).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers.base import LayerStack
from layers.contracts import network
from layers.contracts.cloud_map import OUTPUTS
from modules.origin import Origin
from modules.service_discovery import ServiceDiscovery, ServiceDiscoveryProps


class CloudMapStack(LayerStack):
    layer = "05-cloud-map"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        cm = self.env.cloud_map
        net = self.read(network.OUTPUTS)
        self.discovery = ServiceDiscovery(self, "cloud_map", ServiceDiscoveryProps(
            naming=self.naming,
            origin=Origin("module.cloud_map"),
            vpc_id=net.string("vpc_id"),
            namespace=cm.namespace,
            services=cm.services,
            dns_ttl=cm.dns_ttl,
            ecs_health=cm.ecs_health_checks,
        ))

    def output_values(self) -> Mapping[str, Any]:
        d = self.discovery
        return {
            "namespace_id": d.namespace_id,
            "namespace_name": d.namespace_name,
            "service_ids": {n: s.id for n, s in sorted(d.services.items())},
            "service_arns": {n: s.arn for n, s in sorted(d.services.items())},
            "service_dns_names": {n: d.dns_name(n) for n in sorted(d.services)},
        }
