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
    code, layer = plan(synthesized, folder, capsys)
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
