"""The README's drift recipe with fixtures works as written: `python -m tests.tools.state_fixtures OUT dev`
writes a state for every stack the synthesis writes (00-bootstrap, new, gets an empty one), so that
`python -m tools.drift config --all --state OUT` reports drift for every layer and an error for none."""
from __future__ import annotations

import json

from tests.tools.state_fixtures import main as write_fixtures
from tools.drift.__main__ import main as drift


def test_the_fixtures_cover_every_stack_the_drift_run_covers(synthesized, tmp_path, capsys):
    stacks = synthesized("dev").outdir / "stacks"
    assert write_fixtures([str(tmp_path / "states"), "dev"]) == 0
    written = sorted(p.stem for p in (tmp_path / "states").glob("*.tfstate"))
    assert written == synthesized("dev").layers()
    assert json.loads((tmp_path / "states" / "00-bootstrap.tfstate").read_text())["resources"] == []
    capsys.readouterr()
    code = drift(["config", "--all", "--stacks", str(stacks), "--state", str(tmp_path / "states"), "--format", "json"])
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [layer["error"] for layer in layers] == [None] * len(written)
    assert code == 2   # the fixtures are the original's states: moves and updates are pending


def test_an_environment_without_original_plans_is_one_line_and_exit_1(tmp_path, capsys):
    assert write_fixtures([str(tmp_path), "staging"]) == 1
    assert capsys.readouterr().err.startswith("error: no original plans for 'staging' in ")
