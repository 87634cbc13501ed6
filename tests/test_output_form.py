"""The synthesized stack folder is read whole by the scanners and by Terraform (synthesis/output_form.py):
what checkov's JSON parser cannot read lives in a native `moved.tf` beside `cdk.tf.json`, and nothing is
lost or changed on the way."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from synthesis.output_form import (
    NATIVE_FILE, OutputFormError, parse_native, read_stack, render_native, split_for_scanners,
)
from tests.conftest import REFERENCE_ENVIRONMENTS


def explicit_nulls(value, path=""):
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from explicit_nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from explicit_nulls(item, f"{path}[{index}]")


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_checkov_parses_every_resource_of_every_stack(synthesized, env):
    from checkov.terraform_json.parser import parse

    synthesis = synthesized(env)
    for layer in synthesis.layers():
        template, _ = parse(synthesis.stack_dir(layer) / "cdk.tf.json")
        assert template is not None, f"{env} {layer}: checkov cannot parse cdk.tf.json"
        parsed = {f"{t}.{n}" for entry in template.get("resource") or [] for t, named in entry.items() for n in named}
        stack = synthesis.stack(layer)
        assert parsed == {f"{t}.{n}" for t, named in stack["resource"].items() for n in named}, f"{env} {layer}"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_blocks_checkov_cannot_read_live_in_moved_tf_beside_cdk_tf_json(synthesized, env):
    import hcl2  # checkov's HCL parser (bc-python-hcl2)

    synthesis = synthesized(env)
    for layer in synthesis.layers():
        written = json.loads((synthesis.stack_dir(layer) / "cdk.tf.json").read_text())
        assert not {"moved", "removed", "import"} & set(written), f"{env} {layer}"
        assert "required_version" not in written["terraform"], f"{env} {layer}"
        native = (synthesis.stack_dir(layer) / NATIVE_FILE).read_text()
        parsed = hcl2.loads(native)
        stack = synthesis.stack(layer)
        assert len(parsed.get("moved", [])) == len(stack.get("moved", [])), f"{env} {layer}"
        assert len(parsed.get("removed", [])) == len(stack.get("removed", [])), f"{env} {layer}"
        assert parsed["terraform"][0]["required_version"] in (">= 1.12.0", [">= 1.12.0"])


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_every_stack_folder_is_split_and_nothing_else_is_written(synthesized, env):
    """One folder per stack that Terraform deploys and scanners read: no second (scan) folder."""
    synthesis = synthesized(env)
    assert sorted(p.name for p in synthesis.outdir.iterdir()) == ["manifest.json", "stacks"]
    for layer in synthesis.layers():
        files = sorted(p.name for p in synthesis.stack_dir(layer).iterdir() if p.is_file())
        assert files == ["cdk.tf.json", NATIVE_FILE], layer   # (and `assets/`, the Lambda packages)
    assert any(synthesis.stack(layer).get("moved") for layer in synthesis.layers())


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_no_explicit_null_in_any_resource(synthesized, env):
    """checkov reads an explicit null as a value: an ingress block with null fields let CKV_AWS_24 pass.
    (Outputs may be null - seoul has no IPv6 CIDR - no check reads them.)"""
    synthesis = synthesized(env)
    for layer in synthesis.layers():
        written = json.loads((synthesis.stack_dir(layer) / "cdk.tf.json").read_text())
        nulls = list(explicit_nulls({k: written[k] for k in ("resource", "data", "provider") if k in written}))
        assert not nulls, f"{env} {layer}: explicit nulls at {nulls[:5]}"


def test_split_and_read_back_give_the_same_configuration(tmp_path):
    stack = {
        "terraform": {"backend": {"s3": {"bucket": "b"}}, "required_version": ">= 1.12.0"},
        "resource": {"aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}}},
        "moved": [{"from": 'module.ecr["customers"].aws_ecr_repository.this', "to": "aws_ecr_repository.customers"},
                  {"from": "module.vpc.aws_subnet.public[0]", "to": "aws_subnet.public_0"}],
        "removed": [{"from": "module.common.random_id.bucket_suffix", "lifecycle": {"destroy": False}}],
        "import": [{"to": "aws_vpc.vpc", "id": "vpc-0123"}],
    }
    json_part, native = split_for_scanners(stack)
    assert json_part == {"terraform": {"backend": {"s3": {"bucket": "b"}}},
                         "resource": {"aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}}}}
    (tmp_path / "cdk.tf.json").write_text(json.dumps(json_part))
    (tmp_path / NATIVE_FILE).write_text(native)
    assert read_stack(tmp_path) == stack
    assert 'from = module.ecr["customers"].aws_ecr_repository.this' in native


@pytest.mark.parametrize("block", [
    {"moved": [{"from": "${var.x}", "to": "aws_vpc.vpc"}]},
    {"moved": [{"from": "aws_vpc.a", "to": "aws_vpc.b", "extra": 1}]},
    {"terraform": {"required_version": "${x}"}},
])
def test_what_cannot_be_written_natively_is_an_error(block):
    with pytest.raises(OutputFormError):
        render_native(block)


def test_the_reader_refuses_what_the_writer_does_not_write():
    with pytest.raises(OutputFormError):
        parse_native('moved {\n  from = a.b\n  to   = c.d\n}\nresource "x" "y" {}\n')


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_moved_tf_is_formatted_as_terraform_fmt_writes_it(synthesized):
    stacks = synthesized("dev").outdir / "stacks"
    run = subprocess.run(["terraform", "fmt", "-check", "-recursive", str(stacks)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
