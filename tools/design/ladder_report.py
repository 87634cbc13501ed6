"""The ladder as text, JSON, and Markdown (what a pull request would show)."""
from __future__ import annotations

import json
from typing import Any

from tools.design.ladder import Ladder, Step

COST_NOT_MEASURED = "not measured"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _counts(step: Step) -> str:
    counts = step.counts()
    return ", ".join(f"{n} {a}" for a, n in counts.items()) if counts else "no change against the states"


def _cost(step: Step) -> str:
    if step.monthly_cost_delta is None:
        return f"{COST_NOT_MEASURED}: {step.cost_error or 'no figure'}"
    return f"{step.monthly_cost_delta:+.2f} USD/month"


def _header(ladder: Ladder) -> list[str]:
    lines = [f"ladder for {ladder.env} ({ladder.profile}) to the to-be profile, against the states from {ladder.state}:"
             f" {len(ladder.steps)} step(s)"]
    for error in ladder.base_errors:
        lines.append(f"  state not read: {error} (the effects of that layer are not shown)")
    return lines


def render_text(ladder: Ladder) -> str:
    lines = _header(ladder)
    for n, step in enumerate(ladder.steps, 1):
        lines += ["", f"{n}. {step.switch.path}: {_value(step.current)} -> {_value(step.to_be)}  [risk: {step.risk}]",
                  f"   {step.switch.description}"]
        if step.error:
            lines.append(f"   ERROR: {step.error}")
            continue
        lines.append(f"   claims turned to pass: {', '.join(step.turns_to_pass) or 'none'}")
        if step.turns_from_pass:
            lines.append(f"   claims that stop passing: {', '.join(step.turns_from_pass)}")
        lines.append(f"   terraform: {_counts(step)}")
        for e in step.effects:
            lines.append(f"     {e.action:<13} {e.layer}  {e.words or e.address}")
        lines.append(f"   monthly cost: {_cost(step)}")
        for line in step.runbook():
            lines.append(f"   runbook: {line}")
    for switch in ladder.left_out:
        lines += ["", f"not in the profile: {switch.path} ({switch.not_in_profile})"]
    return "\n".join(lines) + "\n"


def as_data(ladder: Ladder) -> dict[str, Any]:
    return {
        "env": ladder.env, "profile": ladder.profile, "state": ladder.state, "state_errors": list(ladder.base_errors),
        "steps": [{
            "switch": s.switch.path, "from": s.current, "to": s.to_be, "description": s.switch.description,
            "risk": s.risk, "error": s.error, "claims_turned_to_pass": list(s.turns_to_pass),
            "claims_that_stop_passing": list(s.turns_from_pass), "counts": s.counts(),
            "effects": [{"layer": e.layer, "action": e.action, "address": e.address, "type": e.type,
                         "risk": e.risk, "words": e.words} for e in s.effects],
            "runbook": list(s.runbook()), "monthly_cost_delta": s.monthly_cost_delta, "cost_error": s.cost_error,
        } for s in ladder.steps],
        "not_in_profile": [{"switch": s.path, "reason": s.not_in_profile} for s in ladder.left_out],
        "end_state": dict(ladder.end_state),
    }


def render_json(ladder: Ladder) -> str:
    return json.dumps(as_data(ladder), indent=2, ensure_ascii=False) + "\n"


def render_markdown(ladder: Ladder) -> str:
    lines = [f"### Ladder: `{ladder.env}` to the design", "",
             f"States from `{ladder.state}`; each step flips one switch alone and is compared with the states.", ""]
    if ladder.base_errors:
        lines += [f"- state not read: {e}" for e in ladder.base_errors] + [""]
    lines += ["| # | switch | from → to | risk | terraform | claims turned to pass | monthly cost |",
              "|---|---|---|---|---|---|---|"]
    for n, s in enumerate(ladder.steps, 1):
        terraform = f"error: {s.error}" if s.error else _counts(s)
        cost = f"— ({COST_NOT_MEASURED})" if s.monthly_cost_delta is None else _cost(s)
        lines.append(f"| {n} | `{s.switch.path}` | `{_value(s.current)}` → `{_value(s.to_be)}` | {s.risk} | {terraform} "
                     f"| {', '.join(s.turns_to_pass) or '-'} | {cost} |")
    unmeasured = [(n, s) for n, s in enumerate(ladder.steps, 1) if s.monthly_cost_delta is None and not s.error]
    if unmeasured:
        lines += ["", "Monthly cost not measured:"] + [f"- step {n} (`{s.switch.path}`): {s.cost_error or 'no figure'}"
                                                       for n, s in unmeasured]
    for n, s in enumerate(ladder.steps, 1):
        if s.runbook():
            lines += ["", f"**Step {n} runbook** (`{s.switch.path}`):"] + [f"- {line}" for line in s.runbook()]
    if ladder.left_out:
        lines += ["", "Not in the profile (the environment must set them):"]
        lines += [f"- `{s.path}`: {s.not_in_profile}" for s in ladder.left_out]
    return "\n".join(lines) + "\n"


LADDER_RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
