"""docs/design.md is what `python -m tools.design --write-docs` writes today: regenerated from the
catalogue, the checks, the switches table and the four synthesized environments, and compared."""
from __future__ import annotations

import difflib

from settings.profile import load_switches
from tests.conftest import ROOT
from tools.design.docs import ENVS, REGENERATE, render_page
from tools.design.measure import default_toolkit

PAGE = ROOT / "docs" / "design.md"


def test_the_design_page_is_current(synthesized):
    fresh = render_page(default_toolkit(), load_switches(ROOT / "envs"),
                        {env: synthesized(env).outdir / "stacks" for env in ENVS})
    current = PAGE.read_text() if PAGE.is_file() else ""
    if fresh != current:
        diff = "".join(list(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True),
                                                 "docs/design.md", "generated"))[:40])
        raise AssertionError(f"docs/design.md is stale; run `{REGENERATE}`\n{diff}")


def test_the_page_says_how_to_regenerate_it_and_lists_every_switch():
    text = PAGE.read_text()
    assert REGENERATE in text
    for switch in load_switches(ROOT / "envs"):
        assert f"| `{switch.path}` |" in text
