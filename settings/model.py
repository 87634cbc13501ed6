"""The typed, immutable settings of one environment, as read from `envs/<name>.toml`.

Field-level checks (types, CIDR syntax, required fields) are pydantic's; the checks that relate
fields to each other (subnets inside the VPC, no overlaps, AZs in the region, one subnet of each
tier per AZ) live in `Environment`'s validators. Nothing here knows about layers or cdktf.
"""
from __future__ import annotations

from ipaddress import IPv4Network
from itertools import combinations
from typing import Annotated

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
    network: Network
    security: Security

    @model_validator(mode="after")
    def _azs_in_region(self) -> "Environment":
        for i, az in enumerate(self.network.azs):
            if az[:-1] != self.region:
                raise SettingError(f"network.azs[{i}]", f"{az} is not in the region {self.region}")
        return self

    def state_key(self, layer: str) -> str:
        return f"{self.environment}/{layer}/terraform.tfstate"
