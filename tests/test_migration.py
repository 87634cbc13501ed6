"""The project's record of deliberate differences from the original (`docs/accepted-differences.json`,
the format `plan_compare.py --accept` reads) is well-formed and has no stale entries, and the
migration report generated from it is current."""
from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from layers import LAYERS
from tests.conftest import REFERENCE_ENVIRONMENTS, ROOT
from tests.helpers import moves, resource
from tools import migration_report

ACCEPTED = json.loads((ROOT / "docs" / "accepted-differences.json").read_text())
FIXTURES = Path(__file__).parent / "fixtures" / "original"
EFFECTS = {"nothing", "in-place update", "needs a manual step"}


def test_accepted_differences_are_well_formed():
    assert isinstance(ACCEPTED, list) and ACCEPTED
    layers = {layer.layer for layer in LAYERS}
    for entry in ACCEPTED:
        assert set(entry) == {"layer", "address", "attribute", "keys", "reason", "effect"}, entry
        assert entry["layer"] in layers, entry
        assert entry["effect"] in EFFECTS, entry
        assert len(entry["reason"]) > 20, entry
    keys = [(e["layer"], e["address"], e["attribute"]) for e in ACCEPTED]
    assert len(keys) == len(set(keys)), "an entry is listed twice"


@pytest.mark.parametrize("entry", ACCEPTED, ids=[f"{e['layer']}:{e['address']}:{e['attribute']}" for e in ACCEPTED])
def test_every_accepted_difference_still_matches_an_original_instance_and_attribute(synthesized, entry):
    """An entry must name at least one original instance, and an attribute that the original or the
    stack sets on it: otherwise it is stale and would hide a future, unreviewed difference."""
    for env in REFERENCE_ENVIRONMENTS:
        stack = synthesized(env).stack(entry["layer"])
        moved = moves(stack)
        original = json.loads((FIXTURES / env / f"{entry['layer']}.json").read_text())["instances"]
        for instance in original:
            if not fnmatch.fnmatch(instance["address"], entry["address"]):
                continue
            ours = resource(stack, moved.get(instance["address"], instance["address"]))
            names = set(instance["values"]) | set(ours) | {"tags_all"} if "tags" in ours else set(instance["values"]) | set(ours)
            if any(fnmatch.fnmatch(name, entry["attribute"].split(".")[0]) for name in names):
                return
    pytest.fail(f"stale entry: nothing in the original {entry['layer']} matches {entry['address']} / {entry['attribute']}")


def test_migration_report_is_current():
    assert (ROOT / "docs" / "MIGRATION.md").read_text() == migration_report.render(), \
        "docs/MIGRATION.md is out of date: run python tools/migration_report.py"
