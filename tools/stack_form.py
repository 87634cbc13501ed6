"""The synthesized stack folders for the tools, without the `layers` package: their form
(`synthesis/output_form.py`) and the layer names the synthesis writes.

Importing the `layers` package imports every layer, and with them cdktf and the provider bindings
(seconds, ~1 GB); the tools that read a stack folder (scan, drift, e2e) need only the output form.
"""
from __future__ import annotations

import ast
from pathlib import Path

from synthesis import output_form as _form

ROOT = Path(__file__).resolve().parent.parent

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
