"""Outputs shared between layers: every read is held to the producer's declaration, at build time
(the typed readers) and over the written stacks (`synthesis.checks.cross_layer_outputs`)."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from layers import LAYERS, declared_outputs
from layers.contracts import network
from layers.network import NetworkStack
from layers.outputs import UndeclaredOutput
from settings import load_environment
from synthesis import SynthesisCheckFailed, synthesize
from synthesis.checks import cross_layer_outputs, remote_reads
from tests.conftest import ENVIRONMENTS


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_output_a_stack_reads_is_declared_and_written_by_its_producer(synthesized, env):
    stacks_dir = synthesized(env).outdir / "stacks"
    assert cross_layer_outputs(load_environment(env), [], stacks_dir) == []
    reads = {layer: remote_reads(json.loads((stacks_dir / layer / "cdk.tf.json").read_text()))
             for layer in synthesized(env).layers()}
    assert sum(len(outputs) for r in reads.values() for _, outputs in r.values()) > 10  # it checked something


def test_a_removed_output_is_reported_with_the_reading_and_the_producing_layer(synthesized):
    declared = declared_outputs()
    declared["01-network"] = replace(network.OUTPUTS, outputs=tuple(
        o for o in network.OUTPUTS.outputs if o.name != "vpc_id"))
    problems = cross_layer_outputs(load_environment("dev"), [], synthesized("dev").outdir / "stacks", declared)
    assert set(problems) >= {
        "02-security reads output 'vpc_id' of 01-network, which 01-network does not declare",
        "05-cloud-map reads output 'vpc_id' of 01-network, which 01-network does not declare",
        "06-lambda-genai reads output 'vpc_id' of 01-network, which 01-network does not declare",
    }
    assert all("vpc_id" in p for p in problems)


def test_a_hand_written_reference_to_an_undeclared_output_is_caught(tmp_path):
    stack = {"data": {"terraform_remote_state": {"network": {"config": {"key": "dev/01-network/terraform.tfstate"}}}},
             "resource": {"aws_x": {"y": {"z": "${data.terraform_remote_state.network.outputs.nat_ids}"}}}}
    (tmp_path / "03-database").mkdir()
    (tmp_path / "03-database" / "cdk.tf.json").write_text(json.dumps(stack))
    assert cross_layer_outputs(load_environment("dev"), [], tmp_path) == [
        "03-database reads output 'nat_ids' of 01-network, which 01-network does not declare"]


def test_reading_an_undeclared_output_stops_the_build_naming_both_layers(monkeypatch, tmp_path):
    trimmed = replace(network.OUTPUTS, outputs=tuple(o for o in network.OUTPUTS.outputs if o.name != "vpc_id"))
    monkeypatch.setattr(network, "OUTPUTS", trimmed)   # the contract every reading stack imports
    monkeypatch.setattr(NetworkStack, "outputs", trimmed)
    monkeypatch.setattr(NetworkStack, "output_values",
                        lambda self, f=NetworkStack.output_values: {
                            k: v for k, v in f(self).items() if k != "vpc_id"})
    with pytest.raises(UndeclaredOutput, match="02-security reads 'vpc_id' from 01-network, which does not declare it"):
        synthesize(load_environment("dev"), tmp_path / "cdktf.out")


def test_a_failed_check_lists_every_problem_and_writes_nothing(monkeypatch, tmp_path):
    import synthesis.checks as checks
    monkeypatch.setattr(checks, "SYNTHESIS_CHECKS", (lambda env, stacks, d: ["first problem", "second problem"],))
    with pytest.raises(SynthesisCheckFailed) as error:
        synthesize(load_environment("dev"), tmp_path / "cdktf.out")
    assert error.value.problems == ["first problem", "second problem"]
    assert not (tmp_path / "cdktf.out").exists()


def test_every_layer_declares_outputs_and_every_declaration_is_known():
    declared = declared_outputs()
    assert len(declared) == len(LAYERS)
    for layer in LAYERS:
        assert declared[layer.layer] is layer.outputs
