"""Every stack reads the states the original layer read, under the original data-source names and
keys (`tests/fixtures/original_remote_state.json`, from the inventory): a conditional read of the
original may be absent (its switch is off). The original 06 wrote its keys as literal `dev/...`
(every environment read dev's states); here every key is the environment's own."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from layers import LAYERS
from settings import load_environment
from tests.conftest import ENVIRONMENTS

ORIGINAL = json.loads((Path(__file__).parent / "fixtures" / "original_remote_state.json").read_text())["layers"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("layer", [layer.layer for layer in LAYERS if layer.layer in ORIGINAL])
def test_stack_reads_the_original_remote_states_by_name_and_key(synthesized, env, layer):
    settings = load_environment(env)
    reads = (synthesized(env).stack(layer).get("data") or {}).get("terraform_remote_state") or {}
    expected = ORIGINAL[layer]
    unconditional = {name for name, read in expected.items() if not read["conditional"]}
    assert unconditional <= set(reads) <= set(expected), layer
    for name, body in reads.items():
        layer_part = expected[name]["key"].split("/", 1)[1]   # "<layer>/terraform.tfstate"
        key = f"{settings.environment}/{layer_part}"
        assert body["config"]["key"] == key
        assert body["config"]["bucket"] == settings.state.bucket
