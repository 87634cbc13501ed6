"""The typed, immutable settings of one environment, as read from `envs/<name>.toml`.

Field-level checks (types, CIDR syntax, required fields) are pydantic's; the checks that relate
fields to each other (subnets inside the VPC, no overlaps, AZs in the region, one subnet of each
tier per AZ) live in `Environment`'s validators. Nothing here knows about layers or cdktf.
"""
from __future__ import annotations

import re
from ipaddress import IPv4Network
from itertools import combinations
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

Name = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", min_length=2, max_length=40)]
Region = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2}-[a-z]+-\d$")]
Tags = dict[Annotated[StrictStr, StringConstraints(min_length=1, max_length=128)],
            Annotated[StrictStr, StringConstraints(max_length=256)]]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SettingError(ValueError):
    """A value that is well-typed but wrong; `field` is its dotted path in the environment file."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class StateBackend(_Frozen):
    """Where the layers' Terraform states live (one S3 bucket, one key per layer)."""

    bucket: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    region: Region


class Network(_Frozen):
    vpc_cidr: IPv4Network
    azs: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2}-[a-z]+-\d[a-z]$")], ...] = Field(min_length=2)
    public_subnet_cidrs: tuple[IPv4Network, ...]
    private_app_subnet_cidrs: tuple[IPv4Network, ...]
    private_db_subnet_cidrs: tuple[IPv4Network, ...]
    enable_ipv6: StrictBool
    nat_gateway_per_az: StrictBool
    interface_endpoint_services: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9.-]+$")], ...]

    def tiers(self) -> dict[str, tuple[IPv4Network, ...]]:
        return {
            "public_subnet_cidrs": self.public_subnet_cidrs,
            "private_app_subnet_cidrs": self.private_app_subnet_cidrs,
            "private_db_subnet_cidrs": self.private_db_subnet_cidrs,
        }

    @model_validator(mode="after")
    def _subnets_fit(self) -> "Network":
        if len(set(self.azs)) != len(self.azs):
            raise SettingError("network.azs", f"lists an availability zone twice: {list(self.azs)}")
        placed: list[tuple[str, IPv4Network]] = []
        for tier, cidrs in self.tiers().items():
            if len(cidrs) != len(self.azs):
                raise SettingError(f"network.{tier}", f"has {len(cidrs)} CIDRs for {len(self.azs)} availability zones "
                                                      "(one subnet per AZ is expected)")
            for i, cidr in enumerate(cidrs):
                if not cidr.subnet_of(self.vpc_cidr):
                    raise SettingError(f"network.{tier}[{i}]", f"{cidr} is outside the VPC CIDR {self.vpc_cidr}")
                placed.append((f"network.{tier}[{i}]", cidr))
        for (field_a, a), (field_b, b) in combinations(placed, 2):
            if a.overlaps(b):
                raise SettingError(field_b, f"{b} overlaps {a} ({field_a})")
        return self


class Security(_Frozen):
    alb_integration: StrictBool
    team_members: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9_.+=,@-]+$")], ...]
    ecs_task_port: Annotated[StrictInt, Field(ge=1, le=65535)]
    database_port: Annotated[StrictInt, Field(ge=1, le=65535)]


# Aurora's window syntax: "hh:mm-hh:mm" (backups) and "ddd:hh:mm-ddd:hh:mm" (maintenance), UTC.
BackupWindow = Annotated[StrictStr, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
MaintenanceWindow = Annotated[StrictStr, StringConstraints(
    pattern=r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")]
ParameterRoot = Annotated[StrictStr, StringConstraints(pattern=r"^/[a-z0-9][a-z0-9._-]*$")]
Capacity = Annotated[float, Field(ge=0, le=256, multiple_of=0.5, strict=False)]


class Database(_Frozen):
    """03-database: the Aurora MySQL (serverless v2) cluster. Its port is `security.database_port`."""

    engine_version: Annotated[StrictStr, StringConstraints(pattern=r"^8\.0\.mysql_aurora\.\d+\.\d+\.\d+$")]
    instance_class: StrictStr
    db_name: Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,63}$")]
    master_username: Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,15}$")]
    backup_retention_days: Annotated[StrictInt, Field(ge=1, le=35)]
    backup_window: BackupWindow
    maintenance_window: MaintenanceWindow
    storage_encrypted: StrictBool
    performance_insights: StrictBool
    performance_insights_retention_days: Annotated[StrictInt, Field(ge=7, le=731)]
    monitoring_interval: Annotated[StrictInt, Field(ge=0, le=60)]
    min_capacity: Capacity
    max_capacity: Capacity
    deletion_protection: StrictBool
    skip_final_snapshot: StrictBool
    data_api: StrictBool
    # Aurora applies minor upgrades itself: Terraform then leaves the running engine version alone.
    minor_upgrades_by_aws: StrictBool

    @model_validator(mode="after")
    def _consistent(self) -> "Database":
        if self.max_capacity < self.min_capacity:
            raise SettingError("database.max_capacity",
                               f"{self.max_capacity} is below database.min_capacity {self.min_capacity}")
        if self.monitoring_interval not in (0, 1, 5, 10, 15, 30, 60):
            raise SettingError("database.monitoring_interval",
                               f"{self.monitoring_interval} is not one of 0, 1, 5, 10, 15, 30, 60 (seconds)")
        if self.performance_insights_retention_days not in (7, 731) and self.performance_insights_retention_days % 31:
            raise SettingError("database.performance_insights_retention_days",
                               f"{self.performance_insights_retention_days} is not 7, 731 or a multiple of 31")
        return self


class ParameterStore(_Frozen):
    """04-parameter-store: the SSM parameters that replace Spring Cloud Config.

    `name_root` is what the deployed parameter names start with (the Oregon tree wrote
    `/petclinic-seoul` for every environment); `read_prefix` is the original `parameter_prefix`
    variable, which only scopes the read policy and is reported in the outputs."""

    name_root: ParameterRoot
    read_prefix: ParameterRoot
    common: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-zA-Z0-9._-]+$")], StrictStr]
    server_ports: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")],
                       Annotated[StrictInt, Field(ge=1, le=65535)]]
    # The Oregon tree set `overwrite = true`; the Seoul tree left it out (kept as deployed).
    overwrite: StrictBool | None = None


class CloudMap(_Frozen):
    """05-cloud-map: the private DNS namespace and one service registration per microservice."""

    namespace: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*\.[a-z]+$")]
    services: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")], ...] = Field(min_length=1)
    dns_ttl: Annotated[StrictInt, Field(ge=0, le=86400)]

    @model_validator(mode="after")
    def _unique(self) -> "CloudMap":
        if len(set(self.services)) != len(self.services):
            raise SettingError("cloud_map.services", f"lists a service twice: {list(self.services)}")
        return self


class LambdaGenai(_Frozen):
    """06-lambda-genai: the Bedrock assistant's model and the function's size, time and log settings."""

    bedrock_model_id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9-]+\.[a-zA-Z0-9.:_-]+$")]
    runtime: Annotated[StrictStr, StringConstraints(pattern=r"^python3\.\d+$")]
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=900)]
    memory_mb: Annotated[StrictInt, Field(ge=128, le=10240)]
    log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                                2557, 2922, 3288, 3653]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"]


LogRetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                           2557, 2922, 3288, 3653]
HttpMethod = Literal["ANY", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
# One API Gateway path part: a literal segment or a `{variable}` (the greedy `{proxy+}` is the
# construct's own catch-all, not route data).
PATH_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._-]+|\{[A-Za-z][A-Za-z0-9]*\})$")
ServiceName = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
IntegrationTimeout = Annotated[StrictInt, Field(ge=50, le=29000)]


class ApiRoute(_Frozen):
    """An explicit route below a service's path (`owners/{ownerId}`), with the methods it answers.
    Path variables become required request parameters passed through to the integration."""

    path: Annotated[StrictStr, StringConstraints(min_length=1)]
    methods: tuple[HttpMethod, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _well_formed(self) -> "ApiRoute":
        for segment in self.path.split("/"):
            if not PATH_SEGMENT.match(segment):
                raise ValueError(f"{self.path!r}: segment {segment!r} is neither a name nor a {{variable}}")
        if len(set(self.methods)) != len(self.methods):
            raise ValueError(f"{self.path!r} lists a method twice: {list(self.methods)}")
        return self


class ApiService(_Frozen):
    """One service behind the API: `/api/<name>` (parent "api") or `/<name>` (parent "root"), any
    method on it and on `{proxy+}` below it, sent to the ALB (HTTP_PROXY, the same path) or to the
    GenAI Lambda (AWS_PROXY)."""

    parent: Literal["api", "root"]
    target: Literal["alb", "lambda"]
    description: StrictStr
    routes: tuple[ApiRoute, ...] = ()

    @model_validator(mode="after")
    def _routes_unique(self) -> "ApiService":
        paths = [r.path for r in self.routes]
        if len(set(paths)) != len(paths):
            raise ValueError(f"routes list a path twice: {paths}")
        if self.routes and self.target != "alb":
            raise ValueError("explicit routes are only for ALB services (a Lambda gets the whole path)")
        return self


class ApiCors(_Frozen):
    """The CORS preflight answer (a MOCK OPTIONS method) on every service path and catch-all."""

    enabled: StrictBool
    allow_headers: StrictStr
    allow_methods: StrictStr
    allow_origin: StrictStr


class ApiAlarm(_Frozen):
    """A CloudWatch alarm on one API Gateway metric of the stage."""

    metric: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9]+$")]
    statistic: Literal["Sum", "Average", "Minimum", "Maximum", "SampleCount"]
    threshold: Annotated[int | float, Field(ge=0)]
    description: StrictStr


class WafRateRule(_Frozen):
    """A per-IP rate-based WAF rule (over the provider's default 5-minute window)."""

    name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    priority: Annotated[StrictInt, Field(ge=0)]
    limit: Annotated[StrictInt, Field(ge=10, le=2_000_000_000)]
    action: Literal["ALLOW", "BLOCK", "COUNT"]


class ApiWaf(_Frozen):
    """The regional WAF web ACL on the API stage: rate rules scoped to one URI part, then SQL
    injection and XSS rules on the request body."""

    enabled: StrictBool
    rate_rules: tuple[WafRateRule, ...]
    rate_rule_scope: Annotated[StrictStr, StringConstraints(min_length=1)]
    sqli_priority: Annotated[StrictInt, Field(ge=0)]
    xss_priority: Annotated[StrictInt, Field(ge=0)]
    blocked_alarm_threshold: Annotated[StrictInt, Field(ge=0)]

    @model_validator(mode="after")
    def _priorities_unique(self) -> "ApiWaf":
        priorities = [r.priority for r in self.rate_rules] + [self.sqli_priority, self.xss_priority]
        if len(set(priorities)) != len(priorities):
            raise SettingError("api_gateway.waf", f"rule priorities must differ (got {priorities})")
        names = [r.name for r in self.rate_rules]
        if len(set(names)) != len(names):
            raise SettingError("api_gateway.waf.rate_rules", f"names a rule twice: {names}")
        return self


class ApiGateway(_Frozen):
    """08-api-gateway: the REST API that replaces Spring Cloud Gateway, its routes as data
    (`services`, in the order of their names), the stage and its throttling, CORS, WAF and alarms."""

    description: StrictStr
    stage_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    services: dict[ServiceName, ApiService] = Field(min_length=1)
    throttle_rate_limit: Annotated[StrictInt, Field(ge=0)]
    throttle_burst_limit: Annotated[StrictInt, Field(ge=0)]
    integration_timeout_ms: IntegrationTimeout
    lambda_integration_timeout_ms: IntegrationTimeout
    minimum_compression_size: Annotated[StrictInt, Field(ge=0, le=10485760)]
    api_key_source: Literal["HEADER", "AUTHORIZER"]
    binary_media_types: tuple[StrictStr, ...]
    xray_tracing: StrictBool
    log_retention_days: LogRetentionDays
    cors: ApiCors
    alarms: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9-]+$")], ApiAlarm]
    throttled_alarm_threshold: Annotated[StrictInt, Field(ge=0)]
    waf: ApiWaf

    @model_validator(mode="after")
    def _burst_covers_rate(self) -> "ApiGateway":
        if self.throttle_burst_limit < self.throttle_rate_limit:
            raise SettingError("api_gateway.throttle_burst_limit",
                               f"{self.throttle_burst_limit} is below api_gateway.throttle_rate_limit "
                               f"{self.throttle_rate_limit}")
        return self


class AwsNative(_Frozen):
    """09-aws-native: the POST route to the GenAI Lambda at the API's root, its invoke permission,
    and the alarms and dashboard that join API Gateway and Lambda.

    `genai_parent_resource_id` and `monitored_api_name` are literals the original wrote (a root
    resource id of a past deployment, and an API name that is not the deployed API's). The first is
    only the fallback until 08's state exports the API's root; the second is kept as deployed (see
    docs/design.md)."""

    genai_path_part: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9._-]+$")]
    genai_method: HttpMethod
    genai_parent_resource_id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9]{10}$")]
    require_api_key: StrictBool
    genai_integration_timeout_ms: IntegrationTimeout
    monitored_api_name: StrictStr
    api_4xx_threshold: Annotated[int | float, Field(ge=0)]
    lambda_error_threshold: Annotated[int | float, Field(ge=0)]

LogRetention = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                       3288, 3653]
ServiceKey = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9]*$", max_length=20)]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
TARGET_GROUP_NAME_MAX = 32  # ELB's limit; a service's target group is named <name_prefix>-<service>
# Fargate's task sizes: CPU units and, per CPU size, the memory (MiB) it accepts.
FARGATE_MEMORY = {256: (512, 1024, 2048), 512: tuple(range(1024, 4097, 1024)), 1024: tuple(range(2048, 8193, 1024)),
                  2048: tuple(range(4096, 16385, 1024)), 4096: tuple(range(8192, 30721, 1024))}


class Service(_Frozen):
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


class TaskRule(_Frozen):
    """A security-group rule of 07-application around the tasks. `group` is the group it is added to,
    `peer` the other side: `alb`, `ecs` or `self` (a group) or an IPv4 CIDR."""

    group: Literal["ecs", "aurora"]
    direction: Literal["ingress", "egress"]
    port: Port
    peer: StrictStr
    description: Annotated[StrictStr, StringConstraints(min_length=1, max_length=255)]


class WebAcl(_Frozen):
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


class Alb(_Frozen):
    ingress_cidrs_ipv4: tuple[IPv4Network, ...]
    ingress_ipv6_any: StrictBool
    default_target_port: Port
    default_health_check_path: StrictStr
    waf: WebAcl
    # An ACM certificate in the environment's region: HTTPS on 443 (the design document's listener),
    # port 80 redirects to it and the path rules move to it. None (as deployed): port 80 forwards.
    certificate_arn: CertificateArn | None = None
    ssl_policy: Annotated[StrictStr, StringConstraints(pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")] = \
        "ELBSecurityPolicy-TLS13-1-2-2021-06"


class CapacityShare(_Frozen):
    """A Fargate capacity provider's share of the tasks: `base` tasks first, then `weight` parts."""

    base: Annotated[StrictInt, Field(ge=0, le=100000)] = 0
    weight: Annotated[StrictInt, Field(ge=0, le=1000)]


class ServiceAlarms(_Frozen):
    enabled: StrictBool
    cpu_percent: Annotated[StrictInt, Field(gt=0, le=100)]
    memory_percent: Annotated[StrictInt, Field(gt=0, le=100)]
    response_time_seconds: Annotated[StrictInt, Field(gt=0)]
    errors_5xx: Annotated[StrictInt, Field(ge=0)]


class DebugHosts(_Frozen):
    """The bastion host in a public subnet (SSH, and MySQL to Aurora) for debugging."""

    enabled: StrictBool
    instance_type: StrictStr
    key_pair: StrictStr
    ssh_cidrs: tuple[IPv4Network, ...]
    ami_name_pattern: StrictStr


class ContinuousDelivery(_Frozen):
    """The GitHub Actions role that pushes images and deploys the services (OIDC web identity)."""

    role_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")]
    policy_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9+=,.@_-]{1,128}$")]
    repository: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    parameter_root: ParameterRoot   # the parameter hierarchy the role may read


class Application(_Frozen):
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
    alarm_actions: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^arn:aws[a-z-]*:sns:")], ...] = ()
    # Parameter names the tasks read that something outside these stacks creates.
    external_parameters: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^/[A-Za-z0-9/_.-]+$")], ...] = ()
    task_rules: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], TaskRule]
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


TAG_PLACEHOLDERS = ("environment", "layer", "region", "name_prefix")
TAG_BASES = ("tags", "module_tags", "none")


class TagSet(_Frozen):
    """A tag recipe of the original, as data: an environment tag map to start from (`tags`,
    `module_tags` or `none`) and the keys the original added to it. Values may hold the placeholders
    `{environment}`, `{layer}`, `{region}` and `{name_prefix}`."""

    base: Literal["tags", "module_tags", "none"]
    add: Tags = Field(default_factory=dict)

LogRetention = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653]
ResourceId = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
AlarmName = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9._-]+$", max_length=255)]
Comparison = Literal["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
                     "LessThanOrEqualToThreshold"]
Statistic = Literal["Average", "Sum", "Minimum", "Maximum", "SampleCount"]
AlarmPeriod = Annotated[StrictInt, Field(ge=10)]


class MetricAlarmSpec(_Frozen):
    """One CloudWatch metric alarm as data. `watches` names what its dimensions point at (the layer
    knows each one's dimension values); `id` is its address."""

    id: ResourceId
    name: AlarmName
    namespace: StrictStr
    metric: StrictStr
    statistic: Statistic
    comparison: Comparison
    threshold: Annotated[float, Field(strict=False)]
    evaluation_periods: Annotated[StrictInt, Field(ge=1)]
    period: AlarmPeriod
    description: Annotated[StrictStr, StringConstraints(max_length=1024)]
    watches: StrictStr = "none"


class LogMetricSpec(_Frozen):
    """A log metric filter: a pattern on a log group (`log_group` names which) counted into a metric."""

    id: ResourceId
    name: StrictStr
    pattern: StrictStr
    metric: StrictStr
    namespace: StrictStr
    value: StrictStr
    log_group: StrictStr


def _unique_ids(section: str, field: str, items: tuple) -> None:
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise SettingError(f"{section}.{field}", f"lists an id twice: {ids}")


class Monitoring(_Frozen):
    """10-monitoring: the platform dashboard, the alarms and log metrics, and the CloudTrail audit trail.

    The watched API and Lambda names are literals in the original (`petclinic-api`, which no layer
    creates, and the Oregon dev function even in Seoul); kept as deployed. Alarms `watches` one of
    `api_gateway`, `ecs_service`, `lambda`, `aurora` or `none`; log metrics read `ecs_service` or
    `cloudtrail`."""

    watched_api_name: StrictStr
    watched_lambda_name: StrictStr
    watched_service: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    log_retention_days: LogRetention
    alarms: tuple[MetricAlarmSpec, ...]
    log_metrics: tuple[LogMetricSpec, ...]
    alert_email_configured: StrictBool
    trail_log_retention_days: LogRetention
    trail_s3_key_prefix: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9/_-]*$")]
    trail_kms_alias: Annotated[StrictStr, StringConstraints(pattern=r"^alias/[a-zA-Z0-9/_-]+$")]
    trail_key_deletion_window_days: Annotated[StrictInt, Field(ge=7, le=30)]
    security_alarms: tuple[MetricAlarmSpec, ...]
    security_log_metrics: tuple[LogMetricSpec, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Monitoring":
        for field, items in (("alarms", self.alarms), ("log_metrics", self.log_metrics),
                             ("security_alarms", self.security_alarms),
                             ("security_log_metrics", self.security_log_metrics)):
            _unique_ids("monitoring", field, items)
        for field, alarms in (("alarms", self.alarms), ("security_alarms", self.security_alarms)):
            for i, alarm in enumerate(alarms):
                if alarm.watches not in WATCHED:
                    raise SettingError(f"monitoring.{field}[{i}].watches",
                                       f"{alarm.watches!r} is not one of {', '.join(sorted(WATCHED))}")
                if alarm.period not in (10, 20, 30) and alarm.period % 60:
                    raise SettingError(f"monitoring.{field}[{i}].period",
                                       f"{alarm.period} is not 10, 20, 30 or a multiple of 60 seconds")
        for field, metrics in (("log_metrics", self.log_metrics), ("security_log_metrics", self.security_log_metrics)):
            for i, metric in enumerate(metrics):
                if metric.log_group not in LOG_SOURCES:
                    raise SettingError(f"monitoring.{field}[{i}].log_group",
                                       f"{metric.log_group!r} is not one of {', '.join(sorted(LOG_SOURCES))}")
        return self


WATCHED = frozenset({"api_gateway", "ecs_service", "lambda", "aurora", "none"})
LOG_SOURCES = frozenset({"ecs_service", "cloudtrail"})


class Frontend(_Frozen):
    """11-frontend: the static site bucket and its CloudFront distribution."""

    versioning: StrictBool
    access_logging: StrictBool
    log_retention_days: LogRetention
    cors: StrictBool
    cors_allowed_origins: tuple[StrictStr, ...] = Field(min_length=1)
    price_class: Literal["PriceClass_All", "PriceClass_200", "PriceClass_100"]
    spa_routing: StrictBool
    api_origin_path: Annotated[StrictStr, StringConstraints(pattern=r"^/[a-z0-9_-]+$")]
    viewer_protocol_policy: Literal["allow-all", "redirect-to-https", "https-only"]
    minimum_protocol_version: Literal["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021"]
    monitoring: StrictBool
    error_4xx_threshold_percent: Annotated[float, Field(ge=0, le=100, strict=False)]
    error_5xx_threshold_percent: Annotated[float, Field(ge=0, le=100, strict=False)]
    error_4xx_description: Annotated[StrictStr, StringConstraints(max_length=1024)]
    error_5xx_description: Annotated[StrictStr, StringConstraints(max_length=1024)]


class Notification(_Frozen):
    """12-notification: the alerts topic and the Slack notifier. The webhook URL is not here: it
    lives in a Secrets Manager secret the stack creates empty (see the README)."""

    topic: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    slack_channel: Annotated[StrictStr, StringConstraints(pattern=r"^#[a-z0-9_-]+$")]
    email_endpoint: Annotated[StrictStr, StringConstraints(pattern=r"^([^@\s]+@[^@\s]+)?$")] = ""
    runtime: Annotated[StrictStr, StringConstraints(pattern=r"^python3\.\d+$")]
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=900)]
    log_retention_days: LogRetention
    test_alarm: StrictBool
    test_alarm_description: Annotated[StrictStr, StringConstraints(max_length=1024)]


class Environment(_Frozen):
    """One deployment environment: every value a layer needs, and nothing computed."""

    name: Name                      # the PETCLINIC_ENV value and the file name
    # "as-deployed" (real states exist: keep the deployed platform) or "to-be" (realize the design):
    # the default of every design switch (envs/_switches.toml, settings/profile.py).
    profile: Literal["as-deployed", "to-be"]
    environment: Name               # the label in resource names, tags and state keys
    name_prefix: Name
    region: Region
    state: StateBackend
    default_tags: Tags
    module_tags: Tags
    tags: Tags
    # Per layer (key = the layer name) and per named recipe inside a layer ("02-security/task-execution").
    tag_sets: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-z][0-9a-z/-]*$")], TagSet]
    network: Network
    security: Security
    database: Database
    parameter_store: ParameterStore
    cloud_map: CloudMap
    lambda_genai: LambdaGenai
    api_gateway: ApiGateway
    aws_native: AwsNative
    application: Application
    monitoring: Monitoring
    frontend: Frontend
    notification: Notification

    @model_validator(mode="after")
    def _azs_in_region(self) -> "Environment":
        for i, az in enumerate(self.network.azs):
            if az[:-1] != self.region:
                raise SettingError(f"network.azs[{i}]", f"{az} is not in the region {self.region}")
        return self

    @model_validator(mode="after")
    def _services_registered(self) -> "Environment":
        for key in sorted(self.application.services):
            if key not in self.cloud_map.services:
                raise SettingError(f"application.services.{key}",
                                   "has no Cloud Map service to register with (add it to cloud_map.services)")
            if len(f"{self.name_prefix}-{key}") > TARGET_GROUP_NAME_MAX:
                raise SettingError(f"application.services.{key}",
                                   f"{self.name_prefix}-{key} is longer than a target group name may be "
                                   f"({TARGET_GROUP_NAME_MAX} characters); choose a shorter service key")
        return self

    @model_validator(mode="after")
    def _tag_placeholders_known(self) -> "Environment":
        for name, tag_set in self.tag_sets.items():
            for key, value in tag_set.add.items():
                for placeholder in re.findall(r"\{([a-z_]+)\}", value):
                    if placeholder not in TAG_PLACEHOLDERS:
                        raise SettingError(f"tag_sets.{name}.add.{key}", f"unknown placeholder {{{placeholder}}} "
                                           f"(known: {', '.join('{' + p + '}' for p in TAG_PLACEHOLDERS)})")
        return self

    def tag_set(self, name: str, layer: str) -> dict[str, str]:
        """The tags of the recipe `name`, placeholders filled in for `layer`."""
        if name not in self.tag_sets:
            raise KeyError(f"no tag set {name!r} in the environment data (tag_sets); known: {sorted(self.tag_sets)}")
        recipe = self.tag_sets[name]
        base = {"tags": self.tags, "module_tags": self.module_tags, "none": {}}[recipe.base]
        values = {"environment": self.environment, "layer": layer, "region": self.region,
                  "name_prefix": self.name_prefix}
        def fill(value: str) -> str:
            return re.sub(r"\{([a-z_]+)\}", lambda m: values[m[1]], value)
        return {**base, **{key: fill(value) for key, value in recipe.add.items()}}

    def state_key(self, layer: str) -> str:
        return f"{self.environment}/{layer}/terraform.tfstate"
