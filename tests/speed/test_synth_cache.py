"""The synthesis cache: every input that shapes the output is in its key, a hit is only ever the
exact output that key synthesized, and `PETCLINIC_CACHE=off` turns it off. (That a hit in a fresh
process leaves byte-identical output is in `test_lazy_import.py`, beside the other fresh processes.)

The key tests run on a copy of the project's sources (never the working tree itself), changing one
input at a time against the same baseline.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import main
from speed import lazy_tarball, synth_cache
from settings import load
from tests.conftest import ROOT

IGNORED_IN_COPY = shutil.ignore_patterns(".*", "node_modules", "__pycache__", "tests", "build", "cdktf.out")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's sources as the cache's root, with a fake `node` and a library folder."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=IGNORED_IN_COPY)
    monkeypatch.setattr(synth_cache, "ROOT", copy)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    write_node(bin_dir, "v20.20.2")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("JSII_NODE", raising=False)
    libraries = tmp_path / "site-packages"
    (libraries / "example-1.0.dist-info").mkdir(parents=True)
    (libraries / "example-1.0.dist-info" / "RECORD").write_text("example/__init__.py,,\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(libraries)])
    monkeypatch.chdir(tmp_path)
    return copy


def write_node(bin_dir: Path, version: str) -> None:
    node = bin_dir / "node"
    node.write_text(f"#!/bin/sh\necho {version}\n")
    node.chmod(0o755)


def key() -> str:
    return synth_cache.key_of(synth_cache.inputs())


def edit(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\n# changed\n")


SOURCE_FILES = ["main.py", "synthesis/__init__.py", "speed/kernel.py", "speed/lazy_import.py",
                "speed/lazy_tarball.py", "speed/synth_cache.py", "Pipfile.lock", "Pipfile", "cdktf.json",
                "layers/__init__.py", "layers/base.py", "layers/contracts/network.py", "modules/vpc.py",
                "settings/model.py", "settings/network.py", "envs/_defaults.toml", "envs/dev.toml",
                "functions/genai/lambda_function.py"]


@pytest.mark.parametrize("name", SOURCE_FILES)
def test_a_changed_source_file_changes_the_key(project, name):
    before = key()
    edit(project / name)
    assert key() != before


@pytest.mark.parametrize("name", ["layers/new_layer.py", "modules/new_construct.py", "functions/notifier/handler.py",
                                  "postprocess/transform.py", "new_top_level_module.py", "envs/qa.toml"])
def test_a_new_source_file_changes_the_key(project, name):
    before = key()
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text("x = 1\n")
    assert key() != before


def test_a_removed_or_renamed_source_file_changes_the_key(project):
    before = key()
    (project / "modules" / "vpc.py").rename(project / "modules" / "network_vpc.py")
    renamed = key()
    (project / "modules" / "network_vpc.py").unlink()
    assert len({before, renamed, key()}) == 3


@pytest.mark.parametrize("name", ["tests/test_new.py", "layers/__pycache__/base.cpython-311.pyc", ".git/HEAD",
                                  "build/lambda/genai.zip", "node_modules/x/index.js",
                                  "out/stacks/01-network/cdk.tf.json"])
def test_files_that_cannot_shape_the_output_leave_the_key(project, name):
    if name.startswith("out/"):
        (project / "out" / "stacks").mkdir(parents=True)
        (project / "out" / "manifest.json").write_text("{}")
    before = key()
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_text("x")
    assert key() == before


def test_environment_data_outside_the_project_is_in_the_key(project, tmp_path, monkeypatch):
    envs = tmp_path / "private-envs"
    shutil.copytree(project / "envs", envs)
    monkeypatch.setenv("PETCLINIC_ENVS_DIR", str(envs))
    before = key()
    edit(envs / "dev.toml")
    assert key() != before


def test_the_python_version_is_in_the_key(project, monkeypatch):
    before = key()
    monkeypatch.setattr(sys, "version", sys.version.replace(sys.version.split()[0], "3.11.99"))
    assert key() != before


def test_library_versions_are_in_the_key(project, tmp_path):
    before = key()
    (tmp_path / "site-packages" / "example-1.0.dist-info").rename(tmp_path / "site-packages" / "example-1.1.dist-info")
    upgraded = key()
    record = tmp_path / "site-packages" / "example-1.1.dist-info" / "RECORD"
    record.write_text(record.read_text() + "example/extra.py,,\n")   # reinstalled, same version
    assert len({before, upgraded, key()}) == 3


def test_the_node_version_is_in_the_key(project, tmp_path):
    before = key()
    write_node(tmp_path / "bin", "v22.1.0")          # a version manager's shim: asked for its version
    assert key() != before


def test_another_node_binary_is_another_key(project, tmp_path):
    node = tmp_path / "bin" / "node"
    node.write_bytes(b"\x7fELF node 20")
    node.chmod(0o755)
    before = key()
    node.write_bytes(b"\x7fELF node 22.1")
    assert key() != before


def test_the_provider_tarball_jsii_gets_is_in_the_key(project, monkeypatch):
    before = key()
    monkeypatch.setattr(lazy_tarball, "state", lambda: '{"lazy_sha256": "another"}')
    assert key() != before


@pytest.mark.parametrize("variable", ["PETCLINIC_ENV", "PETCLINIC_ENVS_DIR", "PETCLINIC_EAGER_IMPORT", "CDKTF_OUTDIR",
                                      "CDKTF_CONTEXT_JSON", "JSII_RUNTIME_PACKAGE_CACHE_ROOT", "JSII_NODE",
                                      "NODE_OPTIONS", "PYTHONPATH", "SYNTH_HCL_OUTPUT"])
def test_each_variable_the_app_reads_is_in_the_key(project, monkeypatch, variable):
    monkeypatch.delenv(variable, raising=False)
    before = key()
    monkeypatch.setenv(variable, "something-else")
    assert key() != before


def test_the_working_directory_is_in_the_key(project, tmp_path, monkeypatch):
    before = key()
    monkeypatch.chdir(project)
    assert key() != before


def test_the_switch_itself_is_not_in_the_key(project, monkeypatch):
    monkeypatch.delenv(synth_cache.SWITCH, raising=False)
    before = key()
    monkeypatch.setenv(synth_cache.SWITCH, "on")
    assert key() == before


def test_the_envs_variable_is_the_one_settings_reads():
    assert synth_cache.ENVS_DIR_VARIABLE == load.ENVS_DIR_VARIABLE


# --- hits and misses on an output folder


@pytest.fixture
def recorded(tmp_path, synthesized, monkeypatch) -> tuple[Path, str]:
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synthesized("dev").outdir, outdir)
    monkeypatch.setenv("CDKTF_OUTDIR", str(outdir))
    monkeypatch.delenv(synth_cache.SWITCH, raising=False)
    parts = synth_cache.inputs()
    key = synth_cache.key_of(parts)
    assert synth_cache.record(outdir, key, parts, "summary line")
    return outdir, key


def test_a_recorded_output_is_a_hit_for_its_key_only(recorded):
    outdir, key = recorded
    assert synth_cache.lookup(outdir, key) == "summary line"
    assert synth_cache.lookup(outdir, "0" * 64) is None


@pytest.mark.parametrize("change", ["edited", "removed", "added", "record unreadable", "record missing"])
def test_any_change_to_the_output_folder_is_a_miss(recorded, change):
    outdir, key = recorded
    stack = outdir / "stacks" / "01-network" / "cdk.tf.json"
    if change == "edited":
        stack.write_text(stack.read_text().replace("10.0.0.0/16", "10.9.0.0/16"))
    elif change == "removed":
        stack.unlink()
    elif change == "added":
        (outdir / "stacks" / "01-network" / "extra.tf.json").write_text("{}")
    elif change == "record unreadable":
        (outdir / synth_cache.RECORD).write_text("{not json")
    else:
        (outdir / synth_cache.RECORD).unlink()
    assert synth_cache.lookup(outdir, key) is None


def test_an_input_changed_during_the_synthesis_is_not_recorded(tmp_path, monkeypatch):
    parts = synth_cache.inputs()
    monkeypatch.setattr(synth_cache, "inputs", lambda: {**parts, "sources": "changed meanwhile"})
    assert not synth_cache.record(tmp_path, synth_cache.key_of(parts), parts, "summary")
    assert not (tmp_path / synth_cache.RECORD).exists()


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false", "no"])
def test_the_switch_off_synthesizes_even_on_a_hit(recorded, monkeypatch, value):
    outdir, _ = recorded
    calls = []
    monkeypatch.setenv(synth_cache.SWITCH, value)
    monkeypatch.setattr(main, "synthesize_environment", lambda out: calls.append(out) or "synthesized")
    assert main.main() == 0
    assert calls == [outdir]


def test_a_hit_does_not_synthesize(recorded, monkeypatch, capsys):
    monkeypatch.setattr(main, "synthesize_environment", lambda out: pytest.fail("synthesized on a hit"))
    assert main.main() == 0
    assert "summary line (unchanged since the last synthesis" in capsys.readouterr().out
