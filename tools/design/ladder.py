"""The ladder: from an environment as it is to the to-be profile, one design switch at a time.

For every switch whose value differs between the environment and the to-be profile, the switch is
flipped alone, the environment synthesized into a scratch folder, and the result compared against
the environment's states with the drift tool's `config` comparison; the findings the base
synthesis already has (the port's own moves) are taken out, so each step shows only what the flip
does. Claims are measured before and after. The steps are ordered: no risk first, a step after the
switches it needs (`after` in envs/_switches.toml).
"""
from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from settings import Environment
from settings.profile import Switch
from tools.design.ladder_effects import LayerView, Seen, layer_actions
from tools.design.measure import Toolkit
from tools.design.risk import RISK_ORDER, RUNBOOK, assess, worst
from tools.design.synthesis import variant

ACTIONS = ("create", "update", "replace", "maybe-replace", "destroy", "move", "refused", "unknown", "forget")


@dataclass(frozen=True)
class Effect:
    layer: str
    action: str          # one of ACTIONS
    address: str
    type: str
    risk: str = "none"   # tools.design.risk.RISK_ORDER
    words: str = ""      # the risk in words


@dataclass(frozen=True)
class Step:
    switch: Switch
    current: Any
    to_be: Any
    turns_to_pass: tuple[str, ...] = ()
    turns_from_pass: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    error: str = ""
    # The monthly cost difference of the step (USD), from tools.cost.monthly_difference; None means
    # "not measured" (never zero), and `cost_error` then says why.
    monthly_cost_delta: float | None = None
    cost_error: str = ""

    @property
    def risk(self) -> str:
        return worst([self.switch.risk, *(e.risk for e in self.effects)])

    def counts(self) -> dict[str, int]:
        counted = Counter(e.action for e in self.effects)
        return {a: counted[a] for a in ACTIONS if counted[a]}

    def runbook(self) -> tuple[str, ...]:
        if self.risk == "none":
            return ()
        words = [e.words for e in self.effects if e.words]
        kinds = sorted({e.risk for e in self.effects if e.risk != "none"} | {self.switch.risk} - {"none"},
                       key=RISK_ORDER.index, reverse=True)
        return (*self.switch.runbook, *words, *(RUNBOOK[k] for k in kinds))


@dataclass(frozen=True)
class Ladder:
    env: str
    profile: str
    state: str
    steps: tuple[Step, ...]
    left_out: tuple[Switch, ...] = ()      # switches the profile cannot set (the environment must)
    base_errors: tuple[str, ...] = ()      # layers whose state could not be read
    end_state: Mapping[str, Any] = field(default_factory=dict)   # every differing switch at its to-be value


def setting_value(env: Environment, dotted: str) -> Any:
    value: Any = env
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def differing(name: str, switches: Sequence[Switch], envs_dir: Path | None = None) -> list[tuple[Switch, Any, Any]]:
    """(switch, current, to-be) for each switch of the profile whose value differs in `name`."""
    base = variant(name, envs_dir=envs_dir)
    found = []
    for switch in switches:
        if not switch.in_profile:
            continue
        flipped = variant(name, switch_values={switch.path: switch.to_be}, envs_dir=envs_dir)
        current, to_be = setting_value(base, switch.path), setting_value(flipped, switch.path)
        if current != to_be:
            found.append((switch, plain(current), plain(to_be)))
    return found


def plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def config_findings(stacks: Path, state_source: str) -> tuple[dict[str, LayerView], list[str]]:
    """Per layer, the drift tool's config findings and the configuration; and the layers whose state
    could not be read."""
    from tools.drift.config import load_configuration, stack_layers
    from tools.drift.config_drift import check_config
    from tools.drift.state import TIMEOUT_SECONDS, S3Options, StateError, load

    options = S3Options(None, None, TIMEOUT_SECONDS)
    found: dict[str, LayerView] = {}
    errors: list[str] = []
    for layer in stack_layers(stacks):
        config = load_configuration(stacks / layer)
        try:
            state = load(state_source, layer, config.backend, options, False, config.local_state)
        except StateError as error:
            errors.append(f"{layer}: {error}")
            continue
        found[layer] = LayerView({f.address: Seen.of(f) for f in check_config(config, state)}, config)
    return found, errors


def _effects(base: Mapping[str, LayerView], flipped: Mapping[str, LayerView]) -> tuple[Effect, ...]:
    effects = []
    for layer in sorted(flipped):
        for address, (action, rtype) in sorted(layer_actions(base.get(layer), flipped[layer]).items()):
            if action == "none":
                continue
            risk, words = assess(action, rtype, address)
            effects.append(Effect(layer, action, address, rtype, risk, words))
    return tuple(effects)


def _verdicts(toolkit: Toolkit, stacks: Path, env: Environment) -> dict[str, str]:
    return {cid: v.status for cid, v in toolkit.evaluate(toolkit.load_stacks(stacks), env, None).items()}


CostDifference = Callable[[Path, Path, str], tuple[float, Any]]


def default_cost() -> CostDifference:
    from tools.cost import monthly_difference

    return monthly_difference


def step_cost(cost: CostDifference, base: Path, stacks: Path, env: str) -> tuple[float | None, str]:
    """(monthly difference, "") or (None, why): a cost the tool could not compute is never made up."""
    try:
        total, _per_resource = cost(base, stacks, env)
    except Exception as error:  # noqa: BLE001 - the step still shows its plan effect; the cost says why not
        first = (str(error).splitlines() or [type(error).__name__])[0]
        return None, f"the cost tool failed: {first}"
    return round(total, 2), ""


def order(steps: Sequence[Step]) -> tuple[Step, ...]:
    """No-risk steps first (by risk, then path); a step never before a switch it names in `after`."""
    pending = sorted(steps, key=lambda s: (RISK_ORDER.index(s.risk), s.switch.path))
    placed: list[Step] = []
    paths = {s.switch.path for s in steps}
    while pending:
        done = {s.switch.path for s in placed}
        ready = next((s for s in pending if all(a in done or a not in paths for a in s.switch.after)), pending[0])
        placed.append(ready)
        pending.remove(ready)
    return tuple(placed)


def build_ladder(name: str, state_source: str, toolkit: Toolkit, switches: Sequence[Switch],
                 envs_dir: Path | None = None, cost: CostDifference | None = None) -> Ladder:
    cost = cost or default_cost()
    base_env = variant(name, envs_dir=envs_dir)
    changes = differing(name, switches, envs_dir)
    steps: list[Step] = []
    with tempfile.TemporaryDirectory(prefix=f"ladder-{name}-") as scratch:
        base_stacks = toolkit.synthesize(base_env, Path(scratch) / "base")
        base_findings, errors = config_findings(base_stacks, state_source)
        base_verdicts = _verdicts(toolkit, base_stacks, base_env)
        for i, (switch, current, to_be) in enumerate(changes):
            try:
                env = variant(name, switch_values={switch.path: switch.to_be}, envs_dir=envs_dir)
                stacks = toolkit.synthesize(env, Path(scratch) / f"step-{i}")
                flipped, _ = config_findings(stacks, state_source)
                verdicts = _verdicts(toolkit, stacks, env)
            except Exception as error:  # noqa: BLE001 - one broken step is reported, the others still run
                steps.append(Step(switch, current, to_be, error=str(error).splitlines()[0] if str(error) else
                                  type(error).__name__))
                continue
            gained = tuple(c for c, s in verdicts.items() if s == "pass" and base_verdicts.get(c) != "pass")
            lost = tuple(c for c, s in verdicts.items() if s != "pass" and base_verdicts.get(c) == "pass")
            delta, why = step_cost(cost, base_stacks, stacks, name)
            steps.append(Step(switch, current, to_be, gained, lost, _effects(base_findings, flipped), "", delta, why))
    return Ladder(name, base_env.profile, state_source, order(steps),
                  tuple(s for s in switches if not s.in_profile), tuple(errors),
                  {s.switch.path: s.switch.to_be for s in steps})
