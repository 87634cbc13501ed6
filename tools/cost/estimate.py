"""The estimate of one synthesized environment: every resource instance priced (or listed as free
with the reason), monthly, per layer, fixed and usage-based apart, beside the design's §13.1 lines."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tools.cost.charges import Charge, Context, Unpriced
from tools.cost.data import Design, Price, PriceFile, Usage, load_design, load_free, load_prices, load_usage
from tools.cost.rules import RULES
from tools.cost.stacks import Instance, StackError, Stacks, load_stacks


@dataclass(frozen=True)
class Line:
    layer: str
    address: str
    type: str
    service: str
    component: str
    kind: str  # fixed | usage | free
    quantity: float
    unit_price: float
    monthly: float
    assumption: str
    price_basis: str
    unverified: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return self.layer, self.address, self.component


@dataclass(frozen=True)
class Free:
    layer: str
    address: str
    type: str
    reason: str


@dataclass(frozen=True)
class Estimate:
    env: str
    region: str
    hours_per_month: float
    lines: tuple[Line, ...]
    free: tuple[Free, ...]
    layers: tuple[str, ...]
    design: Design

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def by_layer(self) -> dict[str, dict[str, float]]:
        table = {layer: {"fixed": 0.0, "usage": 0.0} for layer in self.layers}
        for line in self.lines:
            if line.kind != "free":
                table[line.layer][line.kind] += line.monthly
        return table

    def by_service(self) -> dict[str, float]:
        table: dict[str, float] = defaultdict(float)
        for line in self.lines:
            table[line.service] += line.monthly
        return dict(sorted(table.items(), key=lambda item: -item[1]))

    def largest(self, how_many: int = 3) -> list[tuple[str, str, float, list[Line]]]:
        """The resources that cost most: (layer, address, monthly, their lines)."""
        grouped: dict[tuple[str, str], list[Line]] = defaultdict(list)
        for line in self.lines:
            grouped[(line.layer, line.address)].append(line)
        ranked = sorted(grouped.items(), key=lambda item: (-sum(l.monthly for l in item[1]), item[0]))
        return [(layer, address, sum(l.monthly for l in lines), lines) for (layer, address), lines in ranked[:how_many]]


def _priced(instance: Instance, charges: list[Charge], table: dict[str, Price]) -> list[Line]:
    lines = []
    for charge in charges:
        if charge.price_key is None:
            lines.append(Line(instance.layer, instance.address, instance.type, charge.service, charge.component,
                              "free", 0.0, 0.0, 0.0, charge.assumption, "free", False))
            continue
        price = table.get(charge.price_key)
        if price is None or (charge.discount_key and charge.discount_key not in table):
            raise Unpriced(f"{instance.type} at {instance.layer}/{instance.address}: no price "
                           f"'{charge.price_key}' in the {instance.region} price file")
        unit_price = price.value * (1 - table[charge.discount_key].value if charge.discount_key else 1)
        note = " ".join(filter(None, [instance.note, charge.assumption]))
        lines.append(Line(instance.layer, instance.address, instance.type, charge.service, charge.component,
                          charge.kind, charge.quantity, unit_price, charge.quantity * unit_price, note,
                          price.basis, price.unverified))
    return lines


def estimate(stacks: Stacks, env: str, usage: Usage, prices: dict[str, PriceFile], free: dict[str, str],
             design: Design, layer: str | None = None) -> Estimate:
    """Every instance priced or listed free; any other fails, after all of them are looked at."""
    context = Context(stacks, usage)
    lines: list[Line] = []
    free_items: list[Free] = []
    unpriced: list[str] = []
    for instance in stacks.instances:
        if layer and instance.layer != layer:
            continue
        rule = RULES.get(instance.type)
        if rule is None and instance.type in free:
            free_items.append(Free(instance.layer, instance.address, instance.type, free[instance.type]))
        elif rule is None:
            unpriced.append(f"{instance.type} at {instance.layer}/{instance.address}: "
                            "no price rule and not listed as free")
        else:
            try:
                lines += _priced(instance, rule(instance, context), prices[instance.region].prices)
            except Unpriced as error:
                unpriced.append(str(error))
    if unpriced:
        more = f" (and {len(unpriced) - 1} more)" if len(unpriced) > 1 else ""
        raise Unpriced(f"unpriced resource: {unpriced[0]}{more}")
    layers = (layer,) if layer else stacks.layers
    return Estimate(env, stacks.region, usage.hours_per_month, tuple(lines), tuple(free_items), layers, design)


def estimate_folder(folder: Path, env: str, usage_file: Path | None = None, layer: str | None = None,
                    prices_dir: Path | None = None) -> Estimate:
    stacks = load_stacks(folder)
    if layer and layer not in stacks.layers:
        raise StackError(f"{folder}: no layer '{layer}' (layers: {', '.join(stacks.layers)})")
    prices = {region: load_prices(region, prices_dir) if prices_dir else load_prices(region)
              for region in stacks.regions}
    return estimate(stacks, env, load_usage(env, usage_file), prices, load_free(), load_design(), layer)
