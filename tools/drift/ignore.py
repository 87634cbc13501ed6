"""The ignore file: known noise that must not hide real drift.

One rule a line: `SELECTOR [ATTRIBUTE]  # reason`. SELECTOR is `type:<glob>` (a resource type) or an
address glob (`aws_ecs_service.*`, `module.vpc.*`); ATTRIBUTE (a glob, optional) limits the rule to
matching changed attributes, otherwise the whole finding is ignored. The reason is required. Blank
lines and lines starting with `#` are comments. Ignored findings are still counted in every report.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path

from tools.drift.findings import Finding


class IgnoreFileError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    selector: str
    attribute: str | None
    reason: str
    line: int

    def selects(self, finding: Finding) -> bool:
        if self.selector.startswith("type:"):
            return fnmatch.fnmatchcase(finding.type, self.selector[5:])
        return any(fnmatch.fnmatchcase(a, self.selector) for a in (finding.address, finding.original) if a)


def parse_rules(text: str, source: str) -> tuple[Rule, ...]:
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        body, _, reason = line.partition("#")
        fields = body.split()
        if not reason.strip():
            raise IgnoreFileError(f"{source}:{number}: every rule needs a reason after '#': {line!r}")
        if not 1 <= len(fields) <= 2:
            raise IgnoreFileError(f"{source}:{number}: expected 'SELECTOR [ATTRIBUTE]  # reason', got {line!r}")
        rules.append(Rule(fields[0], fields[1] if len(fields) == 2 else None, reason.strip(), number))
    return tuple(rules)


def load_rules(path: Path | None) -> tuple[Rule, ...]:
    if path is None:
        return ()
    try:
        return parse_rules(path.read_text(), str(path))
    except FileNotFoundError:
        raise IgnoreFileError(f"no ignore file {path}") from None


def apply(rules: tuple[Rule, ...], findings: list[Finding]) -> list[Finding]:
    """Findings with matching rules applied: a whole finding marked ignored, or matching changes
    dropped (and the finding marked ignored when none is left)."""
    out = []
    for finding in findings:
        if finding.kind == "error":
            out.append(finding)
            continue
        whole = next((r for r in rules if r.attribute is None and r.selects(finding)), None)
        if whole is not None and (finding.is_drift or finding.kind == "not_checked"):
            out.append(replace(finding, ignored=whole.reason))
            continue
        partial = [r for r in rules if r.attribute is not None and r.selects(finding)]
        if partial and finding.changes:
            kept = tuple(c for c in finding.changes
                         if not any(fnmatch.fnmatchcase(c.attribute, r.attribute) for r in partial))
            if not kept and finding.kind in ("changed",):
                out.append(replace(finding, ignored=partial[0].reason))
                continue
            finding = replace(finding, changes=kept)
        out.append(finding)
    return out
