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


TAG_PLACEHOLDERS = ("environment", "layer", "region", "name_prefix")
TAG_BASES = ("tags", "module_tags", "none")


class TagSet(_Frozen):
    """A tag recipe of the original, as data: an environment tag map to start from (`tags`,
    `module_tags` or `none`) and the keys the original added to it. Values may hold the placeholders
    `{environment}`, `{layer}`, `{region}` and `{name_prefix}`."""

    base: Literal["tags", "module_tags", "none"]
    add: Tags = Field(default_factory=dict)


class Environment(_Frozen):
    """One deployment environment: every value a layer needs, and nothing computed."""

    name: Name                      # the PETCLINIC_ENV value and the file name
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

    @model_validator(mode="after")
    def _azs_in_region(self) -> "Environment":
        for i, az in enumerate(self.network.azs):
            if az[:-1] != self.region:
                raise SettingError(f"network.azs[{i}]", f"{az} is not in the region {self.region}")
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
