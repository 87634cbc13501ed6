"""What a pricing rule returns and what it may read.

A rule (tools/cost/rules_*.py, one function per resource type) returns `Charge`s: a quantity, the
price-file key it is multiplied by, whether it is fixed (the hours or months a resource exists, read
from the configuration) or usage-based (a figure from the usage file, whose `why` travels with the
charge), and the design-document service it belongs to.
A rule that meets a configuration it has no price for raises `Unpriced`: nothing goes unpriced in silence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tools.cost.data import Usage
from tools.cost.stacks import Instance, Stacks

SECONDS_PER_HOUR = 3600
REFERENCE = re.compile(r"^\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$")


class Unpriced(Exception):
    """A resource the estimate cannot price: the message names the type and the address."""


@dataclass(frozen=True)
class Charge:
    component: str
    quantity: float
    price_key: str | None  # None: free, `assumption` says why
    kind: str  # "fixed" | "usage" | "free"
    service: str
    assumption: str = ""
    discount_key: str | None = None  # a price-file fraction taken off the price (Fargate Spot)


@dataclass(frozen=True)
class Context:
    stacks: Stacks
    usage: Usage

    @property
    def hours(self) -> float:
        return self.usage.hours_per_month

    def figure(self, name: str) -> tuple[float, str]:
        figure = self.usage.figure(name)
        return figure.value, figure.why

    def shared(self, name: str, among: int, what: str) -> tuple[float, str]:
        value, why = self.figure(name)
        return value / max(among, 1), f"{why}; split evenly over {among} {what}"

    def referenced(self, instance: Instance, reference: object) -> Instance | None:
        match = REFERENCE.match(reference) if isinstance(reference, str) else None
        if not match:
            return None
        address = f"{match.group(1)}.{match.group(2)}"
        return next((i for i in self.stacks.instances if i.layer == instance.layer and i.address == address), None)

    def zones(self) -> tuple[int, str]:
        public = [i for i in self.stacks.of_type("aws_subnet") if "public" in i.address]
        return max(len(public), 1), f"{len(public)} public subnets (one per zone) in 01-network"


