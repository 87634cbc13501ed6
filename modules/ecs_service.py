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
from constructs import Construct

from modules.alarms import AlarmThresholds, ServiceAlarms, ServiceAlarmsProps
from modules.alb import Alb, HealthCheck
from modules.ecr import EcrRepositoryProps, ServiceRepository
from modules.ecs_cluster import Cluster
from modules.naming import Naming
from modules.origin import Origin

# The deployed containers start with a connectivity self-test (DNS, ECR login, internet) before the
# application; kept as deployed, since a change registers a new task definition revision. It prints an
# ECR registry token to the log stream: `ServiceContainer.startup_self_test = False` runs the image's
# own entry point instead (the design's to-be profile).
STARTUP_COMMAND = (
    "echo '=== ECR DNS Resolution Test ===' && nslookup {region}.dkr.ecr.{region}.amazonaws.com && "
    "echo '=== ECR API DNS Test ===' && nslookup api.ecr.{region}.amazonaws.com && "
    "echo '=== ECR Auth Test ===' && timeout 10 aws ecr get-login-password --region {region} && "
    "echo '=== Auth Success ===' || echo '=== Auth Failed ===' && echo '=== Network Test ===' && "
    "curl -I --connect-timeout 5 https://google.com && "
    "echo '=== Tests Complete - Starting Application ===' && exec java -jar app.jar"
)
LOG_STREAM_PREFIX = "ecs"
# The X-Ray daemon's share of the task (AWS's suggested 32 CPU units; it holds well under 64 MiB),
# taken from the service container so the task's size, and its price, stay as they are.
XRAY_CPU, XRAY_MEMORY, XRAY_PORT = 32, 64, 2000


@dataclass(frozen=True)
class Secret:
    """A container secret: `value_from` is a Parameter Store name or a Secrets Manager ARN (with
    an optional `:json-key::` suffix)."""

    name: str
    value_from: str


@dataclass(frozen=True)
class ServiceContainer:
    """The task's one container."""

    region: str
    port: int
    execution_role_arn: str
    task_role_arn: str
    log_retention_days: int
    image_tag: str = "latest"
    image: str | None = None         # a full image URI; default: the service's repository at image_tag
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Sequence[Secret] = ()
    keep_images: int = 10            # images its repository keeps
    startup_self_test: bool = True   # the deployed command override (see STARTUP_COMMAND)
    # The X-Ray daemon beside the service (design §9.4), from this image; None: no sidecar.
    xray_daemon_image: str | None = None


@dataclass(frozen=True)
class ServiceSizing:
    cpu: int
    memory: int
    desired_count: int
    min_tasks: int
    max_tasks: int
    cpu_target: float                # the CPU percentage the autoscaling keeps


@dataclass(frozen=True)
class ServicePlacement:
    """Where its tasks run: the cluster of the same stack, the network, the Cloud Map registry."""

    cluster: Cluster
    vpc_id: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]
    registry_arn: str
    # capacity provider -> (base, weight); empty: launch type FARGATE (as deployed). Switching an
    # existing service from a launch type to capacity providers is an in-place update with a new
    # deployment (force_new_deployment): the service rolls its tasks, it is not replaced.
    capacity_providers: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceRouting:
    """How the ALB of the same stack reaches it: a path rule on its listener to the service's target group."""

    alb: Alb
    paths: Sequence[str]
    priority: int
    health_check_path: str
    health_check_grace_period_seconds: int


@dataclass(frozen=True)
class EcsServiceProps:
    naming: Naming                   # the service's naming (its base tags carry Service = key)
    origin: Origin                   # where the per-service resources were (keyed by `key`)
    repository_origin: Origin        # where its ECR repository module instance was
    key: str                         # "customers": names, the container and the original for_each key
    container: ServiceContainer
    sizing: ServiceSizing
    placement: ServicePlacement
    routing: ServiceRouting
    alarms: AlarmThresholds | None = None


class MicroService(Construct):
    """Exposes `repository`, `log_group`, `task_definition`, `target_group` and `service`."""

    def __init__(self, scope: Construct, id: str, props: EcsServiceProps):
        super().__init__(scope, id)
        self.props = props
        self.repository = ServiceRepository(self, "ecr", EcrRepositoryProps(
            naming=props.naming, origin=props.repository_origin, service=props.key,
            keep_images=props.container.keep_images))
        self._task()
        self._route()
        self._service()
        self._scaling()
        if props.alarms is not None:
            ServiceAlarms(self, "alarms", ServiceAlarmsProps(
                naming=props.naming, origin=props.origin, key=props.key, thresholds=props.alarms,
                service_name=self.service.name, cluster_name=props.placement.cluster.name,
                target_group_arn_suffix=self.target_group.arn_suffix,
                load_balancer_arn_suffix=props.routing.alb.arn_suffix))

    @property
    def service_name(self) -> str:
        return self.service.name

    @property
    def service_id(self) -> str:
        return self.service.id

    @property
    def desired_count(self) -> float:
        return self.service.desired_count

    @property
    def task_definition_arn(self) -> str:
        return self.task_definition.arn

    @property
    def target_group_arn(self) -> str:
        return self.target_group.arn

    @property
    def target_group_arn_suffix(self) -> str:
        return self.target_group.arn_suffix

    def _task(self) -> None:
        props = self.props
        naming, origin, key, container, sizing = props.naming, props.origin, props.key, props.container, props.sizing
        self.log_group = origin.carry(CloudwatchLogGroup(
            self, "logs",
            name=f"/ecs/{naming.name(key)}",
            retention_in_days=container.log_retention_days,
            tags=naming.tags_for(),
        ), "logs", key)
        self.task_definition = origin.carry(EcsTaskDefinition(
            self, "task",
            family=naming.name(key),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(sizing.cpu),
            memory=str(sizing.memory),
            execution_role_arn=container.execution_role_arn,
            task_role_arn=container.task_role_arn,
            container_definitions=self._container_definitions(),
            tags=naming.tags_for(),
        ), "task", key)

    def _route(self) -> None:
        props = self.props
        naming, origin, key, routing, port = props.naming, props.origin, props.key, props.routing, props.container.port
        self.target_group = origin.carry(LbTargetGroup(
            self, "target_group",
            name=naming.name(key),
            port=port,
            protocol="HTTP",
            vpc_id=props.placement.vpc_id,
            target_type="ip",
            health_check=HealthCheck(routing.health_check_path, port=str(port)).block(),
            tags=naming.tags_for(),
        ), "target_group", key)
        origin.carry(LbListenerRule(
            self, "route",
            listener_arn=routing.alb.listener.arn,
            priority=routing.priority,
            action=[LbListenerRuleAction(type="forward", forward=LbListenerRuleActionForward(
                target_group=[LbListenerRuleActionForwardTargetGroup(arn=self.target_group.arn)],
                stickiness=LbListenerRuleActionForwardStickiness(enabled=False, duration=1)))],
            condition=[LbListenerRuleCondition(
                path_pattern=LbListenerRuleConditionPathPattern(values=list(routing.paths)))],
            tags=naming.tags_for(),
        ), "route", key)

    def _service(self) -> None:
        props = self.props
        naming, key, placement = props.naming, props.key, props.placement
        self.service = props.origin.carry(EcsService(
            self, "Default",
            name=naming.name(key),
            cluster=placement.cluster.id,
            task_definition=self.task_definition.arn,
            desired_count=props.sizing.desired_count,
            launch_type=None if placement.capacity_providers else "FARGATE",
            capacity_provider_strategy=[
                EcsServiceCapacityProviderStrategy(capacity_provider=name, base=base, weight=weight)
                for name, (base, weight) in sorted(placement.capacity_providers.items())] or None,
            # The AWS provider (6.x) refuses to plan a change of a running service's strategy, the move
            # from launch_type to one included, unless the update forces a new deployment; with it the
            # change is an in-place update that rolls the tasks (ECS refuses it otherwise, too).
            force_new_deployment=True if placement.capacity_providers else None,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=placement.subnet_ids, security_groups=list(placement.security_group_ids),
                assign_public_ip=False),
            enable_execute_command=True,
            health_check_grace_period_seconds=props.routing.health_check_grace_period_seconds,
            load_balancer=[EcsServiceLoadBalancer(
                target_group_arn=self.target_group.arn, container_name=key, container_port=props.container.port)],
            service_registries=EcsServiceServiceRegistries(registry_arn=placement.registry_arn),
            tags=naming.tags_for(),
            # with capacity providers, the service waits for the cluster's association of them
            depends_on=list(placement.cluster.ready) or None,
        ), "service", key)

    def _scaling(self) -> None:
        props = self.props
        origin, key, sizing = props.origin, props.key, props.sizing
        scaling = origin.carry(AppautoscalingTarget(
            self, "scaling",
            min_capacity=sizing.min_tasks,
            max_capacity=sizing.max_tasks,
            resource_id=f"service/{props.placement.cluster.name}/{self.service.name}",
            scalable_dimension="ecs:service:DesiredCount",
            service_namespace="ecs",
        ), "scaling", key)
        origin.carry(AppautoscalingPolicy(
            self, "cpu_scaling",
            name=props.naming.name(key, "cpu-scaling"),
            policy_type="TargetTrackingScaling",
            resource_id=scaling.resource_id,
            scalable_dimension=scaling.scalable_dimension,
            service_namespace=scaling.service_namespace,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                predefined_metric_specification=(
                    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                        predefined_metric_type="ECSServiceAverageCPUUtilization")),
                target_value=sizing.cpu_target),
        ), "cpu_scaling", key)

    @property
    def image(self) -> str:
        container = self.props.container
        return container.image or f"{self.repository.url}:{container.image_tag}"

    def _container_definitions(self) -> str:
        key, container, sizing = self.props.key, self.props.container, self.props.sizing
        daemon = container.xray_daemon_image
        environment = {**container.environment, **({"AWS_XRAY_DAEMON_ADDRESS": f"localhost:{XRAY_PORT}"} if daemon else {})}
        service = {
            "name": key,
            "image": self.image,
            "cpu": sizing.cpu - (XRAY_CPU if daemon else 0),
            "memory": sizing.memory - (XRAY_MEMORY if daemon else 0),
            "essential": True,
            "portMappings": [{"containerPort": container.port, "hostPort": container.port, "protocol": "tcp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": self.log_group.name, "awslogs-region": container.region,
                "awslogs-stream-prefix": LOG_STREAM_PREFIX}},
            **({"command": ["/bin/sh", "-c", STARTUP_COMMAND.format(region=container.region)]}
               if container.startup_self_test else {}),
            # The provider stores both lists sorted by name; writing them so keeps the plan quiet.
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": [{"name": s.name, "valueFrom": s.value_from}
                        for s in sorted(container.secrets, key=lambda s: s.name)],
        }
        if not daemon:
            return json.dumps([service])
        # Not essential: the service keeps serving if the daemon stops (traces are lost meanwhile).
        return json.dumps([service, {
            "name": "xray-daemon", "image": daemon, "cpu": XRAY_CPU, "memory": XRAY_MEMORY, "essential": False,
            "portMappings": [{"containerPort": XRAY_PORT, "hostPort": XRAY_PORT, "protocol": "udp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": self.log_group.name, "awslogs-region": container.region,
                "awslogs-stream-prefix": "xray"}},
        }])
