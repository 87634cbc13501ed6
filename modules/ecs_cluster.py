"""The ECS cluster the services run in, with Container Insights as configured.

Holds no capacity providers: the services use launch type FARGATE (as deployed; the design
document's FARGATE_SPOT is not)."""
from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin


@dataclass(frozen=True)
class ClusterProps:
    naming: Naming
    origin: Origin
    container_insights: bool = True


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

    @property
    def name(self) -> str:
        return self.cluster.name

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def arn(self) -> str:
        return self.cluster.arn
