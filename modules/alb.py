"""The internet-facing Application Load Balancer of the services: its security group (HTTP and
HTTPS in, from the given IPv4 CIDRs and optionally from any IPv6 address; everything out), the load
balancer in the public subnets, a default target group, the port-80 listener that forwards to it, and
an alarm on the default target group's healthy hosts.

With a certificate, port 443 serves HTTPS (the design document's listener) and port 80 redirects
to it; without one (as deployed) port 80 forwards. Holds no per-service target group or listener
rule (`modules.ecs_service` adds those to `listener`) and no web ACL (`modules.web_acl`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction, LbListenerDefaultActionRedirect
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.alarms import ALB, EVALUATION_PERIODS, PERIOD_SECONDS, AlarmDefinition, metric_alarm
from modules.naming import Naming
from modules.origin import Origin, created

HTTP, HTTPS = 80, 443
IPV6_ANY = "::/0"


@dataclass(frozen=True)
class HealthCheck:
    """A target group's HTTP health check (the thresholds every target group of the platform uses)."""

    path: str
    port: str = "traffic-port"
    healthy_threshold: int = 2
    unhealthy_threshold: int = 2
    interval: int = 30
    timeout: int = 5
    matcher: str = "200-399"

    def block(self) -> LbTargetGroupHealthCheck:
        return LbTargetGroupHealthCheck(
            enabled=True, path=self.path, port=None if self.port == "traffic-port" else self.port,
            healthy_threshold=self.healthy_threshold, unhealthy_threshold=self.unhealthy_threshold,
            interval=self.interval, timeout=self.timeout, matcher=self.matcher)


@dataclass(frozen=True)
class AlbProps:
    naming: Naming
    origin: Origin
    vpc_id: str
    public_subnet_ids: Sequence[str]
    ingress_cidrs_ipv4: Sequence[str]
    ingress_ipv6_any: bool
    default_target_port: int
    default_health_check_path: str
    alarm_actions: Sequence[str] = ()
    target_health_alarm: bool = True
    certificate_arn: str | None = None      # an ACM certificate: HTTPS on 443, and 80 redirects to it
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # The design's egress (§3.4): only to this group (the ECS tasks') on these ports. None (as
    # deployed): all traffic out to anywhere.
    egress_security_group_id: str | None = None
    egress_ports: Sequence[int] = ()


class Alb(Construct):
    def __init__(self, scope: Construct, id: str, props: AlbProps):
        super().__init__(scope, id)
        self._security_group(props)
        naming, origin = props.naming, props.origin
        self.load_balancer = origin.carry(Lb(
            self, "Default",
            name=naming.name("alb"),
            load_balancer_type="application",
            internal=False,
            ip_address_type="ipv4",
            subnets=props.public_subnet_ids,
            security_groups=[self.security_group.id],
            tags=naming.tags_for("alb", Tier="edge-lb"),
        ), "load_balancer")
        self.default_target_group = origin.carry(LbTargetGroup(
            self, "default_target_group",
            name=naming.name("tg"),
            port=props.default_target_port,
            protocol="HTTP",
            vpc_id=props.vpc_id,
            target_type="ip",
            health_check=HealthCheck(props.default_health_check_path).block(),
            tags=naming.tags_for("tg"),
        ), "default_target_group")
        self._listeners(props)
        if props.target_health_alarm:
            origin.carry(metric_alarm(self, AlarmDefinition(
                id="target_health_alarm", name=naming.name("alb-unhealthy-targets"), namespace=ALB,
                metric="HealthyHostCount", statistic="Average", comparison="LessThanThreshold", threshold=1,
                evaluation_periods=EVALUATION_PERIODS, period=PERIOD_SECONDS,
                description="ALB 타겟 그룹의 건강한 호스트 수가 임계값 미만입니다", treat_missing_data="breaching",
                dimensions={"TargetGroup": self.default_target_group.arn_suffix,
                            "LoadBalancer": self.load_balancer.arn_suffix}),
                props.alarm_actions, naming.tags_for("alb-target-health-alarm", Type="monitoring"),
            ), "target_health_alarm", 0)

    def _security_group(self, props: AlbProps) -> None:
        """The ALB's group: HTTP and HTTPS in from the configured CIDRs (and IPv6 any); all out, or only
        to the tasks' group."""
        naming, origin = props.naming, props.origin
        self.security_group = origin.carry(SecurityGroup(
            self, "sg",
            name=naming.name("alb-sg"),
            description="Security group for ALB",
            vpc_id=props.vpc_id,
            tags=naming.tags_for("alb-sg", Tier="edge-lb"),
        ), "sg")
        for port, scheme in ((HTTP, "http"), (HTTPS, "https")):
            for i, cidr in enumerate(props.ingress_cidrs_ipv4):
                origin.carry(VpcSecurityGroupIngressRule(
                    self, f"{scheme}_ipv4_{i}",
                    security_group_id=self.security_group.id,
                    description=f"Allow {scheme.upper()} ({port}) from configured IPv4 CIDR",
                    cidr_ipv4=cidr, from_port=port, to_port=port, ip_protocol="tcp",
                ), f"{scheme}_ipv4", cidr)
            if props.ingress_ipv6_any:
                origin.carry(VpcSecurityGroupIngressRule(
                    self, f"{scheme}_ipv6",
                    security_group_id=self.security_group.id,
                    description=f"Allow {scheme.upper()} ({port}) from IPv6 any",
                    cidr_ipv6=IPV6_ANY, from_port=port, to_port=port, ip_protocol="tcp",
                ), f"{scheme}_ipv6", 0)
        if props.egress_security_group_id is not None:
            for port in props.egress_ports:
                created(VpcSecurityGroupEgressRule(
                    self, f"to_tasks_{port}",
                    security_group_id=self.security_group.id,
                    description=f"Allow {port}/tcp to the ECS tasks security group",
                    referenced_security_group_id=props.egress_security_group_id,
                    from_port=port, to_port=port, ip_protocol="tcp",
                ), "the design's ALB egress (§3.4): the original sent all traffic anywhere")
            return
        origin.carry(VpcSecurityGroupEgressRule(
            self, "all_out",
            security_group_id=self.security_group.id,
            description="Allow all outbound traffic",
            cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
        ), "all_out")

    def _listeners(self, props: AlbProps) -> None:
        """HTTP on 80 forwards to the default target group, or, with a certificate, redirects to HTTPS
        on 443, which forwards; `listener` is the one the services' path rules go on."""
        forward = LbListenerDefaultAction(type="forward", target_group_arn=self.default_target_group.arn)
        redirect = LbListenerDefaultAction(type="redirect", redirect=LbListenerDefaultActionRedirect(
            port=str(HTTPS), protocol="HTTPS", status_code="HTTP_301"))
        self.http_listener = props.origin.carry(LbListener(
            self, "http",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTP,
            protocol="HTTP",
            default_action=[redirect if props.certificate_arn else forward],
        ), "http", 0)
        self.listener = self.http_listener
        if props.certificate_arn:
            self.listener = created(LbListener(
                self, "https",
                load_balancer_arn=self.load_balancer.arn,
                port=HTTPS,
                protocol="HTTPS",
                ssl_policy=props.ssl_policy,
                certificate_arn=props.certificate_arn,
                default_action=[forward],
            ), "no HTTPS listener was deployed (the original had no certificate)")

    @property
    def security_group_id(self) -> str:
        return self.security_group.id

    @property
    def arn(self) -> str:
        return self.load_balancer.arn

    @property
    def zone_id(self) -> str:
        return self.load_balancer.zone_id

    @property
    def default_target_group_arn(self) -> str:
        return self.default_target_group.arn

    @property
    def dns_name(self) -> str:
        return self.load_balancer.dns_name

    @property
    def arn_suffix(self) -> str:
        return self.load_balancer.arn_suffix
