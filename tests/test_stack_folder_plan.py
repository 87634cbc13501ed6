"""Terraform reads a split stack folder (`cdk.tf.json` + the native `moved.tf`, synthesis/output_form.py) as
one configuration: planned against a state with moved and removed addresses, it gives the same plan as
the same stack written as one `cdk.tf.json`, the form cdktf wrote before the split.

Offline: terraform with the mirrored hashicorp/aws provider, fake credentials, `-refresh=false`, and the
drift tool's scratch override (a local state, the remote-state reads from state fixtures). 01-network has
no data source, so nothing is read from AWS. Its own `removed` block names a `random_id` (a provider not
installed here), so the test adds one `removed` block for an AWS instance the state holds.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.tools.state_fixtures import add_instance, original_state, set_attribute, write_states
from tools.drift.plan import installed_version, override, provider_mirror
from tools.stack_form import NATIVE_FILE, read_stack

LAYER = "01-network"
REMOVED = "module.vpc.aws_eip.retired"
TERRAFORM = shutil.which("terraform")
MIRROR = provider_mirror()
pytestmark = pytest.mark.skipif(TERRAFORM is None or MIRROR is None,
                                reason="needs terraform on PATH and a filesystem mirror of hashicorp/aws")


def write_split(config: dict, folder: Path) -> None:
    """`config` through the synthesis's own writer: one cdk.tf.json, then split in place."""
    from synthesis.output_form import write_scan_readable

    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(config, indent=2))
    write_scan_readable(folder.parent)


def plan(stack: Path, states: Path, scratch: Path) -> dict:
    work = scratch / stack.parent.name / LAYER
    shutil.copytree(stack, work)
    versions = {"terraform": installed_version(TERRAFORM),
                "aws": sorted(os.listdir(MIRROR / "registry.terraform.io" / "hashicorp" / "aws"))[-1]}
    options = SimpleNamespace(endpoint_url=None, profile=None, no_refresh=True)
    document = override(read_stack(stack), options, LAYER, states / f"{LAYER}.tfstate", work, versions, stack.parent)
    (work / "zz_override.tf.json").write_text(json.dumps(document))
    rc = scratch / "terraformrc"
    rc.write_text('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                  '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % MIRROR)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    for command in (["init", "-input=false", "-no-color"],
                    ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"]):
        done = subprocess.run([TERRAFORM, *command], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{stack}: terraform {command[0]}: {(done.stdout + done.stderr)[-2000:]}"
    shown = subprocess.run([TERRAFORM, "show", "-json", "plan.bin"], cwd=work, env=env, capture_output=True,
                           text=True, timeout=300)
    return json.loads(shown.stdout)


def changes(plan_json: dict) -> dict[str, tuple]:
    return {c["address"]: (c.get("previous_address"), tuple(c["change"]["actions"]),
                           json.dumps(c["change"].get("after"), sort_keys=True))
            for c in plan_json["resource_changes"]}


def test_the_split_folder_plans_as_the_single_file_did(synthesized, tmp_path):
    stack_dir = synthesized("dev").stack_dir(LAYER)
    config = read_stack(stack_dir)
    # The synthesized folder is exactly what the writer makes of the whole configuration.
    write_split(config, tmp_path / "again" / LAYER)
    assert {p.name: p.read_bytes() for p in (tmp_path / "again" / LAYER).iterdir()} == \
           {p.name: p.read_bytes() for p in stack_dir.iterdir()}

    config["removed"] = list(config.get("removed") or []) + [{"from": REMOVED, "lifecycle": {"destroy": False}}]
    (tmp_path / "single" / LAYER).mkdir(parents=True)
    (tmp_path / "single" / LAYER / "cdk.tf.json").write_text(json.dumps(config, indent=2))
    write_split(config, tmp_path / "split" / LAYER)
    assert REMOVED in (tmp_path / "split" / LAYER / NATIVE_FILE).read_text()
    assert "removed" not in json.loads((tmp_path / "split" / LAYER / "cdk.tf.json").read_text())

    states = tmp_path / "states"
    write_states(states, "dev", [LAYER])
    state = set_attribute(original_state("dev", LAYER), "module.vpc.aws_vpc.this", "ipv6_cidr_block",
                          "2600:1f14:abc:de00::/56")   # known after apply in the reference plan
    state = add_instance(state, REMOVED, {"domain": "vpc"})
    (states / f"{LAYER}.tfstate").write_text(json.dumps(state))

    single = changes(plan(tmp_path / "single" / LAYER, states, tmp_path / "work"))
    split = changes(plan(tmp_path / "split" / LAYER, states, tmp_path / "work"))
    assert split == single
    moved = [address for address, (previous, _, _) in split.items() if previous]
    assert len(moved) == len(config["moved"]) == 46   # the split cdk.tf.json holds no moved block itself
    assert split[REMOVED][1] == ("forget",)   # the removed block is read from moved.tf as well
