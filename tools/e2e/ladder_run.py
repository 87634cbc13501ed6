"""`python -m tools.e2e --env dev --ladder`: the deployed environment climbs its ladder in moto.

First the ordinary run deploys the environment as it is (tools/e2e/run.py: every stack applied, the
second plan clean); instead of the tamper cases, then:
1. the states as applied are copied into a folder and the ladder is measured against them
   (`tools.design.ladder.build_ladder`, the same steps and order as `python -m tools.design --ladder`);
2. the steps are selected (`ladder_plan.select`: a step that loses data only with
   `--accept-data-loss`); each applied step synthesizes the environment with the switches so far,
   and every layer whose stack changed is planned (`-out`), read (`show -json`) and applied from that
   plan; a layer whose outputs changed makes each layer that reads it planned too (the 02 <-> 07
   reads included), until nothing changes; then every layer the step touched is planned again
   (exit 0 required);
3. the step's applied changes (create, update, replace, destroy, forget, move: from the plans'
   `resource_changes`) are compared with the ladder's effects for the step, by layer and address;
4. after the last step every layer is planned with the To-Be synthesis of the environment (every
   differing switch at its to-be value): exit 0 required.
"""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from settings.load import ConfigError
from synthesis import SynthesisCheckFailed
from tools.e2e.defects import Layer, Platform, defects_of
from tools.e2e.ladder_plan import Comparison, Planned, Selection, compare, counts, outputs_changed, plan_changes, select
from tools.e2e.override import override_for
from tools.e2e.plans import described, is_moto_gap, plan_summary
from tools.e2e.run import APPLY_TIMEOUT, PLAN_TIMEOUT, Run
from tools.e2e.steps import steps_for
from tools.e2e.terraform import Result
from tools.stack_form import read_stack

MAX_VISITS = 3          # a layer planned at most this often in one step (02 <-> 07 read each other)


@dataclass
class LayerChange:
    """One layer in one ladder step: its plan, what the apply changed, the outputs that moved."""

    layer: str
    plan_code: int | None = None
    changes: dict[str, str] = field(default_factory=dict)    # address -> action
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    moto_gaps: list[str] = field(default_factory=list)


@dataclass
class LadderStep:
    planned: Planned
    status: str = "not run"          # applied | failed | skipped | not run
    reason: str = ""
    seconds: float = 0.0
    resources: int = 0               # managed objects in every applied layer's state after the step
    touched: list[str] = field(default_factory=list)          # layers planned, in the order planned
    layers: dict[str, LayerChange] = field(default_factory=dict)
    second_plan: dict[str, str] = field(default_factory=dict)  # layer -> plan summary
    second_plan_ok: bool = False
    predicted: list[tuple[str, str, str]] = field(default_factory=list)   # (layer, action, address)
    comparison: Comparison | None = None

    def applied_changes(self) -> dict[str, dict[str, str]]:
        return {name: dict(change.changes) for name, change in self.layers.items() if change.changes}


@dataclass
class LadderReport:
    accept_data_loss: bool
    state_folder: str = ""
    ladder_seconds: float = 0.0
    ladder_errors: list[str] = field(default_factory=list)
    steps: list[LadderStep] = field(default_factory=list)
    final_label: str = ""
    final_plan: dict[str, str] = field(default_factory=dict)
    final_ok: bool = False
    error: str = ""
    seconds: float = 0.0


def not_measured(_base: Path, _stacks: Path, _env: str) -> tuple[float, Any]:
    raise RuntimeError("the end-to-end ladder run does not price the steps")


def fingerprint(stack_dir: Path) -> dict[str, str]:
    """The files of a synthesized stack folder (what the apply reads), to tell whether a layer changed."""
    return {p.name: p.read_text() for p in sorted(stack_dir.iterdir()) if p.is_file()}


class LadderRun(Run):
    """The ordinary run's deploy, then the ladder instead of the tamper cases."""

    def __init__(self, *args: Any, accept_data_loss: bool = False, ladder_steps: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ladder = LadderReport(accept_data_loss)
        self.ladder_steps = ladder_steps
        self._applied_dir: dict[str, Path] = {}      # layer -> the synthesized stack folder its state holds

    # ------------------------------------------------------------------ after the deploy
    def _after_deploy(self) -> None:
        start = time.monotonic()
        try:
            self._climb()
        finally:
            self.ladder.seconds = time.monotonic() - start

    def _climb(self) -> None:
        layers = [name for name, layer in self.report.layers.items() if layer.last_applied is not None]
        broken = [name for name, layer in self.report.layers.items()
                  if layer.last_applied is None or layer.second_plan_code != 0]
        if broken:
            self.ladder.error = f"the deploy as is did not end clean in {', '.join(broken)}: the ladder is not climbed"
            return
        self.order = self._layer_order(layers)
        self.first_order = list(dict.fromkeys(step.layer for step in steps_for(self.env, layers)))
        for name in layers:
            last = self.report.layers[name].last_applied
            assert last is not None and last.stack_dir is not None
            self._applied_dir[name] = last.stack_dir
        ladder = self._measure_ladder()
        planned = [Planned(n, s.switch.path, s.to_be, s.risk, tuple(s.switch.after), s.error)
                   for n, s in enumerate(ladder.steps, 1)]
        # Effects in a layer this run has no stack of (`--layers`) cannot be seen: not compared.
        effects = {s.switch.path: [(e.layer, e.action, e.address) for e in s.effects if e.layer in self._applied_dir]
                   for s in ladder.steps}
        selection = select(planned, self.ladder.accept_data_loss, self.ladder_steps)
        self._record_skips(selection)
        switches: dict[str, Any] = {}
        failed: list[str] = []
        for planned_step in selection.applied:
            step = LadderStep(planned_step, predicted=effects.get(planned_step.path, []))
            self.ladder.steps.append(step)
            needs = [a for a in planned_step.after if a in failed]
            if needs:
                step.reason = f"not run: it comes after {', '.join(needs)}, which did not apply"
                failed.append(planned_step.path)
                continue
            if self.budget.left() < 180:
                step.reason = "not run: the run's time budget was spent"
                failed.append(planned_step.path)
                continue
            switches[planned_step.path] = planned_step.to_be
            self._climb_step(step, dict(switches))
            if step.status != "applied":
                # The switch goes back to its current value: the next step's synthesis is without it,
                # so its layers are planned back to that (what the failed apply left shows there).
                del switches[planned_step.path]
                failed.append(planned_step.path)
        self.ladder.steps.sort(key=lambda s: s.planned.index)
        partial = bool(selection.skipped or failed)
        self._final_plan(switches if partial else ladder.end_state, partial)

    def _record_skips(self, selection: Selection) -> None:
        for planned_step, why in selection.skipped:
            self.ladder.steps.append(LadderStep(planned_step, status="skipped", reason=why))

    def _layer_order(self, layers: list[str]) -> list[str]:
        """The layers in the order of their last deploy step (02-security after 07-application)."""
        last: dict[str, int] = {}
        for position, step in enumerate(steps_for(self.env, layers)):
            last[step.layer] = position
        return sorted(layers, key=lambda name: last.get(name, len(last)))

    def _measure_ladder(self):
        from settings.load import ENVS_DIR
        from settings.profile import load_switches
        from tools.design.ladder import build_ladder
        from tools.design.measure import default_toolkit

        folder = self.scratch / "ladder-states"
        folder.mkdir(exist_ok=True)
        for name in self._applied_dir:
            (folder / f"{name}.tfstate").write_text(json.dumps(self._state_document(name)))
        self.ladder.state_folder = str(folder)
        start = time.monotonic()
        ladder = build_ladder(self.env_name, str(folder), default_toolkit(), load_switches(ENVS_DIR),
                              cost=not_measured)
        self.ladder.ladder_seconds = time.monotonic() - start
        self.ladder.ladder_errors = list(ladder.base_errors)
        return ladder

    def _state_document(self, name: str) -> dict[str, Any]:
        last = self.report.layers[name].last_applied
        local = last.workdir / "terraform.tfstate" if last and last.workdir else None
        if local is not None and local.is_file():
            return json.loads(local.read_text())
        state = self.state_of(name)
        return state.document if state else {}

    # ------------------------------------------------------------------ one step
    def _stack_dirs(self, switches: Mapping[str, Any]) -> dict[str, Path]:
        """Each applied layer's stack folder with these switches (and its last deploy step's own settings)."""
        found = {}
        for name in self._applied_dir:
            last = self.report.layers[name].last_applied
            assert last is not None
            found[name] = self._synth(dict(last.step.settings), switches) / "stacks" / name
        return found

    def _left_out(self) -> dict[str, list[str]]:
        """layer -> the addresses the override of its last apply left out (moto gaps, defects)."""
        return {name: [x.address for x in (self.report.layers[name].last_applied.excluded or ())]
                for name in self._applied_dir}

    def _climb_step(self, step: LadderStep, switches: Mapping[str, Any]) -> None:
        start = time.monotonic()
        left_out_before = self._left_out()
        try:
            try:
                dirs = self._stack_dirs(switches)
            except (ConfigError, SynthesisCheckFailed) as error:
                # The environment with this step's switch cannot be synthesized: the step fails with the
                # reason (its switch goes back), and the climb goes on with the others.
                step.status, step.reason = "failed", f"not synthesized: {error}"[:600]
                return
            defects = self._defects({name: read_stack(path) for name, path in dirs.items()})
            queue = [name for name in self.order if fingerprint(dirs[name]) != fingerprint(self._applied_dir[name])]
            visits: dict[str, int] = {}
            while queue:
                name = queue.pop(0)
                visits[name] = visits.get(name, 0) + 1
                if visits[name] > MAX_VISITS:
                    step.status, step.reason = "failed", f"{name} still changes after {MAX_VISITS} plans in this step"
                    return
                change = self._apply_layer(name, dirs[name], defects.get(name, {}), f"ladder-{step.planned.index}-{visits[name]}")
                step.touched.append(name)
                merged = step.layers.setdefault(name, LayerChange(name))
                merged.plan_code, merged.seconds = change.plan_code, merged.seconds + change.seconds
                merged.changes.update(change.changes)
                merged.outputs = sorted(set(merged.outputs) | set(change.outputs))
                merged.problems += change.problems
                merged.moto_gaps += change.moto_gaps
                if change.problems or change.moto_gaps:
                    step.status, step.reason = "failed", f"{name}: " + "; ".join(change.problems + change.moto_gaps)[:600]
                    return
                if change.outputs:
                    for reader in self._readers(name):
                        if reader not in queue:
                            queue.append(reader)
                    queue.sort(key=self.order.index)
            self._second_plans(step)
            step.status = "applied"
            step.resources = sum(self._resources(name) for name in self._applied_dir)
            step.comparison = compare(step.predicted, step.applied_changes(), self._left_out(), self._applied_dir,
                                      left_out_before)
        finally:
            step.seconds = time.monotonic() - start

    def _defects(self, stacks: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
        """As the deploy finds them (Run._find_defects): a layer against the layers whose first deploy
        step comes before its own (02-security before 07-application, whose rule repeats 02's)."""
        layers = [name for name in self.first_order if name in stacks]
        first = {name: Layer(name, stacks[name], self._producers(stacks[name])) for name in layers}
        platform, found = Platform(first), {}
        for i, name in enumerate(layers):
            found[name] = defects_of(first[name], [first[n] for n in layers[:i]], platform)
        return found

    def _readers(self, name: str) -> list[str]:
        return [other for other in self.order
                if name in self._producers(self.report.layers[other].last_applied.stack).values()]

    def _apply_layer(self, name: str, stack_dir: Path, defects: Mapping[str, str], label: str) -> LayerChange:
        """Swap the layer's configuration for `stack_dir`'s, plan, and apply that plan when it changes something."""
        work, change = self._swap(name, stack_dir, defects), LayerChange(name)
        plan = self.terraform.run(work, "plan", "-detailed-exitcode", "-input=false", "-no-color", "-json",
                                  f"-out={label}.tfplan", timeout=self.budget.timeout(PLAN_TIMEOUT), log=label)
        change.plan_code, change.seconds = plan.returncode, plan.seconds
        if plan.returncode == 0:
            return change
        if plan.returncode != 2:
            change.problems = [described(d) for d in plan.diagnostics()] or [plan_summary(plan)]
            return change
        shown = self.terraform.run(work, "show", "-json", f"{label}.tfplan", timeout=self.budget.timeout(120),
                                   log=f"{label}-show")
        document = shown.document() if shown.returncode == 0 else {}
        change.changes, change.outputs = plan_changes(document), outputs_changed(document)
        apply = self.terraform.run(work, "apply", "-auto-approve", "-input=false", "-no-color", "-json",
                                   f"{label}.tfplan", timeout=self.budget.timeout(APPLY_TIMEOUT), log=f"{label}-apply")
        change.seconds += shown.seconds + apply.seconds
        if apply.returncode != 0:
            for diagnostic in apply.diagnostics():
                (change.moto_gaps if is_moto_gap(diagnostic) else change.problems).append(described(diagnostic))
        return change

    def _second_plans(self, step: LadderStep) -> None:
        for name in dict.fromkeys(step.touched):
            work = self.report.layers[name].last_applied.workdir
            result = self._plan(work, f"ladder-{step.planned.index}-second")
            step.second_plan[name] = plan_summary(result)
        step.second_plan_ok = all(s.startswith("exit 0") for s in step.second_plan.values())

    def _resources(self, name: str) -> int:
        resources = self._state_document(name).get("resources") or []
        return sum(len(r.get("instances") or []) for r in resources if r.get("mode") == "managed")

    # ------------------------------------------------------------------ the end
    def _final_plan(self, switches: Mapping[str, Any], partial: bool) -> None:
        """Every layer planned with `switches` (the To-Be synthesis when no step was skipped): exit 0 each."""
        self.ladder.final_label = ("the applied switches (steps were skipped or failed: not the To-Be synthesis)" if partial
                                   else "the To-Be synthesis (every differing switch at its to-be value)")
        dirs = self._stack_dirs(switches)
        defects = self._defects({name: read_stack(path) for name, path in dirs.items()})
        for name in self.order:
            if fingerprint(dirs[name]) != fingerprint(self._applied_dir[name]):
                result = self._plan_with(name, dirs[name], defects.get(name, {}))
            else:
                result = self._plan(self.report.layers[name].last_applied.workdir, "ladder-final")
            self.ladder.final_plan[name] = plan_summary(result)
        self.ladder.final_ok = all(s.startswith("exit 0") for s in self.ladder.final_plan.values())

    def _plan_with(self, name: str, stack_dir: Path, defects: Mapping[str, str]) -> Result:
        """A plan of the layer with another configuration (it is left in place: the run ends after it)."""
        return self._plan(self._swap(name, stack_dir, defects), "ladder-final")

    def _swap(self, name: str, stack_dir: Path, defects: Mapping[str, str]) -> Path:
        """The layer's working directory with `stack_dir`'s files and their override in place of the
        applied ones (its `.terraform` and lock file kept: the providers and the backend do not change)."""
        report = self.report.layers[name].last_applied
        assert report is not None and report.workdir is not None
        work, stack = report.workdir, read_stack(stack_dir)
        override = override_for(stack, self.target, defects)
        for old in self._applied_dir[name].iterdir():
            if old.is_file():
                (work / old.name).unlink(missing_ok=True)
        for new in stack_dir.iterdir():
            if new.is_file():
                shutil.copy(new, work / new.name)
        override.write(work)
        report.stack, report.stack_dir, report.excluded, report.defects = stack, stack_dir, override.excluded, dict(defects)
        self._applied_dir[name] = stack_dir
        return work


def step_counts(step: LadderStep) -> dict[str, int]:
    return counts(step.applied_changes())
