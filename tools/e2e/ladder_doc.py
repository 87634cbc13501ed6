"""`python -m tools.e2e.ladder_doc REPORT.json [--block NAME]`: a ladder run's step table in docs/e2e.md.

REPORT.json is what `python -m tools.e2e --env dev --ladder --json REPORT.json` wrote. Its summary is
recorded in docs/<NAME>.json and rendered into the block NAME of docs/e2e.md (tools/doc_blocks.py),
so that no number of the table is typed by hand; tests/tools/test_doc_blocks.py fails when the block
is not what `render` makes of the record. A report whose run did not pass is refused: the docs show
a climb that ended clean, or nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tools import doc_blocks

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "e2e.md"
BLOCK = "e2e-ladder"               # the whole climb (`--ladder --accept-data-loss`)
BLOCKS = (BLOCK, "e2e-ladder-layers")   # and the default run's climb on five layers


def record_path(block: str) -> Path:
    return ROOT / "docs" / f"{block}.json"


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the table shows, from the report's JSON: the run, each step, the final plan."""
    run, ladder = report["run"], report["ladder"]
    steps = [{
        "index": s["index"], "switch": s["switch"], "risk": s["risk"], "status": s["status"], "reason": s["reason"],
        "resources": s["resources"], "seconds": round(s["seconds"]), "touched": list(dict.fromkeys(s["touched"])),
        "second_plan_ok": s["second_plan_ok"], "second_plans": len(s["second_plan"]), "counts": s["counts"],
        "predicted_counts": s["predicted_counts"], "mismatches": len(s["mismatches"]), "excluded": len(s["excluded"]),
        "uncertain": len(s["uncertain"]), "released": len(s["released"]),
    } for s in ladder["steps"]]
    return {
        "env": run["env"], "layers": sorted(run["layers"]), "run_seconds": round(run["seconds"]),
        "deployed": run["counts"], "ladder_seconds": round(ladder["ladder_seconds"]),
        "climb_seconds": round(ladder["seconds"]), "accept_data_loss": ladder["accept_data_loss"],
        "steps": steps, "final_label": ladder["final_label"], "final_ok": ladder["final_ok"],
        "final_layers": len(ladder["final_plan"]),
    }


def problems(report: dict[str, Any]) -> list[str]:
    """Why the report's climb did not end clean (empty: it did)."""
    ladder, found = report["ladder"], []
    if report["run"].get("error") or ladder.get("error"):
        found.append(report["run"].get("error") or ladder["error"])
    found += [f"step {s['index']} ({s['switch']}) {s['status']}" for s in ladder["steps"] if s["status"] != "applied"]
    found += [f"step {s['index']} ({s['switch']}): second plan not empty" for s in ladder["steps"]
              if s["touched"] and not s["second_plan_ok"]]
    found += [f"step {s['index']} ({s['switch']}): {len(s['mismatches'])} mismatch(es)" for s in ladder["steps"]
              if s["mismatches"]]
    if not ladder["final_ok"]:
        found.append("the final plan is not empty")
    return found


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {action}" for action, n in sorted(counts.items())) or "none"


def _compared(step: dict[str, Any]) -> str:
    parts = ["exact" if step["mismatches"] == 0 else f"{step['mismatches']} mismatch(es)"]
    if step["excluded"]:
        parts.append(f"{step['excluded']} on what moto leaves out")
    if step["uncertain"]:
        parts.append(f"{step['uncertain']} the ladder cannot tell")
    if step["released"]:
        parts.append(f"{step['released']} created, left out before")
    return ", ".join(parts)


def render(recorded: dict[str, Any]) -> str:
    steps = recorded["steps"]
    changed = [s for s in steps if s["touched"]]
    applied = sum(s["status"] == "applied" for s in steps)
    deployed = recorded["deployed"]
    lines = [
        f"#### {recorded['env']}: {len(recorded['layers'])} layers, {recorded['run_seconds']} s in all "
        f"(ladder measured in {recorded['ladder_seconds']} s, climb {recorded['climb_seconds']} s); "
        f"data loss accepted: {'yes' if recorded['accept_data_loss'] else 'no'}",
        "",
        f"Deployed as it is first: {deployed['applied']} applied + {deployed['partial']} partial of "
        f"{deployed['layers']}, {deployed['failed']} failed. Then {applied} of {len(steps)} steps applied, "
        f"{len(changed)} of them changing a layer; the rest synthesized to the same stacks here.",
        "",
        "| # | switch | risk | status | resources after | s | layers planned | second plan | applied | predicted | compared |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in steps:
        status = s["status"] + (f" ({s['reason']})" if s["reason"] and s["status"] != "applied" else "")
        second = "-" if not s["touched"] else (f"exit 0 ({s['second_plans']})" if s["second_plan_ok"] else "CHANGES")
        lines.append(f"| {s['index']} | `{s['switch']}` | {s['risk']} | {status} | {s['resources']} | {s['seconds']} | "
                     f"{', '.join(s['touched']) or '-'} | {second} | {_counts(s['counts'])} | "
                     f"{_counts(s['predicted_counts'])} | {_compared(s)} |")
    lines += ["", f"Final plan, {recorded['final_label']}: "
              + (f"every layer exit 0 ({recorded['final_layers']} layers)." if recorded["final_ok"] else "NOT EMPTY.")]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.e2e.ladder_doc", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the JSON of `python -m tools.e2e --ladder --json FILE`")
    parser.add_argument("--block", choices=BLOCKS, default=BLOCK)
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
        ladder = report["ladder"]
        if not ladder.get("steps"):
            raise KeyError("ladder.steps")
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"error: {args.report}: not a ladder run's report ({error})", file=sys.stderr)
        return 2
    found = problems(report)
    if found:
        print(f"error: {args.report}: the climb did not end clean, nothing recorded: " + "; ".join(found)[:800],
              file=sys.stderr)
        return 1
    recorded = summary(report)
    record_path(args.block).write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    doc_blocks.write_block(DOC, args.block, render(recorded))
    print(f"recorded in {record_path(args.block).relative_to(ROOT)} and {DOC.relative_to(ROOT)} ({args.block})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
