"""Monthly differences: per resource between two estimates (a pull request's Markdown block), and
per layer side by side (As-Is against To-Be)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tools.cost.estimate import Estimate, estimate_folder
from tools.cost.render import money


@dataclass(frozen=True)
class ResourceDelta:
    layer: str
    address: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def _per_resource(estimate: Estimate) -> dict[tuple[str, str], float]:
    table: dict[tuple[str, str], float] = defaultdict(float)
    for line in estimate.lines:
        table[(line.layer, line.address)] += line.monthly
    return table


def differences(before: Estimate, after: Estimate) -> list[ResourceDelta]:
    old, new = _per_resource(before), _per_resource(after)
    deltas = [ResourceDelta(layer, address, old.get((layer, address), 0.0), new.get((layer, address), 0.0))
              for layer, address in sorted(set(old) | set(new))]
    return sorted((d for d in deltas if abs(d.delta) >= 0.005), key=lambda d: (-abs(d.delta), d.layer, d.address))


def monthly_difference(before_dir: Path, after_dir: Path, env: str) -> tuple[float, list[ResourceDelta]]:
    """The design ladder's question: what a step adds (or saves) a month, in total and per resource."""
    before, after = estimate_folder(Path(before_dir), env), estimate_folder(Path(after_dir), env)
    return after.total - before.total, differences(before, after)


def signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + money(abs(value))


def difference_markdown(before: Estimate, after: Estimate, before_label: str, after_label: str) -> str:
    deltas = differences(before, after)
    rows = [f"#### Monthly cost: {signed(after.total - before.total)} ({before.env}, {after.region})", "",
            f"{before_label}: {money(before.total)} → {after_label}: {money(after.total)} a month", ""]
    if not deltas:
        return "\n".join(rows + ["No resource changes its monthly cost."]) + "\n"
    rows += ["| layer | resource | before | after | difference |", "|---|---|---:|---:|---:|"]
    rows += [f"| {d.layer} | `{d.address}` | {money(d.before)} | {money(d.after)} | {signed(d.delta)} |"
             for d in deltas]
    return "\n".join(rows) + "\n"


def side_by_side_markdown(as_is: Estimate, to_be: Estimate) -> str:
    old, new = as_is.by_layer(), to_be.by_layer()
    rows = [f"#### {as_is.env}: As-Is beside To-Be (a month)", "",
            "| layer | As-Is | To-Be | difference |", "|---|---:|---:|---:|"]
    for layer in sorted(set(old) | set(new)):
        a = sum(old.get(layer, {}).values())
        b = sum(new.get(layer, {}).values())
        rows.append(f"| {layer} | {money(a)} | {money(b)} | {signed(b - a)} |")
    rows.append(f"| **total** | **{money(as_is.total)}** | **{money(to_be.total)}** | "
                f"**{signed(to_be.total - as_is.total)}** |")
    return "\n".join(rows) + "\n"
