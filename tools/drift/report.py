"""Reports: a text table with a one-line verdict per layer, stable JSON, and Markdown for a
pull-request comment.

JSON (`"format": "petclinic-drift/1"`): `{format, mode, exit_code, layers: [{layer, exit_code,
verdict, source, error, seconds, counts, notes, findings: [{kind, action, address, type, original,
message, ignored, changes: [{attribute, before, after, effect, note}]}]}]}`. Layers are sorted by
name and findings by address; values are the state's and the configured (or live) values, except
sensitive ones, which read "(sensitive)".
"""
from __future__ import annotations

import json
from typing import Any

from tools.drift.findings import Finding, LayerResult, overall_exit_code

FORMAT = "petclinic-drift/1"
QUIET_KINDS = ("kept", "ok")


def short(value: Any, width: int = 70) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."


def as_json(mode: str, results: list[LayerResult]) -> str:
    def finding(f: Finding) -> dict[str, Any]:
        return {"kind": f.kind, "action": f.action, "address": f.address, "type": f.type,
                "original": f.original or None, "message": f.message or None, "ignored": f.ignored or None,
                "changes": [{"attribute": c.attribute, "before": c.before, "after": c.after,
                             "effect": c.effect, "note": c.note or None} for c in f.changes]}

    document = {
        "format": FORMAT, "mode": mode, "exit_code": overall_exit_code(results),
        "layers": [{"layer": r.layer, "exit_code": r.exit_code, "verdict": r.verdict, "source": r.source or None,
                    "error": r.error or None, "seconds": round(r.seconds, 3), "counts": r.counts(),
                    "notes": list(r.notes),
                    "findings": [finding(f) for f in sorted(r.findings, key=lambda f: (f.address, f.kind))]}
                   for r in sorted(results, key=lambda r: r.layer)],
    }
    return json.dumps(document, indent=1, sort_keys=False, default=str) + "\n"


ABSENT = "(absent)"


def change_text(before: Any, after: Any, width: int = 70) -> str:
    """`a -> b`; for two maps (tags) only the keys that differ: `CreatedAt: 2000-01-01 -> (absent)`."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(k for k in set(before) | set(after) if before.get(k, ABSENT) != after.get(k, ABSENT))
        return "; ".join(f"{k}: {short(before.get(k, ABSENT), 30)} -> {short(after.get(k, ABSENT), 30)}" for k in keys)
    return f"{short(before, width)} -> {short(after, width)}"


def _finding_lines(f: Finding) -> list[str]:
    where = f"{f.address}" + (f"  (was {f.original})" if f.original else "")
    head = f"  {f.kind:<10} {f.action:<13} {where}"
    lines = [head]
    if f.ignored:
        lines.append(f"      ignored: {f.ignored}")
    if f.message:
        lines.append(f"      {f.message}")
    for c in f.changes:
        lines.append(f"      {c.attribute}: {change_text(c.before, c.after)}  [{c.effect}]")
        if c.note:
            lines.append(f"        {c.note}")
    return lines


def as_text(mode: str, results: list[LayerResult]) -> str:
    results = sorted(results, key=lambda r: r.layer)
    out: list[str] = []
    for r in results:
        out.append(f"== {r.layer} ({mode}) — {r.verdict}")
        if r.source:
            out.append(f"   state: {r.source}")
        for note in r.notes:
            out.append(f"   note: {note}")
        quiet = sum(1 for f in r.findings if f.kind in QUIET_KINDS and not f.changes)
        for f in sorted(r.findings, key=lambda f: (f.kind in QUIET_KINDS, f.address)):
            if f.kind in QUIET_KINDS and not f.changes:
                continue
            out += _finding_lines(f)
        if quiet:
            out.append(f"  {quiet} instance(s) {'kept unchanged' if mode == 'config' else 'as in the state'}")
        out.append("")
    width = max([len(r.layer) for r in results] + [5])
    out.append(f"{'LAYER':<{width}}  EXIT  VERDICT")
    for r in results:
        out.append(f"{r.layer:<{width}}  {r.exit_code:>4}  {r.verdict}")
    out.append(f"exit code {overall_exit_code(results)} (0 no drift, 2 drift, 1 error)")
    return "\n".join(out) + "\n"


def _md(text: Any) -> str:
    return short(text, 60).replace("|", "\\|").replace("\n", " ")


def as_markdown(mode: str, results: list[LayerResult]) -> str:
    results = sorted(results, key=lambda r: r.layer)
    code = overall_exit_code(results)
    icon = {0: "no drift", 2: "drift", 1: "error"}[code]
    out = [f"### Drift ({mode}): {icon}", "", "| layer | exit | verdict |", "|---|---|---|"]
    out += [f"| `{r.layer}` | {r.exit_code} | {_md(r.verdict)} |" for r in results]
    for r in results:
        shown = [f for f in r.findings if not (f.kind in QUIET_KINDS and not f.changes)]
        if not shown:
            continue
        out += ["", f"<details><summary><code>{r.layer}</code>: {len(shown)} finding(s)</summary>", "",
                "| kind | action | address | attribute | state | new | note |", "|---|---|---|---|---|---|---|"]
        for f in sorted(shown, key=lambda f: f.address):
            note = f.ignored and f"ignored: {f.ignored}" or f.message
            if not f.changes:
                out.append(f"| {f.kind} | {f.action} | `{f.address}` | | | | {_md(note)} |")
            for c in f.changes:
                if isinstance(c.before, dict) and isinstance(c.after, dict):
                    before, after = "", _md(change_text(c.before, c.after))
                else:
                    before, after = _md(c.before), _md(c.after)
                out.append(f"| {f.kind} | {c.effect} | `{f.address}` | `{c.attribute}` | {before} | "
                           f"{after} | {_md(c.note or note)} |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


RENDERERS = {"text": as_text, "json": as_json, "markdown": as_markdown}
