"""`cdktf.json` runs the app with `python -O` (it skips the provider bindings' run-time type checks),
which also strips every `assert`: the app's own code must not rely on one."""
from __future__ import annotations

import ast

from tests.conftest import ROOT

APP_SOURCES = ["main.py", "synthesis", "speed", "layers", "modules", "settings"]


def app_files():
    for name in APP_SOURCES:
        path = ROOT / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_the_app_has_no_assert_that_python_dash_o_would_strip():
    found = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in app_files()
             for node in ast.walk(ast.parse(path.read_text(), str(path))) if isinstance(node, ast.Assert)]
    assert not found, f"assert is stripped under python -O (bin/app); raise an error instead: {', '.join(found)}"


def test_the_app_is_run_optimized():
    assert (ROOT / "bin" / "app").read_text().count('.venv/bin/python" -O ') == 1
