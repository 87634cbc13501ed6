"""The synthesized stack folders for the tools, without the `layers` package: their form
(`layers/output_form.py`) and the layer names the synthesis writes.

Importing the `layers` package imports every layer, and with them cdktf and the provider bindings
(seconds, ~1 GB); the tools that read a stack folder (scan, drift, e2e) need only this plain module,
so it is loaded by path, once, here.
"""
from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NAME = "petclinic_output_form"


def _load():
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    spec = importlib.util.spec_from_file_location(_NAME, ROOT / "layers" / "output_form.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module   # one module object: its OutputFormError is the one callers catch
    spec.loader.exec_module(module)
    return module


_form = _load()
STACK_FILE: str = _form.STACK_FILE
NATIVE_FILE: str = _form.NATIVE_FILE
OutputFormError = _form.OutputFormError
read_stack = _form.read_stack
merge_native = _form.merge_native
parse_native = _form.parse_native


def known_layers() -> list[str]:
    """The layer names the synthesis writes, read from `layers/*.py` (the `layer = "..."` of each stack
    class) without importing them: importing a layer loads cdktf and the provider bindings (seconds)."""
    names = []
    for path in sorted((ROOT / "layers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                names += [item.value.value for item in node.body
                          if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant)
                          and any(isinstance(t, ast.Name) and t.id == "layer" for t in item.targets)
                          and isinstance(item.value.value, str)]
    return sorted(names)
