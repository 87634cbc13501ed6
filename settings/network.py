"""01-network's settings: the VPC, its subnets per tier and AZ, and the endpoints."""
from __future__ import annotations

from ipaddress import IPv4Network
from itertools import combinations
from typing import Annotated

from pydantic import Field, StrictBool, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, SettingError

class Network(Frozen):
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
