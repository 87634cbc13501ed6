"""The end-to-end run (`python -m tools.e2e`): every stack applied with terraform into a local moto
server through the S3 backend, a second plan without changes, and changes behind Terraform's back
caught. One run per test session (minutes), where terraform and the provider mirror are installed.

Not part of the default run yet: with all thirteen stacks it does not pass (10-monitoring's CloudTrail
and 11-frontend's CloudFront calls are moto gaps not yet listed, and the run exceeds its budget), and a
suite that fails for that would hide every other result. Run it with `PETCLINIC_E2E=1 bin/test -m e2e`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.e2e.terraform import find_mirror, which_terraform

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 16 * 60  # the run's own budget is 14 minutes

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.environ.get("PETCLINIC_E2E") != "1",
                       reason="the end-to-end run does not pass on all thirteen stacks yet (issue 25): "
                              "PETCLINIC_E2E=1 runs it"),
    pytest.mark.skipif(which_terraform() is None or find_mirror() is None,
                       reason="needs terraform on PATH and a filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR)"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    scratch = tmp_path_factory.mktemp("e2e")
    report = scratch / "report.json"
    done = subprocess.run([sys.executable, "-m", "tools.e2e", "--env", "dev", "--workdir", str(scratch / "work"),
                           "--json", str(report), "--report", str(scratch / "report.md")], cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert report.is_file(), f"no report (exit {done.returncode}): {done.stderr[-3000:]}"
    data = json.loads(report.read_text())
    data["stdout"], data["stderr"], data["exit"] = done.stdout, done.stderr, done.returncode
    return data


def test_every_layer_applies(run):
    not_applied = {name: (layer["status"], [s["reason"] or s["problems"] for s in layer["steps"]])
                   for name, layer in run["layers"].items() if layer["status"] not in ("applied", "partial")}
    assert not not_applied, run["stdout"]
    assert run["layers"], "the run found no stacks"


def test_a_partial_layer_names_what_moto_cannot_serve(run):
    for name, layer in run["layers"].items():
        if layer["status"] == "partial":
            named = [exclusion["what"] for s in layer["steps"] for exclusion in s["excluded"]]
            named += [s["reason"] for s in layer["steps"] if s["status"] == "not run"]
            named += [s["step"]["note"] for s in layer["steps"] if s["step"]["note"]]
            assert named, f"{name} is partial without a stated reason"
            assert all(("moto" in what) or ("reads" in what) or ("needs" in what) for what in named), named


def test_second_plan_has_no_changes(run):
    changed = {name: layer["second_plan"] for name, layer in run["layers"].items() if layer["second_plan_code"] != 0}
    assert not changed, changed


def test_changes_behind_terraforms_back_are_caught_and_nothing_else(run):
    assert len(run["tampered"]) == 3, run["tamper_skipped"]
    assert run["tamper_caught"] and all(run["tamper_caught"].values()), run["stdout"]
    assert run["unexpected_changes"] == []
    for case in run["tampered"]:
        assert run["layers"][case["layer"]]["tamper_plan_code"] == 2


def test_the_run_verdict_is_a_pass(run):
    assert run["exit"] == 0 and run["verdict"] == 0, run["reasons"]
