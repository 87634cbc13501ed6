"""What a check finds, per resource instance, and the verdict of one layer.

Kinds, configuration mode: `kept`, `moved`, `forgotten` (a `removed` block with destroy = false),
`destroyed`, `created`, `deferred` (instances decided at apply time by a count/for_each the
configuration cannot know). Live mode: `ok`, `missing`, `changed`, `unmanaged`, `not_checked`.
Both: `error` (one resource could not be checked). A kept or moved instance may carry `changes`, each
with an effect: `update`, `replace`, `maybe-replace`, `unknown` (the type is not in the force-new
table) or `refused` (AWS will reject it; `note` says why).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DRIFT_KINDS = frozenset({"moved", "forgotten", "destroyed", "created", "missing", "changed", "unmanaged"})
EFFECT_RANK = {"update": 1, "unknown": 2, "maybe-replace": 3, "replace": 4, "refused": 5}


@dataclass(frozen=True)
class Change:
    attribute: str
    before: Any          # the state's value
    after: Any           # the configured (config mode) or real (live mode) value
    effect: str = "update"
    note: str = ""


@dataclass(frozen=True)
class Finding:
    kind: str
    address: str
    type: str
    original: str = ""               # the state address before moves, when it differs
    changes: tuple[Change, ...] = ()
    message: str = ""
    ignored: str = ""                # the ignore-file reason, when an ignore line matched

    @property
    def action(self) -> str:
        """The strongest effect of the finding: destroy, create, replace, refused, update, ..."""
        if self.kind in ("destroyed", "created", "missing", "unmanaged", "error", "not_checked", "deferred"):
            return {"destroyed": "destroy", "created": "create"}.get(self.kind, self.kind)
        if not self.changes:
            return {"moved": "move", "forgotten": "forget"}.get(self.kind, "none")
        return max((c.effect for c in self.changes), key=lambda e: EFFECT_RANK.get(e, 0))

    @property
    def is_drift(self) -> bool:
        if self.ignored:
            return False
        return self.kind in DRIFT_KINDS or bool(self.changes)


@dataclass(frozen=True)
class LayerResult:
    layer: str
    mode: str
    source: str = ""
    findings: tuple[Finding, ...] = ()
    error: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.error or any(f.kind == "error" for f in self.findings):
            return 1
        return 2 if any(f.is_drift for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for finding in self.findings:
            counts["ignored" if finding.ignored else finding.kind] += 1
            if not finding.ignored and finding.changes and finding.action != finding.kind:
                counts[finding.action] += 1
        return dict(sorted(counts.items()))

    @property
    def verdict(self) -> str:
        if self.error:
            return f"error: {self.error}"
        counts = self.counts()
        errors = counts.get("error", 0)
        if errors:
            return f"error: {errors} resource(s) could not be checked"
        if self.exit_code == 0:
            return "no drift"
        order = ("refused", "destroyed", "replace", "maybe-replace", "created", "missing", "changed",
                 "unmanaged", "update", "unknown", "moved", "forgotten")
        parts = [f"{counts[k]} {k}" for k in order if counts.get(k)]
        danger = counts.get("refused") or counts.get("destroyed") or counts.get("replace")
        return ("drift: " if not danger else "DRIFT (destructive or refused): ") + ", ".join(parts)


def overall_exit_code(results: list[LayerResult]) -> int:
    codes = {r.exit_code for r in results}
    return 1 if 1 in codes or not results else (2 if 2 in codes else 0)
