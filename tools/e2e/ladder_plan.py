"""The pure parts of the ladder run (`python -m tools.e2e --ladder`): which ladder steps are applied,
what a plan (`show -json`) changes, and how that compares with the ladder's prediction for the step.

No terraform and no moto here: the run (tools/e2e/ladder_run.py) feeds these with what it read.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DATA_LOSS = "data-lost"          # tools.design.risk.RISK_ORDER's worst kind
# A prediction that a plan's action confirms (the ladder's action -> the plan's actions that match it).
MATCHES = {
    "create": {"create"}, "update": {"update"}, "replace": {"replace"}, "destroy": {"destroy"},
    "forget": {"forget"}, "move": {"move", "update"}, "maybe-replace": {"update", "replace"},
}


@dataclass(frozen=True)
class Planned:
    """A ladder step as the run takes it: the switch, its to-be value, the risk, what it needs first."""

    index: int                    # 1-based, the ladder's order
    path: str
    to_be: Any
    risk: str
    after: tuple[str, ...] = ()
    error: str = ""               # the ladder could not measure the step


@dataclass(frozen=True)
class Selection:
    applied: tuple[Planned, ...]
    skipped: tuple[tuple[Planned, str], ...]    # (step, why)


def select(steps: Sequence[Planned], accept_data_loss: bool, limit: int | None = None) -> Selection:
    """The steps to apply, in order; a step that loses data only with `accept_data_loss`, a step the
    ladder could not measure never, and a step after a skipped switch it names in `after` neither."""
    applied: list[Planned] = []
    skipped: list[tuple[Planned, str]] = []
    for step in steps:
        if limit is not None and len(applied) >= limit:
            skipped.append((step, f"not run: --ladder-steps {limit} stops before it"))
            continue
        gone = {s.path for s, _ in skipped}
        needs = [a for a in step.after if a in gone]
        if step.error:
            skipped.append((step, f"the ladder could not measure it: {step.error}"))
        elif step.risk == DATA_LOSS and not accept_data_loss:
            skipped.append((step, "the ladder says it loses data (risk data-lost): applied only with --accept-data-loss"))
        elif needs:
            skipped.append((step, f"it comes after {', '.join(needs)}, which was skipped"))
        else:
            applied.append(step)
    return Selection(tuple(applied), tuple(skipped))


def cumulative(applied: Sequence[Planned], upto: int) -> dict[str, Any]:
    """The switch values of the applied steps up to and including the `upto`-th (0-based) one."""
    return {s.path: s.to_be for s in applied[: upto + 1]}


def action_of(actions: Sequence[str]) -> str:
    """A plan's `resource_changes[].change.actions` as one word (the ladder's vocabulary)."""
    acts = list(actions)
    if acts in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if acts == ["delete"]:
        return "destroy"
    if acts in (["no-op"], ["read"]):
        return "none"
    return "+".join(acts)    # create, update, forget (a `removed` block that keeps the object)


def plan_changes(plan: Mapping[str, Any]) -> dict[str, str]:
    """address -> action of every change in a plan document (`terraform show -json <plan>`); a resource
    that only moves (`previous_address`, no other change) is "move"."""
    found: dict[str, str] = {}
    for change in plan.get("resource_changes") or []:
        if change.get("mode", "managed") != "managed":
            continue
        action = action_of(change["change"]["actions"])
        if action == "none":
            if change.get("previous_address") and change["previous_address"] != change["address"]:
                found[change["address"]] = "move"
            continue
        found[change["address"]] = action
    return found


def outputs_changed(plan: Mapping[str, Any]) -> list[str]:
    """The outputs a plan changes (a reader of the layer then has to be planned again)."""
    return sorted(name for name, change in (plan.get("output_changes") or {}).items()
                  if change.get("actions") not in (["no-op"], None))


@dataclass
class Comparison:
    """A step's applied changes against the ladder's prediction, by (layer, address)."""

    matched: list[tuple[str, str, str]] = field(default_factory=list)        # layer, address, action
    unpredicted: list[tuple[str, str, str]] = field(default_factory=list)    # applied, not predicted
    missing: list[tuple[str, str, str]] = field(default_factory=list)        # predicted, not applied
    different: list[tuple[str, str, str, str]] = field(default_factory=list)  # layer, address, predicted, applied
    excluded: list[tuple[str, str, str]] = field(default_factory=list)       # predicted on what the run leaves out
    uncertain: list[tuple[str, str, str]] = field(default_factory=list)      # predicted as unknown/refused/...
    # Created by the step although not predicted, because the run's override left it out before the
    # step and no longer does (the step's switch fixes a defect of the as-deployed stacks, e.g. 11's
    # self-logging bucket): against moto's states the object never existed, so the ladder, measured
    # against those states, has nothing to predict; against the real states it predicts the change.
    released: list[tuple[str, str, str]] = field(default_factory=list)       # layer, address, action

    @property
    def exact(self) -> bool:
        return not (self.unpredicted or self.missing or self.different)

    def mismatches(self) -> list[str]:
        return ([f"{layer} {address}: {action} not predicted" for layer, address, action in self.unpredicted]
                + [f"{layer} {address}: predicted {action}, not applied" for layer, address, action in self.missing]
                + [f"{layer} {address}: predicted {p}, applied {a}" for layer, address, p, a in self.different])


def compare(predicted: Iterable[tuple[str, str, str]], applied: Mapping[str, Mapping[str, str]],
            left_out: Mapping[str, Iterable[str]] | None = None, layers: Iterable[str] | None = None,
            left_out_before: Mapping[str, Iterable[str]] | None = None) -> Comparison:
    """`predicted`: (layer, action, address) of the ladder's effects; `applied`: layer -> address ->
    action of what the step's applies did; `left_out`: layer -> addresses the run's override leaves
    out (moto gaps, defects: a prediction on them cannot be seen); `layers`: the layers the run has
    (a prediction elsewhere is not compared); `left_out_before`: what the override left out before
    the step (a create of one of those it no longer leaves out is `released`, not a mismatch)."""
    left_out = {k: tuple(v) for k, v in (left_out or {}).items()}
    before = {k: tuple(v) for k, v in (left_out_before or {}).items()}
    known = set(layers) if layers is not None else None
    result = Comparison()
    seen: set[tuple[str, str]] = set()
    for layer, action, address in sorted(predicted):
        if known is not None and layer not in known:
            continue
        seen.add((layer, address))
        done = applied.get(layer, {}).get(address)
        if action not in MATCHES:
            result.uncertain.append((layer, address, action))
        elif done is None and _left_out(address, left_out.get(layer, ())):
            result.excluded.append((layer, address, action))
        elif done is None:
            result.missing.append((layer, address, action))
        elif done in MATCHES[action]:
            result.matched.append((layer, address, done))
        else:
            result.different.append((layer, address, action, done))
    for layer, changes in sorted(applied.items()):
        for address, action in sorted(changes.items()):
            if (layer, address) in seen:
                continue
            if (action == "create" and _left_out(address, before.get(layer, ()))
                    and not _left_out(address, left_out.get(layer, ()))):
                result.released.append((layer, address, action))
            else:
                result.unpredicted.append((layer, address, action))
    return result


def _left_out(address: str, excluded: Iterable[str]) -> bool:
    """True when the address is one of, or an instance of, the resources the override leaves out."""
    return any(address == x or address.startswith(f"{x}[") for x in excluded)


def counts(changes: Mapping[str, Mapping[str, str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for by_address in changes.values():
        for action in by_address.values():
            found[action] = found.get(action, 0) + 1
    return dict(sorted(found.items()))
