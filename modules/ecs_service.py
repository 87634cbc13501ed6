"""One microservice on ECS Fargate, built from one entry of data: its ECR repository, log group,
task definition (one container: image, size, port, environment, secrets, awslogs), the ECS service
in the private subnets without public IPs, registered in Cloud Map and behind the ALB (a target
group with the service's health check and a path rule on the listener), CPU target-tracking
autoscaling, and the service's alarms.

Holds nothing shared between services (cluster, ALB, security groups): those come in as props.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceCapacityProviderStrategy,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
    EcsServiceServiceRegistries,
)
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition
from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleActionForward,
    LbListenerRuleActionForwardStickiness,
    LbListenerRuleActionForwardTargetGroup,
    LbListenerRuleCondition,
    LbListenerRuleConditionPathPattern,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from cdktf import TerraformResource
from constructs import Construct

from modules.alarms import AlarmThresholds, ServiceAlarms, ServiceAlarmsProps
from modules.alb import HealthCheck
from modules.ecr import EcrRepositoryProps, ServiceRepository
from modules.naming import Naming
from modules.origin import Origin

# The deployed containers start with a connectivity self-test (DNS, ECR login, internet) before the
# application; kept as deployed, since a change registers a new task definition revision.
STARTUP_COMMAND = (
    "echo '=== ECR DNS Resolution Test ===' && nslookup {region}.dkr.ecr.{region}.amazonaws.com && "
    "echo '=== ECR API DNS Test ===' && nslookup api.ecr.{region}.amazonaws.com && "
    "echo '=== ECR Auth Test ===' && timeout 10 aws ecr get-login-password --region {region} && "
    "echo '=== Auth Success ===' || echo '=== Auth Failed ===' && echo '=== Network Test ===' && "
    "curl -I --connect-timeout 5 https://google.com && "
    "echo '=== Tests Complete - Starting Application ===' && exec java -jar app.jar"
)
LOG_STREAM_PREFIX = "ecs"


@dataclass(frozen=True)
class Secret:
    """A container secret: `value_from` is a Parameter Store name or a Secrets Manager ARN (with
    an optional `:json-key::` suffix)."""

    name: str
    value_from: str


@dataclass(frozen=True)
class EcsServiceProps:
    naming: Naming                   # the service's naming (its base tags carry Service = key)
    origin: Origin                   # where the per-service resources were (keyed by `key`)
    repository_origin: Origin        # where its ECR repository module instance was
    key: str                         # "customers": names, the container and the original for_each key
    region: str
    port: int
    cpu: int
    memory: int
    paths: Sequence[str]
    health_check_path: str
    priority: int
    desired_count: int
    min_tasks: int
    max_tasks: int
    cpu_target: float
    cluster_id: str
    cluster_name: str
    execution_role_arn: str
    task_role_arn: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    registry_arn: str
    vpc_id: str
    listener_arn: str
    load_balancer_arn_suffix: str
    log_retention_days: int
    health_check_grace_period_seconds: int
    image_tag: str = "latest"
    image: str | None = None         # a full image URI; default: the service's repository at image_tag
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Sequence[Secret] = ()
    keep_images: int = 10
    alarms: AlarmThresholds | None = None
    # capacity provider -> (base, weight); empty: launch type FARGATE (as deployed). Switching an
    # existing service from a launch type to capacity providers makes Terraform replace it.
    capacity_providers: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    after: Sequence[TerraformResource] = ()   # resources the service must wait for (the cluster's providers)


class MicroService(Construct):
    def __init__(self, scope: Construct, id: str, props: EcsServiceProps):
        super().__init__(scope, id)
        naming, origin, key = props.naming, props.origin, props.key
        self.props = props
        self.repository = ServiceRepository(self, "ecr", EcrRepositoryProps(
            naming=naming, origin=props.repository_origin, service=key, keep_images=props.keep_images))
        self.log_group = origin.carry(CloudwatchLogGroup(
            self, "logs",
            name=f"/ecs/{naming.name(key)}",
            retention_in_days=props.log_retention_days,
            tags=naming.tags_for(),
        ), "logs", key)
        self.task_definition = origin.carry(EcsTaskDefinition(
            self, "task",
            family=naming.name(key),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(props.cpu),
            memory=str(props.memory),
            execution_role_arn=props.execution_role_arn,
            task_role_arn=props.task_role_arn,
            container_definitions=self._container_definitions(),
            tags=naming.tags_for(),
        ), "task", key)
        self.target_group = origin.carry(LbTargetGroup(
            self, "target_group",
            name=naming.name(key),
            port=props.port,
            protocol="HTTP",
            vpc_id=props.vpc_id,
            target_type="ip",
            health_check=HealthCheck(props.health_check_path, port=str(props.port)).block(),
            tags=naming.tags_for(),
        ), "target_group", key)
        origin.carry(LbListenerRule(
            self, "route",
            listener_arn=props.listener_arn,
            priority=props.priority,
            action=[LbListenerRuleAction(type="forward", forward=LbListenerRuleActionForward(
                target_group=[LbListenerRuleActionForwardTargetGroup(arn=self.target_group.arn)],
                stickiness=LbListenerRuleActionForwardStickiness(enabled=False, duration=1)))],
            condition=[LbListenerRuleCondition(
                path_pattern=LbListenerRuleConditionPathPattern(values=list(props.paths)))],
            tags=naming.tags_for(),
        ), "route", key)
        self.service = origin.carry(EcsService(
            self, "Default",
            name=naming.name(key),
            cluster=props.cluster_id,
            task_definition=self.task_definition.arn,
            desired_count=props.desired_count,
            launch_type=None if props.capacity_providers else "FARGATE",
            capacity_provider_strategy=[
                EcsServiceCapacityProviderStrategy(capacity_provider=name, base=base, weight=weight)
                for name, (base, weight) in sorted(props.capacity_providers.items())] or None,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=props.subnet_ids, security_groups=list(props.security_group_ids), assign_public_ip=False),
            enable_execute_command=True,
            health_check_grace_period_seconds=props.health_check_grace_period_seconds,
            load_balancer=[EcsServiceLoadBalancer(
                target_group_arn=self.target_group.arn, container_name=key, container_port=props.port)],
            service_registries=EcsServiceServiceRegistries(registry_arn=props.registry_arn),
            tags=naming.tags_for(),
            depends_on=list(props.after) or None,
        ), "service", key)
        scaling = origin.carry(AppautoscalingTarget(
            self, "scaling",
            min_capacity=props.min_tasks,
            max_capacity=props.max_tasks,
            resource_id=f"service/{props.cluster_name}/{self.service.name}",
            scalable_dimension="ecs:service:DesiredCount",
            service_namespace="ecs",
        ), "scaling", key)
        origin.carry(AppautoscalingPolicy(
            self, "cpu_scaling",
            name=naming.name(key, "cpu-scaling"),
            policy_type="TargetTrackingScaling",
            resource_id=scaling.resource_id,
            scalable_dimension=scaling.scalable_dimension,
            service_namespace=scaling.service_namespace,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                predefined_metric_specification=(
                    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                        predefined_metric_type="ECSServiceAverageCPUUtilization")),
                target_value=props.cpu_target),
        ), "cpu_scaling", key)
        if props.alarms is not None:
            ServiceAlarms(self, "alarms", ServiceAlarmsProps(
                naming=naming, origin=origin, key=key, thresholds=props.alarms, service_name=self.service.name,
                cluster_name=props.cluster_name, target_group_arn_suffix=self.target_group.arn_suffix,
                load_balancer_arn_suffix=props.load_balancer_arn_suffix))

    @property
    def image(self) -> str:
        return self.props.image or f"{self.repository.url}:{self.props.image_tag}"

    def _container_definitions(self) -> str:
        props = self.props
        return json.dumps([{
            "name": props.key,
            "image": self.image,
            "cpu": props.cpu,
            "memory": props.memory,
            "essential": True,
            "portMappings": [{"containerPort": props.port, "hostPort": props.port, "protocol": "tcp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": self.log_group.name, "awslogs-region": props.region,
                "awslogs-stream-prefix": LOG_STREAM_PREFIX}},
            "command": ["/bin/sh", "-c", STARTUP_COMMAND.format(region=props.region)],
            # The provider stores both lists sorted by name; writing them so keeps the plan quiet.
            "environment": [{"name": k, "value": v} for k, v in sorted(props.environment.items())],
            "secrets": [{"name": s.name, "valueFrom": s.value_from}
                        for s in sorted(props.secrets, key=lambda s: s.name)],
        }])
