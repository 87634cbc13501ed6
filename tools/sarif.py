"""SARIF 2.1.0 logs of scan results: one run per scanner and stack, the findings the policy does not
skip as results, the skipped ones as results with an external suppression (their reason as justification),
so a code-scanning upload shows what the policy hides and why."""
from __future__ import annotations

from typing import Any

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}


def log(results: list[Any]) -> dict:
    return {"version": "2.1.0", "$schema": SCHEMA, "runs": [run(r) for r in results]}


def run(result: Any) -> dict:
    findings = [(f, False) for f in result.failed] + [(f, True) for f in result.skipped]
    rules = sorted({f.check_id: f.title for f, _ in findings}.items())
    return {
        "tool": {"driver": {"name": result.scanner, "rules": [
            {"id": check_id, "shortDescription": {"text": title or check_id}} for check_id, title in rules]}},
        "automationDetails": {"id": f"{result.layer}/{result.scanner}/"},
        "results": [_result(result.layer, f, skipped) for f, skipped in findings],
    }


def _result(layer: str, finding: Any, skipped: bool) -> dict:
    entry = {
        "ruleId": finding.check_id,
        "level": LEVELS.get(finding.severity.upper(), "warning"),
        "message": {"text": f"{finding.resource}: {finding.title}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": f"cdktf.out/stacks/{layer}/{finding.file}"},
            "region": {"startLine": max(finding.line, 1)}}}],
    }
    if skipped:
        entry["suppressions"] = [{"kind": "external", "justification": finding.skip_reason}]
    return entry
