"""The ladder run's report (Markdown and JSON) and its verdict."""
from __future__ import annotations

import json
from typing import Any

from tools.e2e.ladder_plan import counts
from tools.e2e.ladder_run import LadderReport, LadderStep


def _counts(changes: dict[str, int]) -> str:
    return ", ".join(f"{n} {a}" for a, n in changes.items()) or "none"


def _predicted_counts(step: LadderStep) -> dict[str, int]:
    found: dict[str, int] = {}
    for _layer, action, _address in step.predicted:
        found[action] = found.get(action, 0) + 1
    return dict(sorted(found.items()))


def _second(step: LadderStep) -> str:
    if not step.second_plan:
        return "-"
    bad = {k: v for k, v in step.second_plan.items() if not v.startswith("exit 0")}
    return f"exit 0 ({len(step.second_plan)} layers)" if not bad else "; ".join(f"{k}: {v}" for k, v in bad.items())


def _mismatch(step: LadderStep) -> str:
    if step.comparison is None:
        return "-"
    parts = []
    if step.comparison.exact:
        parts.append("none")
    else:
        parts.append(f"{len(step.comparison.mismatches())} mismatch(es)")
    if step.comparison.excluded:
        parts.append(f"{len(step.comparison.excluded)} on what moto leaves out")
    if step.comparison.uncertain:
        parts.append(f"{len(step.comparison.uncertain)} uncertain")
    if step.comparison.released:
        parts.append(f"{len(step.comparison.released)} created, left out before")
    return ", ".join(parts)


def markdown(ladder: LadderReport) -> str:
    lines = ["## The ladder, applied", "",
             f"Ladder measured against the applied states ({ladder.state_folder}) in {ladder.ladder_seconds:.0f} s; "
             f"the climb took {ladder.seconds:.0f} s. Data loss accepted: {'yes' if ladder.accept_data_loss else 'no'}.", ""]
    if ladder.error:
        lines += [f"**Not climbed:** {ladder.error}", ""]
    lines += [f"- state not read by the ladder: {e}" for e in ladder.ladder_errors]
    lines += ["| # | switch | risk | status | resources | seconds | layers applied | second plan | applied changes "
              "| predicted | mismatch |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for step in ladder.steps:
        p = step.planned
        status = step.status + (f" ({step.reason})" if step.reason and step.status != "applied" else "")
        layers = ", ".join(dict.fromkeys(step.touched)) or "-"
        lines.append(f"| {p.index} | `{p.path}` | {p.risk} | {status} | {step.resources or '-'} | {step.seconds:.0f} | "
                     f"{layers} | {_second(step)} | {_counts(counts(step.applied_changes()))} | "
                     f"{_counts(_predicted_counts(step))} | {_mismatch(step)} |")
    for step in ladder.steps:
        c = step.comparison
        if c is None or (c.exact and not c.excluded and not c.uncertain and not c.released):
            continue
        lines += ["", f"**Step {step.planned.index}** (`{step.planned.path}`):"]
        lines += [f"- {m}" for m in c.mismatches()]
        lines += [f"- {layer} {address}: predicted {action}, left out by the override (moto gap or defect)"
                  for layer, address, action in c.excluded]
        lines += [f"- {layer} {address}: predicted {action} (the ladder cannot tell)" for layer, address, action in c.uncertain]
        lines += [f"- {layer} {address}: {action}, left out by the override before this step (the step fixes what "
                  "kept it out; moto's states never held it, so the ladder measured against them has nothing to predict)"
                  for layer, address, action in c.released]
    lines += ["", f"Final plan with {ladder.final_label or '(not run)'}: "
              + ("every layer exit 0" if ladder.final_ok else
                 "; ".join(f"{k}: {v}" for k, v in ladder.final_plan.items() if not v.startswith("exit 0")) or "not run")]
    skipped = [s for s in ladder.steps if s.status == "skipped"]
    if skipped:
        lines += ["", "Skipped:"] + [f"- step {s.planned.index} `{s.planned.path}`: {s.reason}" for s in skipped]
    return "\n".join(lines) + "\n"


def as_data(ladder: LadderReport) -> dict[str, Any]:
    def step(s: LadderStep) -> dict[str, Any]:
        c = s.comparison
        return {
            "index": s.planned.index, "switch": s.planned.path, "to_be": s.planned.to_be, "risk": s.planned.risk,
            "status": s.status, "reason": s.reason, "seconds": round(s.seconds, 1), "resources": s.resources,
            "touched": s.touched, "second_plan": s.second_plan, "second_plan_ok": s.second_plan_ok,
            "changes": s.applied_changes(), "counts": counts(s.applied_changes()),
            "predicted": [list(p) for p in s.predicted], "predicted_counts": _predicted_counts(s),
            "layers": {name: {"plan_code": lc.plan_code, "outputs": lc.outputs, "seconds": round(lc.seconds, 1),
                              "problems": lc.problems, "moto_gaps": lc.moto_gaps} for name, lc in s.layers.items()},
            "exact": c.exact if c else None, "mismatches": c.mismatches() if c else [],
            "excluded": [list(x) for x in c.excluded] if c else [],
            "released": [list(x) for x in c.released] if c else [],
            "uncertain": [list(x) for x in c.uncertain] if c else [],
        }

    return {"accept_data_loss": ladder.accept_data_loss, "state_folder": ladder.state_folder,
            "ladder_seconds": round(ladder.ladder_seconds, 1), "seconds": round(ladder.seconds, 1),
            "ladder_errors": ladder.ladder_errors, "error": ladder.error, "steps": [step(s) for s in ladder.steps],
            "final_label": ladder.final_label, "final_plan": ladder.final_plan, "final_ok": ladder.final_ok}


def as_json(ladder: LadderReport) -> str:
    return json.dumps(as_data(ladder), indent=1, sort_keys=True)


def verdict(ladder: LadderReport) -> list[str]:
    """The reasons the ladder run fails: not climbed, a step not applied, a second plan with changes,
    an apply that differs from the ladder's prediction, a final plan that is not empty."""
    reasons = [ladder.error] if ladder.error else []
    for s in ladder.steps:
        name = f"ladder step {s.planned.index} ({s.planned.path})"
        if s.status in ("failed", "not run"):
            reasons.append(f"{name} {s.status}: {s.reason}")
        if s.status == "applied" and not s.second_plan_ok:
            reasons.append(f"{name} second plan: {_second(s)}")
        if s.comparison is not None and not s.comparison.exact:
            reasons.append(f"{name} differs from the ladder: " + "; ".join(s.comparison.mismatches())[:600])
    if not ladder.error and not ladder.final_ok:
        reasons.append("the final plan is not empty: " + "; ".join(
            f"{k}: {v}" for k, v in ladder.final_plan.items() if not v.startswith("exit 0"))[:600] or "not run")
    return reasons
