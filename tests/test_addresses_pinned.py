"""A change detector, not a proof of correctness: the full set of addresses of every stack is pinned
(`tests/fixtures/addresses.json`, written from this code), so an unrelated change that would move
state fails here and shows up in review. That the addresses keep the deployed state is proven
against the reference plans by `tests/test_state_kept.py`. After a deliberate change of addresses,
rewrite the file with `python tools/pin_addresses.py` and review its diff."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ENVIRONMENTS
from tests.helpers import addresses

PINNED = json.loads((Path(__file__).parent / "fixtures" / "addresses.json").read_text())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_stack_address_changes_without_a_reviewed_repin(synthesized, env):
    synthesis = synthesized(env)
    assert sorted(PINNED[env]) == synthesis.layers(), "a stack appeared or disappeared"
    for layer in synthesis.layers():
        assert sorted(addresses(synthesis.stack(layer))) == PINNED[env][layer], layer
