"""The estimate as text, JSON (stable: sorted, rounded) or Markdown."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tools.cost.estimate import Estimate

NOT_IN_DESIGN = "not in §13.1"


def money(value: float) -> str:
    return f"${value:,.2f}"


def design_range(estimate: Estimate, service: str) -> str:
    line = estimate.design.for_service(service)
    if line is None:
        return NOT_IN_DESIGN
    return money(line.low) if line.low == line.high else f"{money(line.low)}–{money(line.high)}"


def free_by_type(estimate: Estimate) -> list[tuple[str, int, str]]:
    """The free resources grouped: (type, how many, why free)."""
    counts = Counter(item.type for item in estimate.free)
    reasons = {item.type: item.reason for item in estimate.free}
    return [(name, counts[name], reasons[name]) for name in sorted(counts)]


def as_dict(estimate: Estimate) -> dict[str, Any]:
    def r(value: float) -> float:
        return round(value, 4)

    layers = estimate.by_layer()
    total = estimate.design.total
    return {
        "env": estimate.env,
        "region": estimate.region,
        "hours_per_month": estimate.hours_per_month,
        "total": {"monthly": r(estimate.total), "fixed": r(sum(v["fixed"] for v in layers.values())),
                  "usage": r(sum(v["usage"] for v in layers.values())),
                  "design": {"low": total["low"], "high": total["high"], "label": total["label"]}},
        "layers": [{"layer": name, "fixed": r(v["fixed"]), "usage": r(v["usage"]),
                    "monthly": r(v["fixed"] + v["usage"])} for name, v in layers.items()],
        "services": [{"service": name, "monthly": r(value), "design": design_range(estimate, name)}
                     for name, value in estimate.by_service().items()],
        "lines": [{"layer": l.layer, "address": l.address, "type": l.type, "service": l.service,
                   "component": l.component, "kind": l.kind, "quantity": r(l.quantity), "unit_price": l.unit_price,
                   "monthly": r(l.monthly), "assumption": l.assumption, "price_basis": l.price_basis,
                   "unverified_price": l.unverified, "design": design_range(estimate, l.service)}
                  for l in estimate.lines],
        "free": [{"layer": f.layer, "address": f.address, "type": f.type, "reason": f.reason} for f in estimate.free],
    }


def to_json(estimate: Estimate) -> str:
    return json.dumps(as_dict(estimate), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def layer_table(estimate: Estimate) -> str:
    rows = ["| layer | fixed | usage-based | monthly |", "|---|---:|---:|---:|"]
    for name, v in estimate.by_layer().items():
        rows.append(f"| {name} | {money(v['fixed'])} | {money(v['usage'])} | {money(v['fixed'] + v['usage'])} |")
    total = estimate.design.total
    rows.append(f"| **total** ({estimate.env}, {estimate.region}) | | | **{money(estimate.total)}** "
                f"(§13.1: {money(total['low'])}–{money(total['high'])}) |")
    return "\n".join(rows)


def service_table(estimate: Estimate) -> str:
    rows = ["| service | monthly | §13.1 |", "|---|---:|---|"]
    rows += [f"| {name} | {money(value)} | {design_range(estimate, name)} |"
             for name, value in estimate.by_service().items()]
    return "\n".join(rows)


def largest_items(estimate: Estimate, how_many: int = 3) -> str:
    rows = []
    for layer, address, monthly, lines in estimate.largest(how_many):
        rows.append(f"- **{layer}/{address}** — {money(monthly)} a month")
        for line in lines:
            if line.monthly:
                why = f" — {line.assumption}" if line.assumption else ""
                rows.append(f"  - {line.component}: {line.quantity:,.2f} × ${line.unit_price:g}"
                            f" = {money(line.monthly)} ({line.kind}){why}")
    return "\n".join(rows)


def to_markdown(estimate: Estimate) -> str:
    unverified = sorted({l.type for l in estimate.lines if l.unverified})
    title = f"### {estimate.env} ({estimate.region}): {money(estimate.total)} a month ({estimate.hours_per_month:g} h)"
    parts = [title,
             "", layer_table(estimate), "", service_table(estimate), "", "Largest line items:", "",
             largest_items(estimate)]
    if unverified:
        parts += ["", f"Priced with a figure the search did not confirm (see the price file): {', '.join(unverified)}"]
    free = free_by_type(estimate)
    parts += ["", f"<details><summary>{len(estimate.free)} resources that cost nothing by themselves</summary>", "",
              "| type | count | why |", "|---|---:|---|"]
    parts += [f"| {name} | {count} | {reason} |" for name, count, reason in free]
    parts += ["", "</details>"]
    return "\n".join(parts) + "\n"


def to_text(estimate: Estimate) -> str:
    out = [f"{estimate.env} ({estimate.region}), {estimate.hours_per_month:g} hours a month"]
    for layer in estimate.layers:
        lines = [l for l in estimate.lines if l.layer == layer]
        if not lines:
            continue
        out.append(f"\n{layer}: {money(sum(l.monthly for l in lines))}")
        for l in lines:
            flag = " [unverified price]" if l.unverified else ""
            why = f"  <- {l.assumption}" if l.assumption else ""
            out.append(f"  {l.address:55} {l.component:40} {l.kind:5} {money(l.monthly):>10}{flag}{why}")
    out.append("\nby service (beside §13.1):")
    out += [f"  {name:22} {money(value):>10}   {design_range(estimate, name)}"
            for name, value in estimate.by_service().items()]
    out.append(f"\nfree ({len(estimate.free)} resources):")
    out += [f"  {name:45} x{count:<3} {reason}" for name, count, reason in free_by_type(estimate)]
    total = estimate.design.total
    out.append(f"\ntotal {money(estimate.total)} a month (§13.1: {money(total['low'])}–{money(total['high'])})")
    return "\n".join(out) + "\n"


RENDERERS = {"text": to_text, "json": to_json, "markdown": to_markdown}
