"""Rendering the claims x environments matrix (text, JSON, Markdown) and `--explain` of one claim."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from settings.profile import Switch
from tools.design.measure import STATUSES, Matrix

SHORT = {"pass": "pass", "fail": "FAIL", "unknown": "unknown", "not-applicable": "n/a", "out-of-scope": "out"}


def switches_for(claim_id: str, claim_switch: str, switches: Sequence[Switch]) -> list[Switch]:
    """The switches that realize a claim: the table's own list, and the catalogue's `switch`."""
    return [s for s in switches if claim_id in s.claims or s.path == claim_switch]


def counts_line(matrix: Matrix) -> list[tuple[str, str, dict[str, int], list[str]]]:
    return [(e.name, e.profile, e.counts(), e.blocking()) for e in matrix.envs]


def _status(matrix: Matrix, env: str, claim_id: str) -> str:
    verdict = matrix.env(env).verdicts.get(claim_id)
    return verdict.status if verdict else "missing"


def render_text(matrix: Matrix, switches: Sequence[Switch] = ()) -> str:
    names = [e.name for e in matrix.envs]
    lines = [f"{'claim':<6} {'section':<8} " + " ".join(f"{n:<8}" for n in names) + " claim"]
    for claim in matrix.claims:
        cells = " ".join(f"{SHORT.get(_status(matrix, n, claim.id), '?'):<8}" for n in names)
        lines.append(f"{claim.id:<6} {claim.section:<8} {cells} {claim.claim[:70]}")
    lines += ["", f"{'env':<8} {'profile':<12} " + " ".join(f"{SHORT[s]:>7}" for s in STATUSES) + "  blocking"]
    for name, profile, counts, blocking in counts_line(matrix):
        lines.append(f"{name:<8} {profile:<12} " + " ".join(f"{counts[s]:>7}" for s in STATUSES)
                     + f"  {', '.join(blocking) if blocking else '-'}")
    lines.append("")
    lines.append("result: " + ("a to-be environment fails or cannot decide a claim that applies to it"
                               if matrix.exit_code else "every to-be environment passes every claim that applies"))
    return "\n".join(lines) + "\n"


def as_data(matrix: Matrix) -> dict[str, Any]:
    return {
        "claims": [{"id": c.id, "section": c.section, "claim": c.claim, "scope": c.scope} for c in matrix.claims],
        "environments": {
            e.name: {"profile": e.profile, "counts": e.counts(), "blocking": e.blocking(),
                     "verdicts": {cid: {"status": v.status, "evidence": v.evidence} for cid, v in e.verdicts.items()}}
            for e in matrix.envs},
        "exit_code": matrix.exit_code,
    }


def render_json(matrix: Matrix, switches: Sequence[Switch] = ()) -> str:
    return json.dumps(as_data(matrix), indent=2, ensure_ascii=False) + "\n"


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(matrix: Matrix, switches: Sequence[Switch] = ()) -> str:
    names = [e.name for e in matrix.envs]
    lines = ["| env | profile | " + " | ".join(STATUSES) + " |", "|---|---|" + "---:|" * len(STATUSES)]
    for name, profile, counts, _ in counts_line(matrix):
        lines.append(f"| {name} | {profile} | " + " | ".join(str(counts[s]) for s in STATUSES) + " |")
    lines += ["", "| claim | § | " + " | ".join(names) + " | claim |", "|---|---|" + "---|" * len(names) + "---|"]
    for claim in matrix.claims:
        cells = " | ".join(_md_status(_status(matrix, n, claim.id)) for n in names)
        lines.append(f"| {claim.id} | {claim.section} | {cells} | {md_cell(claim.claim)} |")
    return "\n".join(lines) + "\n"


def _md_status(status: str) -> str:
    return {"fail": "**fail**", "not-applicable": "n/a", "out-of-scope": "out of scope"}.get(status, status)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}


def explain(matrix: Matrix, claim: Any, switches: Sequence[Switch], fmt: str = "text") -> str:
    realizing = switches_for(claim.id, claim.switch, switches)
    if fmt == "json":
        return json.dumps({
            "id": claim.id, "section": claim.section, "claim": claim.claim, "original": claim.original,
            "check": claim.check, "scope": claim.scope, "reason": claim.reason, "reading": claim.reading,
            "not_in_envs": list(claim.not_in_envs), "not_in_regions": list(claim.not_in_regions),
            "switches": [{"path": s.path, "to_be": s.to_be, "not_in_profile": s.not_in_profile} for s in realizing],
            "verdicts": {e.name: {"profile": e.profile, **({"status": e.verdicts[claim.id].status,
                                                           "evidence": e.verdicts[claim.id].evidence}
                                                          if claim.id in e.verdicts else {"status": "missing"})}
                         for e in matrix.envs}}, indent=2, ensure_ascii=False) + "\n"
    lines = [f"{claim.id} (§{claim.section}): {claim.claim}", f"  the document: {claim.original}",
             f"  check: {claim.check}", f"  scope: {claim.scope}" + (f" ({claim.reason})" if claim.reason else "")]
    if claim.reading:
        lines.append(f"  reading taken: {claim.reading}")
    if claim.not_in_envs or claim.not_in_regions:
        lines.append(f"  does not apply to: {', '.join((*claim.not_in_envs, *claim.not_in_regions))}")
    for s in realizing:
        value = json.dumps(s.to_be, ensure_ascii=False) if s.in_profile else f"not in the profile: {s.not_in_profile}"
        lines.append(f"  switch: {s.path} (to-be: {value})")
    if not realizing:
        lines.append("  switch: none yet")
    for e in matrix.envs:
        verdict = e.verdicts.get(claim.id)
        shown = f"{verdict.status}: {verdict.evidence}" if verdict else "missing (no verdict)"
        lines.append(f"  {e.name} ({e.profile}): {shown}")
    return "\n".join(lines) + "\n"
