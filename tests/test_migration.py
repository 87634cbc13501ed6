"""The project's record of deliberate differences from the original (`docs/accepted-differences.json`,
the format `plan_compare.py --accept` reads) is well-formed (its staleness is checked by `tests/test_equivalence.py`), and the
migration report generated from it is current."""
from __future__ import annotations

import json

from layers import LAYERS
from tests.conftest import ROOT
from tools import migration_report

ACCEPTED = json.loads((ROOT / "docs" / "accepted-differences.json").read_text())
# "replace" only for immutable objects whose change registers a new one (an ECS task definition revision,
# an API Gateway deployment).
EFFECTS = {"nothing", "in-place update", "needs a manual step", "replace"}


def test_accepted_differences_are_well_formed():
    assert isinstance(ACCEPTED, list) and ACCEPTED
    layers = {layer.layer for layer in LAYERS}
    for entry in ACCEPTED:
        assert set(entry) == {"layer", "address", "attribute", "keys", "reason", "effect"}, entry
        assert entry["layer"] in layers, entry
        assert entry["effect"] in EFFECTS, entry
        assert len(entry["reason"]) > 20, entry
        assert isinstance(entry["keys"], list), entry
        assert all(key.startswith(entry["attribute"] + ".") for key in entry["keys"]), entry
    keys = [(e["layer"], e["address"], e["attribute"]) for e in ACCEPTED]
    assert len(keys) == len(set(keys)), "an entry is listed twice"


def test_migration_report_is_current():
    assert (ROOT / "docs" / "MIGRATION.md").read_text() == migration_report.render(), \
        "docs/MIGRATION.md is out of date: run python tools/migration_report.py"
