"""Synthesis as a whole: stack names, determinism, all-or-nothing output, the shared settings of
every stack (backend, provider requirement, default tags)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import layers
import synthesis
from layers import LAYERS
from settings import load_environment
from tests.conftest import ENVIRONMENTS

LAYER_NAMES = [layer.layer for layer in LAYERS]
S3_STATE_LAYERS = [layer.layer for layer in LAYERS if layer.state_backend == "s3"]


def digest(outdir: Path) -> dict[str, str]:
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outdir.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_stack_per_ported_layer_named_exactly_as_the_layer(synthesized, env):
    assert synthesized(env).layers() == sorted(LAYER_NAMES)


def test_the_tools_know_the_layer_names_without_importing_the_layers():
    from tools.stack_form import known_layers
    assert known_layers() == sorted(LAYER_NAMES)


def test_a_failed_split_leaves_the_previous_output_untouched(synthesized, tmp_path, monkeypatch):
    """The split into cdk.tf.json + moved.tf is part of the synthesis: all of it, or nothing swapped in."""
    from synthesis import output_form

    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synthesized("dev").outdir, outdir)
    before = digest(outdir)

    def broken(stacks_dir):
        raise output_form.OutputFormError("a block that cannot be written natively")

    monkeypatch.setattr(output_form, "write_scan_readable", broken)
    with pytest.raises(output_form.OutputFormError):
        synthesis.synthesize(load_environment("dev"), outdir)
    assert digest(outdir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_synthesis_is_byte_identical_when_repeated(synthesized, tmp_path):
    again = tmp_path / "cdktf.out"
    synthesis.synthesize(load_environment("dev"), again)
    assert digest(again) == digest(synthesized("dev").outdir)


def test_a_failed_synthesis_leaves_the_previous_output_untouched(synthesized, tmp_path, monkeypatch):
    outdir = tmp_path / "cdktf.out"
    shutil.copytree(synthesized("dev").outdir, outdir)  # the previous output (no second synthesis needed)
    before = digest(outdir)

    def broken(scope, env):
        layers.LAYERS[0](scope, env)
        raise RuntimeError("a layer failed half way")

    monkeypatch.setattr(layers, "build_stacks", broken)
    with pytest.raises(RuntimeError, match="half way"):
        synthesis.synthesize(load_environment("dev"), outdir)
    assert digest(outdir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_cdktf_outdir_is_honoured(monkeypatch, tmp_path):
    monkeypatch.setenv("CDKTF_OUTDIR", str(tmp_path / "elsewhere"))
    assert synthesis.outdir_from_environment() == tmp_path / "elsewhere"
    monkeypatch.delenv("CDKTF_OUTDIR")
    assert synthesis.outdir_from_environment() == Path("cdktf.out")


EXPECTED_BACKENDS = {
    "dev": ("petclinic-tfstate-oregon-dev", "us-west-2", "dev"),
    "staging": ("petclinic-tfstate-oregon-dev", "us-west-2", "staging"),
    "prod": ("petclinic-tfstate-oregon-dev", "us-west-2", "prod"),
    "seoul": ("petclinic-tfstate-seoul-dev", "ap-northeast-2", "seoul-dev"),
}


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("layer", S3_STATE_LAYERS)
def test_backend_is_the_original_state_of_the_layer_with_native_locking(synthesized, env, layer):
    bucket, region, prefix = EXPECTED_BACKENDS[env]
    assert synthesized(env).stack(layer)["terraform"]["backend"] == {"s3": {
        "bucket": bucket, "key": f"{prefix}/{layer}/terraform.tfstate", "region": region, "encrypt": True,
        "use_lockfile": True}}


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_terraform_and_provider_requirements_read_as_the_original(synthesized, layer):
    terraform = synthesized("dev").stack(layer)["terraform"]
    assert terraform["required_version"] == ">= 1.12.0"
    assert terraform["required_providers"] == {"aws": {"source": "hashicorp/aws", "version": "~> 6.0"}}


@pytest.mark.parametrize("env,region", [("dev", "us-west-2"), ("prod", "ap-northeast-1"), ("seoul", "ap-northeast-2")])
def test_provider_region_and_default_tags_per_environment(synthesized, env, region):
    environment = load_environment(env).environment
    for layer, layer_tag in (("01-network", "01-network"), ("02-security", "01-network")):
        (provider,) = synthesized(env).stack(layer)["provider"]["aws"]
        assert provider["region"] == region
        assert provider["default_tags"] == [{"tags": {
            "Project": "petclinic", "Environment": environment, "ManagedBy": "terraform", "Owner": "team-petclinic",
            "CostCenter": "training", "Layer": layer_tag}}]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_hashed_logical_ids(synthesized, env):
    """Every address is chosen by the layer's naming rule; cdktf's hash suffix never appears."""
    import re
    for layer in LAYER_NAMES:
        stack = synthesized(env).stack(layer)
        for kind in ("resource", "data"):
            for rtype, items in (stack.get(kind) or {}).items():
                for name in items:
                    assert not re.search(r"_[0-9A-F]{8}$", name), f"{layer}: {rtype}.{name}"
