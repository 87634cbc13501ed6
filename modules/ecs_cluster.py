"""The ECS cluster the services run in, with Container Insights as configured and, when given, its
Fargate capacity providers and their default strategy (none is deployed: the services use launch
type FARGATE)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_cluster_capacity_providers import (
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
)
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin, created


@dataclass(frozen=True)
class ClusterProps:
    naming: Naming
    origin: Origin
    container_insights: bool = True
    # capacity provider -> (base, weight); empty: no capacity providers
    capacity_providers: Mapping[str, tuple[int, int]] = field(default_factory=dict)


class Cluster(Construct):
    def __init__(self, scope: Construct, id: str, props: ClusterProps):
        super().__init__(scope, id)
        self.cluster = props.origin.carry(EcsCluster(
            self, "Default",
            name=props.naming.name("cluster"),
            setting=[EcsClusterSetting(name="containerInsights",
                                       value="enabled" if props.container_insights else "disabled")],
            tags=props.naming.tags_for(),
        ), "cluster")
        # What a service that uses the capacity providers must wait for.
        self.ready: list[EcsClusterCapacityProviders] = []
        if props.capacity_providers:
            self.ready.append(created(EcsClusterCapacityProviders(
                self, "capacity_providers",
                cluster_name=self.cluster.name,
                capacity_providers=sorted(props.capacity_providers),
                default_capacity_provider_strategy=[
                    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(
                        capacity_provider=name, base=base, weight=weight)
                    for name, (base, weight) in sorted(props.capacity_providers.items())],
            ), "no capacity providers were deployed (the services used launch type FARGATE)"))

    @property
    def name(self) -> str:
        return self.cluster.name

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def arn(self) -> str:
        return self.cluster.arn
