"""The one line a test run ends with when tests were skipped: which tiers (the tests a missing tool
leaves out, grouped by the reason the skip gives, which says what to install) and how many tests each
holds. Without it a machine without mariadb-server or terraform passes with tests silently left out
(only `-rs` would say why). Other skips (a parametrized case that does not apply) are only counted."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

# How the tier skips of this suite word a missing tool (tests/functions/mariadb_server.py, the
# terraform and node skips, the lazy tarball's).
MISSING_TOOL = re.compile(r"not installed|\bneeds\b|not on PATH|has not built|\binstall\b")


def reason_of(report: Any) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return text.removeprefix("Skipped: ").strip()


def _tests(count: int) -> str:
    return f"{count} test{'s' if count > 1 else ''}"


def summary_line(reports: Iterable[Any]) -> str | None:
    """`skipped tiers: N tests (reason); ...; M other skips (-rs lists them)`, or None if nothing was skipped."""
    counts = Counter(reason_of(report) for report in reports)
    tiers = sorted(((reason, n) for reason, n in counts.items() if MISSING_TOOL.search(reason)),
                   key=lambda item: (-item[1], item[0]))
    others = sum(counts.values()) - sum(n for _, n in tiers)
    parts = [f"{_tests(n)} ({reason})" for reason, n in tiers]
    if others:
        parts.append(f"{_tests(others)} skipped for other reasons (-rs lists them)")
    if not parts:
        return None
    return ("skipped tiers, install what each names to run them: " if tiers else "skipped: ") + "; ".join(parts)
