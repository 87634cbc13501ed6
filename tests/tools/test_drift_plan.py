"""`plan` mode: terraform itself, offline, against state fixtures (fake credentials, -refresh=false,
a scratch override for the backend, remote-state reads and version constraints). Runs where
terraform and a mirror of the hashicorp/aws provider exist; the missing-terraform case runs anywhere."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.tools.state_fixtures import original_state, write_states
from tools.drift.__main__ import main
from tools.drift.plan import provider_mirror

VPC_ID = "vpc-0fixture0000000001"
needs_terraform = pytest.mark.skipif(shutil.which("terraform") is None or provider_mirror() is None,
                                     reason="needs terraform on PATH and a filesystem mirror of hashicorp/aws")


@pytest.fixture
def cloud_map_states(synthesized, tmp_path, monkeypatch):
    """01-network's state with the output 05 reads, and 05's state with the IDs that came from it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    folder = tmp_path / "states"
    write_states(folder, "dev", ["01-network"])
    network = json.loads((folder / "01-network.tfstate").read_text())
    network["outputs"] = {"vpc_id": {"value": VPC_ID, "type": "string"}}
    (folder / "01-network.tfstate").write_text(json.dumps(network))
    state = original_state("dev", "05-cloud-map")
    namespace_id = None
    for resource in state["resources"]:
        for instance in resource["instances"]:
            if resource["type"] == "aws_service_discovery_private_dns_namespace":
                instance["attributes"]["vpc"] = VPC_ID
                namespace_id = instance["attributes"]["id"]
    for resource in state["resources"]:
        for instance in resource["instances"]:
            for dns in instance["attributes"].get("dns_config") or []:
                dns["namespace_id"] = namespace_id
    return folder, state


def plan(synthesized, folder, capsys):
    code = main(["plan", "--layer", "05-cloud-map", "--stacks", str(synthesized("dev").outdir / "stacks"),
                 "--state", str(folder), "--no-refresh", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["layers"][0]


@needs_terraform
def test_plan_of_the_original_state_shows_moves_and_no_destroy(synthesized, cloud_map_states, capsys):
    folder, state = cloud_map_states
    (folder / "05-cloud-map.tfstate").write_text(json.dumps(state))
    stack_dir = synthesized("dev").stack_dir("05-cloud-map")
    before = {p.relative_to(stack_dir): p.read_bytes() for p in stack_dir.rglob("*") if p.is_file()}
    code, layer = plan(synthesized, folder, capsys)
    after = {p.relative_to(stack_dir): p.read_bytes() for p in stack_dir.rglob("*") if p.is_file()}
    assert after == before, "the synthesized stack folder was changed"
    assert layer["error"] is None, layer["error"]
    kinds = {f["kind"] for f in layer["findings"]}
    actions = {f["action"] for f in layer["findings"]}
    assert kinds == {"moved"} and not actions & {"destroy", "replace", "create"}
    assert code == 2     # moves are pending changes of the state


@needs_terraform
def test_plan_reports_a_replacement_when_an_identity_changed(synthesized, cloud_map_states, capsys):
    folder, state = cloud_map_states
    for resource in state["resources"]:
        if resource["type"] == "aws_service_discovery_private_dns_namespace":
            resource["instances"][0]["attributes"]["name"] = "renamed.local"
    (folder / "05-cloud-map.tfstate").write_text(json.dumps(state))
    code, layer = plan(synthesized, folder, capsys)
    (namespace,) = [f for f in layer["findings"] if f["type"] == "aws_service_discovery_private_dns_namespace"]
    assert code == 2 and namespace["action"] == "replace"
    assert any(c["attribute"] == "name" and c["effect"] == "replace" for c in namespace["changes"])


def test_plan_without_terraform_says_so_in_one_sentence(synthesized, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    code = main(["plan", "--all", "--stacks", str(synthesized("dev").outdir / "stacks"), "--state", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip() == ("drift: terraform is not on PATH: the plan mode runs terraform "
                                    "(the config and live modes do not need it)")


def fake_terraform(folder, version: str):
    """A `terraform` that states `version` and logs every other command it is asked to run."""
    folder.mkdir(exist_ok=True)
    script = folder / "terraform"
    script.write_text('#!/bin/sh\nif [ "$1" = version ]; then echo \'{"terraform_version": "%s"}\'; exit 0; fi\n'
                      'echo "$1" >> "%s"\necho "Error: fake terraform" >&2\nexit 1\n' % (version, folder / "calls"))
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("version, warned", [("1.11.4", True), ("1.12.2", False)])
def test_plan_says_which_terraform_it_found_and_which_the_stacks_require_before_running_it(
        synthesized, tmp_path, monkeypatch, capsys, version, warned):
    script = fake_terraform(tmp_path / "bin", version)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    write_states(tmp_path / "states", "dev", ["01-network", "05-cloud-map"])
    code = main(["plan", "--layer", "05-cloud-map", "--stacks", str(synthesized("dev").outdir / "stacks"),
                 "--state", str(tmp_path / "states"), "--no-refresh"])
    captured = capsys.readouterr()
    first = captured.err.splitlines()[0]
    assert first.startswith(f"drift: terraform {version} ({script}); the stacks require >= 1.12.0")
    assert ("Unsupported Terraform Core version" in first) is warned
    assert code == 1 and (tmp_path / "bin" / "calls").read_text().split() == ["init"]   # said before init ran


@needs_terraform
def test_configuration_drift_agrees_with_terraform_on_replacements(synthesized, tmp_path, monkeypatch, capsys):
    """The same tampered 01-network state checked both ways: every instance terraform (the mirrored
    provider itself) plans to replace is the one the force-new table calls a replacement, and back."""
    from tests.tools.state_fixtures import set_attribute
    from tools.drift.config import load_configuration
    from tools.drift.config_drift import check_config
    from tools.drift.state import parse_state

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    state = original_state("dev", "01-network")
    by_type = {}
    for resource in state["resources"]:
        by_type.setdefault(resource["type"], resource)
    def address_of(resource):
        key = resource["instances"][0].get("index_key")
        suffix = "" if key is None else (f'["{key}"]' if isinstance(key, str) else f"[{key}]")
        return f"{resource['module']}.{resource['type']}.{resource['name']}{suffix}"
    tampered = {"aws_vpc": ("cidr_block", "10.99.0.0/16"), "aws_subnet": ("availability_zone", "us-west-2c"),
                "aws_vpc_endpoint": ("vpc_endpoint_type", "GatewayLoadBalancer"),
                "aws_route": ("destination_cidr_block", "192.168.0.0/16")}
    for rtype, (attribute, value) in tampered.items():
        state = set_attribute(state, address_of(by_type[rtype]), attribute, value)
    folder = tmp_path / "states"
    folder.mkdir()
    (folder / "01-network.tfstate").write_text(json.dumps(state))
    stacks = synthesized("dev").outdir / "stacks"
    ours = {f.address: f.action for f in check_config(load_configuration(stacks / "01-network"),
                                                       parse_state(json.dumps(state), "fixture"))}
    code = main(["plan", "--layer", "01-network", "--stacks", str(stacks), "--state", str(folder), "--no-refresh",
                 "--format", "json"])
    layer = json.loads(capsys.readouterr().out)["layers"][0]
    assert layer["error"] is None, layer["error"]
    theirs = {f["address"]: f["action"] for f in layer["findings"]}
    replaced_by_terraform = {a for a, action in theirs.items() if action == "replace"}
    replaced_by_us = {a for a, action in ours.items() if action == "replace"}
    assert replaced_by_terraform == replaced_by_us and replaced_by_us
    assert code == 2
