"""A Cloud Map private DNS namespace in one VPC, and one service registration per name in it:
multivalue A records with one TTL. As deployed, no health check (ECS registers and deregisters the
tasks); with `ecs_health` the registrations take a custom health check that the ECS agent reports.

Each resource declares its place in the original `cloud-map` module (`props.origin`).

Holds no ECS services and no instances: the application layer registers tasks into these services.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.service_discovery_private_dns_namespace import ServiceDiscoveryPrivateDnsNamespace
from cdktf_cdktf_provider_aws.service_discovery_service import (
    ServiceDiscoveryService,
    ServiceDiscoveryServiceDnsConfig,
    ServiceDiscoveryServiceDnsConfigDnsRecords,
    ServiceDiscoveryServiceHealthCheckCustomConfig,
)
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

RECORD_TYPE = "A"
ROUTING_POLICY = "MULTIVALUE"


@dataclass(frozen=True)
class ServiceDiscoveryProps:
    naming: Naming
    origin: Origin
    vpc_id: str
    namespace: str
    services: Sequence[str]
    dns_ttl: int
    ecs_health: bool = False    # health_check_custom_config: ECS reports each task's health (A56)

    def __post_init__(self) -> None:
        if len(set(self.services)) != len(self.services):
            raise ValueError(f"ServiceDiscoveryProps.services: a name is listed twice: {list(self.services)}")


class ServiceDiscovery(Construct):
    """`namespace`, and `services`: {name: ServiceDiscoveryService} in the order given."""

    def __init__(self, scope: Construct, id: str, props: ServiceDiscoveryProps):
        super().__init__(scope, id)
        self.props = props
        self.namespace = props.origin.carry(ServiceDiscoveryPrivateDnsNamespace(
            self, "Default",
            name=props.namespace,
            description="PetClinic 마이크로서비스 서비스 디스커버리",
            vpc=props.vpc_id,
            tags=props.naming.tags_for("service-discovery", Type="service-discovery"),
        ), "this")
        self.services = {name: self._service(name) for name in props.services}

    @property
    def namespace_id(self) -> str:
        return self.namespace.id

    @property
    def namespace_name(self) -> str:
        return self.namespace.name

    def _service(self, name: str) -> ServiceDiscoveryService:
        props = self.props
        return props.origin.carry(ServiceDiscoveryService(
            self, name,
            name=name,
            dns_config=ServiceDiscoveryServiceDnsConfig(
                namespace_id=self.namespace.id,
                dns_records=[ServiceDiscoveryServiceDnsConfigDnsRecords(ttl=props.dns_ttl, type=RECORD_TYPE)],
                routing_policy=ROUTING_POLICY,
            ),
            # Changing this block replaces the registration (ForceNew): left out entirely as deployed.
            health_check_custom_config=ServiceDiscoveryServiceHealthCheckCustomConfig() if props.ecs_health else None,
            tags=props.naming.tags_for(f"{name}-service", Service=name, Type="service-discovery"),
        ), "microservices", name)

    def dns_name(self, service: str) -> str:
        return f"{service}.{self.props.namespace}"
