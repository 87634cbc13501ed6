"""The users' CI (.github/workflows/): valid against GitHub's workflow schema (check-jsonschema's
vendored copy, offline), and wired to the project's own commands."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def check_jsonschema() -> str:
    beside = Path(sys.executable).parent / "check-jsonschema"
    found = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    assert found, "check-jsonschema (a dev package of Pipfile.lock) is not installed: the workflows cannot be checked"
    return found


def test_there_is_a_workflow():
    assert WORKFLOWS, "no workflow in .github/workflows"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(workflow: Path):
    run = subprocess.run([check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(workflow)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_scan_matrix_follows_the_synthesized_stacks_and_runs_tools_scan():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "terraform-tests.yml").read_text())
    jobs = workflow["jobs"]
    assert jobs["scan"]["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.synth.outputs.stacks) }}"
    steps = " ".join(str(step.get("run", "")) for step in jobs["scan"]["steps"])
    assert "-m tools.scan" in steps and "--layer ${{ matrix.stack }}" in steps
    uploads = [s for s in jobs["scan"]["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert {u["with"]["category"].split("-")[0] for u in uploads} == {"checkov", "trivy"}


def test_the_tests_job_runs_the_readme_test_command():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "terraform-tests.yml").read_text())
    assert any(step.get("run") == "bin/test" for step in workflow["jobs"]["tests"]["steps"])


def test_synthesized_stacks_are_formatted_and_validated():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "terraform-tests.yml").read_text())
    runs = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["synth"]["steps"])
    assert "terraform fmt -check" in runs and "validate" in runs
    assert set(workflow["jobs"]["synth"]["strategy"]["matrix"]["env"]) == {"dev", "staging", "prod", "seoul"}
