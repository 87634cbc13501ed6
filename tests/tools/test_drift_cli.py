"""The command around the checks: --all over a state folder where one layer is broken, exit codes,
the stable JSON report, the ignore file's format, and the live reads' throttling retry and
access-denied handling (botocore's own Stubber, no hand-written fake)."""
from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from tests.tools.state_fixtures import write_states
from tools.drift.__main__ import main
from tools.drift.addresses import parse
from tools.drift.findings import Finding
from tools.drift.ignore import IgnoreFileError, apply, parse_rules
from tools.drift.live.base import Aws
from tools.drift.live.check import read_instance
from tools.drift.state import Instance


@pytest.fixture
def state_folder(synthesized, tmp_path):
    layers = synthesized("dev").layers()
    write_states(tmp_path / "states", "dev", layers)
    return tmp_path / "states"


def run(capsys, *args: str):
    code = main(list(args))
    return code, capsys.readouterr().out


def test_all_layers_from_a_folder_with_one_corrupt_and_one_missing_state(synthesized, state_folder, capsys):
    layers = synthesized("dev").layers()
    (state_folder / f"{layers[1]}.tfstate").write_text("{ not json")
    (state_folder / f"{layers[2]}.tfstate").unlink()
    code, out = run(capsys, "config", "--all", "--stacks", str(synthesized("dev").outdir / "stacks"),
                    "--state", str(state_folder), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["exit_code"] == 1
    by_layer = {item["layer"]: item for item in report["layers"]}
    assert set(by_layer) == set(layers)
    assert "not valid JSON" in by_layer[layers[1]]["error"]
    assert "no state for" in by_layer[layers[2]]["error"]
    healthy = [by_layer[name] for name in layers if name not in layers[1:3]]
    assert healthy and all(item["exit_code"] == 2 and item["error"] is None for item in healthy)


def test_json_report_is_stable_and_documented(synthesized, state_folder, capsys):
    args = ("config", "--layer", "03-database", "--stacks", str(synthesized("dev").outdir / "stacks"),
            "--state", str(state_folder), "--format", "json")
    first, second = run(capsys, *args)[1], run(capsys, *args)[1]
    strip = lambda text: [{k: v for k, v in item.items() if k != "seconds"} for item in json.loads(text)["layers"]]
    assert strip(first) == strip(second)
    report = json.loads(first)
    assert set(report) == {"format", "mode", "exit_code", "layers"} and report["format"] == "petclinic-drift/1"
    (item,) = report["layers"]
    assert set(item) == {"layer", "exit_code", "verdict", "source", "error", "seconds", "counts", "notes", "findings"}
    finding = item["findings"][0]
    assert set(finding) == {"kind", "action", "address", "type", "original", "message", "ignored", "changes"}


def test_text_report_has_one_verdict_line_per_layer(synthesized, state_folder, capsys):
    code, out = run(capsys, "config", "--all", "--stacks", str(synthesized("dev").outdir / "stacks"),
                    "--state", str(state_folder))
    table = out[out.index("LAYER"):].splitlines()
    assert code == 2 and len(table) == len(synthesized("dev").layers()) + 2
    assert table[-1].startswith("exit code 2")


def test_single_state_file_is_for_one_layer_only(synthesized, state_folder, capsys):
    code, out = run(capsys, "config", "--all", "--stacks", str(synthesized("dev").outdir / "stacks"),
                    "--state", str(state_folder / "01-network.tfstate"), "--format", "json")
    assert code == 1
    assert all("one state file fits one layer" in item["error"] for item in json.loads(out)["layers"])


def test_layer_that_is_not_synthesized_is_an_error(synthesized, state_folder, capsys):
    code, out = run(capsys, "config", "--layer", "13-nothing", "--stacks", str(synthesized("dev").outdir / "stacks"),
                    "--state", str(state_folder), "--format", "json")
    assert code == 1 and "no synthesized stack" in json.loads(out)["layers"][0]["error"]


def test_ignore_rules_need_a_reason_and_match_by_type_address_and_attribute():
    with pytest.raises(IgnoreFileError, match="needs a reason"):
        parse_rules("aws_vpc.*\n", "driftignore")
    rules = parse_rules("# noise\ntype:aws_ecs_*  desired_count  # autoscaling\nmodule.vpc.*  # handled elsewhere\n", "f")
    from tools.drift.findings import Change
    service = Finding("changed", "aws_ecs_service.x", "aws_ecs_service",
                      changes=(Change("desired_count", 2, 5, "changed"), Change("launch_type", "EC2", "FARGATE", "changed")))
    vpc = Finding("missing", "aws_vpc.vpc", "aws_vpc", original="module.vpc.aws_vpc.this")
    out = apply(rules, [service, vpc])
    assert [c.attribute for c in out[0].changes] == ["launch_type"] and out[0].is_drift
    assert out[1].ignored == "handled elsewhere" and not out[1].is_drift


def aws_with_stub(service: str):
    aws = Aws(region="us-west-2", sleep=lambda seconds: None)
    client = aws.client(service)
    return aws, Stubber(client)


def test_throttling_is_retried_with_backoff(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws, stub = aws_with_stub("ec2")
    waits = []
    aws.sleep = waits.append
    stub.add_client_error("describe_subnets", service_error_code="RequestLimitExceeded", http_status_code=503)
    stub.add_client_error("describe_subnets", service_error_code="Throttling", http_status_code=400)
    stub.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.1.0/24",
                                                        "AvailabilityZone": "us-west-2a", "VpcId": "vpc-1"}]})
    with stub:
        finding = read_instance(aws, Instance(parse("aws_subnet.a"), {"id": "subnet-1", "cidr_block": "10.0.1.0/24"}))
    assert finding.kind == "ok" and len(waits) == 2 and waits[1] > 0


def test_access_denied_is_an_error_for_that_resource_only(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws, stub = aws_with_stub("ec2")
    stub.add_client_error("describe_subnets", service_error_code="UnauthorizedOperation", http_status_code=403,
                          service_message="You are not authorized to perform this operation.")
    stub.add_client_error("describe_subnets", service_error_code="InvalidSubnetID.NotFound", http_status_code=400)
    with stub:
        denied = read_instance(aws, Instance(parse("aws_subnet.a"), {"id": "subnet-1"}))
        gone = read_instance(aws, Instance(parse("aws_subnet.b"), {"id": "subnet-2"}))
    assert denied.kind == "error" and "access denied" in denied.message
    assert gone.kind == "missing"


