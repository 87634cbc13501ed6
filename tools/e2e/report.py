"""The run's report: a Markdown table per layer, the tamper cases, and everything that was not run."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from tools.e2e.results import RunReport
from tools.e2e.readback import markdown as readback_markdown
from tools.e2e.waves import markdown as waves_markdown
from tools.e2e.waves import waves_of


def verdict(report: RunReport) -> tuple[int, list[str]]:
    """0 when every layer applied (moto gaps named), every second plan said no changes and every
    tamper case was caught with nothing else changing; 1 otherwise, with the reasons."""
    reasons = []
    if report.error:
        reasons.append(report.error)
    for name, layer in report.layers.items():
        if layer.status == "failed" and any(s.problems for s in layer.steps):
            reasons.append(f"{name} failed: " + "; ".join(p for s in layer.steps for p in s.problems)[:300])
        if layer.status == "not run":
            reasons.append(f"{name} not run: " + "; ".join(s.reason for s in layer.steps if s.reason))
        if layer.last_applied is not None and layer.second_plan_code != 0:
            reasons.append(f"{name} second plan: {layer.second_plan}")
    for case, caught in report.tamper_caught.items():
        if not caught:
            reasons.append(f"tamper case not caught: {case}")
    if report.unexpected_changes:
        reasons.append("plan after tampering changes more than was tampered: " + ", ".join(report.unexpected_changes))
    if not report.tampered:
        reasons.append("no tamper case could run")
    for r in report.read_backs:
        if r.outcome == "FAILED":
            reasons.append(f"{r.claim} passes the design check but {r.layer} {r.address} reads {r.read} ({r.api})")
    for r in report.drift_runs:
        if r.label.endswith("before") and (r.drifted or r.errors):
            reasons.append(f"drift {r.label} is not clean: {r.drifted or r.errors}")
        elif not r.label.endswith("before") and not report.drift_caught.get(r.label):
            reasons.append(f"drift {r.label} did not report exactly the tampered objects: {r.drifted or r.errors}")
    return (1 if reasons else 0), reasons


def markdown(report: RunReport) -> str:
    lines = [f"## End-to-end run: {report.env} into moto ({report.moto_url})", "",
             f"terraform {report.terraform_version}, hashicorp/aws {report.aws_version}, "
             f"{report.seconds:.0f} s in all", "",
             "| layer | steps | status | resources | apply s | second plan | after tampering | drift |",
             "|---|---|---|---|---|---|---|---|"]
    for name, layer in report.layers.items():
        steps = ", ".join(f"{s.step.label}: {s.status}" for s in layer.steps) or "none"
        last = layer.last_applied
        seconds = "+".join(f"{s.seconds:.0f}" for s in layer.steps if s.status != "not run") or "-"
        drift = "; ".join(f"{r.label}: " + (", ".join(r.drifted[name]) if r.drifted.get(name) else "none")
                          for r in report.drift_runs) or "-"
        tampered = {t.layer for t in report.tampered}
        after = layer.tamper_plan if name in tampered or last is None else "not planned (nothing tampered)"
        lines.append(f"| {name} | {steps} | {layer.status} | {last.resources if last else 0} | {seconds} | "
                     f"{layer.second_plan} | {after} | {drift} |")
    counts = _counts(report)
    lines += ["", f"Fully applied: {counts['applied']} of {counts['layers']} layers "
              f"(partial {counts['partial']}, failed {counts['failed']}, not run {counts['not run']})."]
    steps = [s for layer in report.layers.values() for s in layer.steps]
    lines += waves_markdown(steps, report.parallel)
    lines += ["", "Made in moto before the first layer (boto3): " + "; ".join(report.seeded)]
    lines += readback_markdown(report.read_backs, report.design_line)
    lines += ["", "### Tampered behind Terraform's back", ""]
    for t in report.tampered:
        caught = "caught" if report.tamper_caught.get(t.case) else "NOT caught"
        lines.append(f"- {t.case}: {t.change} -> plan of {t.layer} must {t.action} `{t.address}`: {caught}")
    lines += [f"- skipped: {s}" for s in report.tamper_skipped]
    lines += [f"- unexpected change: {u}" for u in report.unexpected_changes]
    lines += ["", f"Drift command: {report.drift_tool}"]
    for r in report.drift_runs:
        found = sum(len(v) for v in r.drifted.values())
        verdict = ("" if r.label.endswith("before") else
                   " — exactly the tampered objects" if report.drift_caught.get(r.label) else " — NOT exactly the tampered objects")
        lines.append(f"- drift {r.label}: exit {r.exit_code}, {found} drifted{verdict}"
                     + (f"; explained by the scratch override: {sum(len(v) for v in r.explained.values())}" if r.explained else "")
                     + (f"; errors: {'; '.join(r.errors)[:300]}" if r.errors else ""))
    if report.refreshed:
        lines.append(f"- refreshed into the state before `config after` (apply -refresh-only): {', '.join(report.refreshed)}")
    notes = []
    for name, layer in report.layers.items():
        for s in layer.steps:
            if s.step.settings:
                notes.append(f"- {s.step.label} synthesized with {json.dumps(dict(s.step.settings))} "
                             "(scratch copy of envs/)" + (f": {s.step.note}" if s.step.note else ""))
            grouped: dict[str, list[str]] = {}
            for exclusion in s.excluded:
                grouped.setdefault(exclusion.what, []).append(exclusion.address)
            notes += [f"- {s.step.label} scratch override: {what} — {', '.join(addresses)}"
                      for what, addresses in grouped.items()]
            notes += [f"- {s.step.label} moto lacks: {g}" for g in s.moto_gaps]
            notes += [f"- {s.step.label} error: {p}" for p in s.problems]
            if s.reason:
                notes.append(f"- {s.step.label} not run: {s.reason}")
        if layer.removed_blocks:
            notes.append(f"- {name}: `removed` blocks of providers not installed here, left as synthesized "
                         f"(nothing in a fresh state; terraform needs no provider for them): "
                         + ", ".join(layer.removed_blocks))
    if notes:
        lines += ["", "### Notes", "", *notes]
    if report.error:
        lines += ["", f"Run error: {report.error}"]
    return "\n".join(lines) + "\n"


def _counts(report: RunReport) -> dict[str, int]:
    statuses = [layer.status for layer in report.layers.values()]
    return {"layers": len(statuses), **{s: statuses.count(s) for s in ("applied", "partial", "failed", "not run")}}


def as_json(report: RunReport) -> str:
    def plain(value: Any) -> Any:
        return str(value) if not isinstance(value, (dict, list, str, int, float, bool, type(None))) else value

    data = asdict(report)
    for name, layer in report.layers.items():
        data["layers"][name]["status"] = layer.status
    for plain_result, result in zip(data["read_backs"], report.read_backs):
        plain_result["outcome"] = result.outcome
    code, reasons = verdict(report)
    steps = [s for layer in report.layers.values() for s in layer.steps]
    waves = waves_of(steps)
    timings = [{"step": s.step.label, "needs": [n.step.label for n in s.needs], "started": s.started, "ended": s.ended}
               for s in steps]
    data.update(verdict=code, reasons=reasons, counts=_counts(report),
                waves=None if waves is None else {**asdict(waves), "ratio": waves.ratio, "timings": timings})
    return json.dumps(data, indent=1, default=plain, sort_keys=True)
