"""No stack module imports another stack module: a stack reads another layer through that layer's
contract (`layers/contracts/`), so the stacks form no import circle."""
from __future__ import annotations

import ast

import pytest

from layers import LAYERS
from tests.conftest import ROOT

SHARED = {"layers.base", "layers.outputs"}   # what every stack builds on; no layer of its own
STACK_MODULES = sorted({layer.__module__ for layer in LAYERS})


def layer_imports(module: str) -> set[str]:
    """Every `layers.*` module that `module` imports (`from layers import x` counts as `layers.x`)."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "layers":
            if node.module == "layers" or node.module == "layers.contracts":
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "layers"}
    return found


@pytest.mark.parametrize("module", STACK_MODULES)
def test_a_stack_module_imports_contracts_and_shared_code_only(module):
    other_stacks = {name for name in layer_imports(module)
                    if name not in SHARED and not name.startswith("layers.contracts.")}
    assert other_stacks == set()


def test_the_check_sees_a_stack_importing_another(tmp_path, monkeypatch):
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "fake.py").write_text("from layers import network\nfrom layers.contracts import database\n")
    monkeypatch.setattr("tests.layers.test_layer_imports.ROOT", tmp_path)
    assert layer_imports("layers.fake") == {"layers.network", "layers.contracts.database"}
    assert len(STACK_MODULES) == len(LAYERS) == 13
