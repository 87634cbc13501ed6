"""07-application's settings: the ECS services, the ALB, task rules, alarms, debug hosts and delivery."""
from __future__ import annotations

from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, LogRetention, ParameterRoot, SettingError

ServiceKey = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9]*$", max_length=20)]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
TARGET_GROUP_NAME_MAX = 32  # ELB's limit; a service's target group is named <name_prefix>-<service>
# Fargate's task sizes: CPU units and, per CPU size, the memory (MiB) it accepts.
FARGATE_MEMORY = {256: (512, 1024, 2048), 512: tuple(range(1024, 4097, 1024)), 1024: tuple(range(2048, 8193, 1024)),
                  2048: tuple(range(4096, 16385, 1024)), 4096: tuple(range(8192, 30721, 1024))}


class Service(Frozen):
    """One microservice of 07-application: one entry makes its ECR repository, log group, task
    definition, ECS service, target group, listener rule, autoscaling and alarms."""

    port: Port
    cpu: StrictInt
    memory: StrictInt
    paths: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^/[A-Za-z0-9/_*.-]*$")], ...] = Field(min_length=1)
    health_check_path: Annotated[StrictStr, StringConstraints(pattern=r"^/[A-Za-z0-9/_.-]*$")]
    # Listener-rule priority (the original: 100 + the service's position among the sorted keys).
    priority: Annotated[StrictInt, Field(ge=1, le=50000)]
    desired_count: Annotated[StrictInt, Field(ge=0)]
    min_tasks: Annotated[StrictInt, Field(ge=0)]
    max_tasks: Annotated[StrictInt, Field(ge=1)]
    cpu_target: Annotated[float, Field(gt=0, le=100, strict=False)]
    spring_profiles: StrictStr
    # True: the task reads the database settings (URL, user name, password) as secrets.
    database: StrictBool
    environment: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")], StrictStr] = {}
    # The variable that carries the ALB's DNS name (the admin server finds the services through it).
    alb_dns_variable: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = None


class TaskRule(Frozen):
    """A security-group rule of 07-application around the tasks. `group` is the group it is added to,
    `peer` the other side: `alb`, `ecs` or `self` (a group) or an IPv4 CIDR."""

    group: Literal["ecs", "aurora"]
    direction: Literal["ingress", "egress"]
    port: Port
    peer: StrictStr
    description: Annotated[StrictStr, StringConstraints(min_length=1, max_length=255)]
    # Which rule set makes it: both, only the deployed one (a rule §3.4 of the design does not list,
    # gone once `application.design_security_rules` is on) or only the design's.
    scope: Literal["both", "as-deployed", "to-be"] = "both"
    # The rule another layer makes too (EC2 refuses the second create as InvalidPermission.Duplicate):
    # made only while `application.duplicate_task_rules` is on; names that other rule.
    duplicate_of: Annotated[StrictStr, StringConstraints(min_length=1)] | None = None


class WebAcl(Frozen):
    """The ALB's WAFv2 web ACL: two rate limits (all paths, and /api/ + /admin/), optional country
    blocking, SQL-injection and XSS rules, a request-body size limit, and its alarms."""

    enabled: StrictBool
    rate_limit_per_ip: Annotated[StrictInt, Field(ge=100, le=20000)]
    burst_limit_per_ip: Annotated[StrictInt, Field(ge=100, le=5000)]
    blocked_countries: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}$")], ...] = ()
    security_rules: StrictBool
    max_body_bytes: Annotated[StrictInt, Field(ge=1)]
    monitoring: StrictBool
    alarm_threshold: Annotated[StrictInt, Field(ge=1)]


CertificateArn = Annotated[StrictStr, StringConstraints(
    pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")]


class Alb(Frozen):
    ingress_cidrs_ipv4: tuple[IPv4Network, ...]
    ingress_ipv6_any: StrictBool
    default_target_port: Port
    default_health_check_path: StrictStr
    waf: WebAcl
    # An ACM certificate in the environment's region: HTTPS on 443 (the design document's listener),
    # port 80 redirects to it and the path rules move to it. None (as deployed): port 80 forwards.
    certificate_arn: CertificateArn | None = None
    # Or a domain name and the Route 53 hosted zone (its id) in which the stack requests the
    # certificate and validates it through DNS (modules/alb_certificate.py).
    domain_name: Annotated[StrictStr, StringConstraints(
        max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")] | None = None
    hosted_zone_id: Annotated[StrictStr, StringConstraints(pattern=r"^Z[A-Z0-9]{1,32}$")] | None = None
    ssl_policy: Annotated[StrictStr, StringConstraints(pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")] = \
        "ELBSecurityPolicy-TLS13-1-2-2021-06"

    @model_validator(mode="after")
    def _one_certificate_source(self) -> "Alb":
        if (self.domain_name is None) != (self.hosted_zone_id is None):
            missing = "hosted_zone_id" if self.hosted_zone_id is None else "domain_name"
            raise SettingError(f"application.alb.{missing}", "domain_name and hosted_zone_id go together "
                                                             "(the certificate is validated in that zone)")
        if self.certificate_arn and self.domain_name:
            raise SettingError("application.alb.domain_name", "set either certificate_arn or domain_name, not both")
        return self

    @property
    def https(self) -> bool:
        return bool(self.certificate_arn or self.domain_name)


class CapacityShare(Frozen):
    """A Fargate capacity provider's share of the tasks: `base` tasks first, then `weight` parts."""

    base: Annotated[StrictInt, Field(ge=0, le=100000)] = 0
    weight: Annotated[StrictInt, Field(ge=0, le=1000)]


class ServiceAlarms(Frozen):
    enabled: StrictBool
    cpu_percent: Annotated[StrictInt, Field(gt=0, le=100)]
    memory_percent: Annotated[StrictInt, Field(gt=0, le=100)]
    response_time_seconds: Annotated[StrictInt, Field(gt=0)]
    errors_5xx: Annotated[StrictInt, Field(ge=0)]


class DebugHosts(Frozen):
    """The bastion host in a public subnet (SSH, and MySQL to Aurora) for debugging."""

    enabled: StrictBool
    instance_type: StrictStr
    key_pair: StrictStr
    ssh_cidrs: tuple[IPv4Network, ...]
    ami_name_pattern: StrictStr


class ContinuousDelivery(Frozen):
    """The GitHub Actions role that pushes images and deploys the services (OIDC web identity)."""

    role_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")]
    policy_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9+=,.@_-]{1,128}$")]
    repository: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    parameter_root: ParameterRoot   # the parameter hierarchy the role may read


class Application(Frozen):
    """07-application: the ECS cluster and its services (one entry each), the ALB, ECR, the debug
    host, alarms and the CI role."""

    services: dict[ServiceKey, Service] = Field(min_length=1)
    # The services the deployed state holds (the original's for_each keys): their resources carry
    # that state over; a service added later is created.
    carried_services: tuple[ServiceKey, ...] = ()
    log_retention_days: LogRetention
    container_insights: StrictBool
    health_check_grace_period_seconds: Annotated[StrictInt, Field(ge=0, le=2147483647)]
    image_tag: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,128}$")]
    # Full image URIs by service, where the environment pins them (else the service's ECR repository).
    images: dict[ServiceKey, StrictStr] = {}
    ecr_keep_images: Annotated[StrictInt, Field(ge=1)]
    # The X-Ray daemon as a sidecar of every task (its own log stream `xray/...`); the task role's
    # xray:PutTraceSegments comes with the separate task role (issue 36).
    xray_daemon: StrictBool
    xray_daemon_image: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9./-]+:[A-Za-z0-9_.-]+$")]
    alarm_actions: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^arn:aws[a-z-]*:sns:")], ...] = ()
    # The services' alarms also notify 12-notification's alerts topic (design switch, A102).
    notify_alerts_topic: StrictBool
    # Each service gets its own task role (Parameter Store, X-Ray, metrics) apart from the execution role (A85).
    task_roles: StrictBool
    # The deployed command override (DNS/ECR-login/internet self-test, which logs an ECR token) before
    # the application; false runs the image's own entry point (design switch).
    startup_self_test: StrictBool
    # Parameter names the tasks read that something outside these stacks creates.
    external_parameters: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^/[A-Za-z0-9/_.-]+$")], ...] = ()
    task_rules: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], TaskRule]
    # Design switches (envs/_switches.toml). On: the security groups as §3.4 lists them (task rules
    # of scope to-be instead of as-deployed; the ALB sends only to the ECS group).
    design_security_rules: StrictBool
    # Off: the task rules that duplicate another layer's rule are not made (a `removed` block where a
    # deployed state holds them).
    duplicate_task_rules: StrictBool
    # True where a deployed state of this layer exists (dev, seoul): a duplicate that leaves the
    # configuration is then forgotten by a `removed` block, not destroyed (02 keeps the permission).
    state_holds_task_rules: StrictBool
    alb: Alb
    # Empty (as deployed): the services use launch type FARGATE. Else the cluster gets these Fargate
    # capacity providers (the design document's FARGATE and FARGATE_SPOT) and the services use them.
    capacity_providers: dict[Literal["FARGATE", "FARGATE_SPOT"], CapacityShare] = {}
    alarms: ServiceAlarms
    debug: DebugHosts
    delivery: ContinuousDelivery

    @model_validator(mode="after")
    def _consistent(self) -> "Application":
        # Checks that need the entry's key live here, so that a message names the full field.
        priorities: dict[int, str] = {}
        for key, service in sorted(self.services.items()):
            field = f"application.services.{key}"
            if service.cpu not in FARGATE_MEMORY:
                raise SettingError(f"{field}.cpu", f"{service.cpu} is not a Fargate CPU size "
                                                   f"({', '.join(map(str, FARGATE_MEMORY))})")
            if service.memory not in FARGATE_MEMORY[service.cpu]:
                sizes = FARGATE_MEMORY[service.cpu]
                raise SettingError(f"{field}.memory", f"{service.memory} MiB does not fit {service.cpu} CPU units "
                                                      f"on Fargate ({sizes[0]}-{sizes[-1]})")
            if not service.min_tasks <= service.desired_count <= service.max_tasks:
                raise SettingError(f"{field}.desired_count", f"{service.desired_count} is outside min_tasks "
                                                             f"{service.min_tasks} .. max_tasks {service.max_tasks}")
            if service.priority in priorities:
                raise SettingError(f"{field}.priority",
                                   f"{service.priority} is also the priority of {priorities[service.priority]}")
            priorities[service.priority] = key
        for key in sorted(set(self.carried_services) - set(self.services)):
            raise SettingError("application.carried_services", f"{key!r} names no service of application.services")
        for key in sorted(set(self.images) - set(self.services)):
            raise SettingError(f"application.images.{key}", "names no service of application.services")
        for name, rule in sorted(self.task_rules.items()):
            if rule.peer in ("alb", "ecs", "self"):
                continue
            try:
                IPv4Network(rule.peer)
            except ValueError:
                raise SettingError(f"application.task_rules.{name}.peer",
                                   f"{rule.peer!r} is neither alb, ecs, self nor an IPv4 CIDR") from None
        return self
