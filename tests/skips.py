"""The one line `bin/test` ends with when tests were skipped: which tiers (grouped by the reason each
skip gives, which says what is missing and how to install it) and how many tests each holds. Without
it a machine without mariadb-server or terraform passes with tests silently left out (only `-rs`
would say why)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any


def reason_of(report: Any) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ").strip()


def summary_line(reports: Iterable[Any]) -> str | None:
    """`skipped: N tests (reason); M tests (reason)`, most tests first, or None when nothing was skipped."""
    counts = Counter(reason_of(report) for report in reports)
    if not counts:
        return None
    parts = [f"{count} test{'s' if count > 1 else ''} ({reason})"
             for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return "skipped (each reason says what enables them): " + "; ".join(parts)
