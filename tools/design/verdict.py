"""What a check says about one claim in one environment, and why."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "fail", "unknown", "not-applicable", "out-of-scope"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "unknown", "not-applicable", "out-of-scope")


@dataclass(frozen=True)
class Verdict:
    """`evidence` is what a reader needs to trust the status: the layer, address and value found,
    what is missing, or the reason the claim cannot be decided (a value known only at apply)."""

    status: Status
    evidence: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}; known: {', '.join(STATUSES)}")
        if not self.evidence.strip():
            raise ValueError("a verdict needs evidence (what was found, what is missing, or why undecided)")


def passed(evidence: str) -> Verdict:
    return Verdict("pass", evidence)


def failed(evidence: str) -> Verdict:
    return Verdict("fail", evidence)


def unknown(evidence: str) -> Verdict:
    return Verdict("unknown", evidence)


def combine(verdicts: list[Verdict]) -> Verdict:
    """All parts must pass: the first failure wins, then the first unknown; evidence joined with '; '.
    No parts is a failure, so a claim made of nothing never passes."""
    if not verdicts:
        return failed("nothing was checked")
    for status in ("fail", "unknown"):
        bad = [v.evidence for v in verdicts if v.status == status]
        if bad:
            return Verdict(status, "; ".join(bad))  # type: ignore[arg-type]
    return passed("; ".join(v.evidence for v in verdicts))
