"""Terraform's own judgement: every synthesized stack passes `terraform init` + `validate`.

Runs where terraform and a filesystem mirror of the hashicorp/aws provider are installed (skips with
the reason elsewhere). Each stack is checked in a scratch copy whose override file relaxes the
version constraints to the mirrored provider and swaps the S3 backend for a local one; the
synthesized output itself is never changed.

Most of a `validate` is the AWS provider building its schema (~2 s of CPU per run), so the stacks of
one environment are validated in one run, each as a module of one scratch root (terraform validates
a module's resources, data sources, outputs, `moved` and `removed` blocks as it does a root's, and
warns that the child's backend block is unused). A stack with a block only a root may hold
(`import`) is validated as its own root.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ENVIRONMENTS
from tools.e2e.terraform import find_mirror, mirrored_aws_version
from tools.stack_form import read_stack

TERRAFORM = shutil.which("terraform")


MIRROR = find_mirror()
pytestmark = pytest.mark.skipif(
    TERRAFORM is None or MIRROR is None,
    reason="needs terraform on PATH and a filesystem mirror of hashicorp/aws (TF_PROVIDER_MIRROR)",
)


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory) -> dict[str, str]:
    scratch = tmp_path_factory.mktemp("terraform")
    config = scratch / "terraformrc"
    (scratch / "plugin-cache").mkdir()
    config.write_text('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n'
                      '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n' % MIRROR)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(config), TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
               TF_PLUGIN_CACHE_DIR=str(scratch / "plugin-cache"))  # one copy of the provider, linked per stack
    return env


ROOT_ONLY_BLOCKS = ("import",)


def mirrored_version() -> str:
    return mirrored_aws_version(MIRROR)


def scratch_copy(stack_dir: Path, target: Path) -> None:
    shutil.copytree(stack_dir, target)
    (target / "zz_override.tf.json").write_text(json.dumps({"terraform": {
        "required_version": ">= 1.0",
        "backend": {"local": {"path": "terraform.tfstate"}},
        "required_providers": {"aws": {"source": "hashicorp/aws", "version": mirrored_version()}},
    }}))


def init_and_validate(work: Path, env: dict[str, str], label: str) -> list[str]:
    for command in (["init", "-input=false", "-no-color"], ["validate", "-no-color"]):
        result = subprocess.run([TERRAFORM, *command], cwd=work, env=env, capture_output=True, text=True,
                                timeout=900)
        if result.returncode != 0:
            return [f"{label}: terraform {command[0]}: {(result.stdout + result.stderr)[-3000:]}"]
    return []


def needs_its_own_root(stack_dir: Path) -> bool:
    return any(block in read_stack(stack_dir) for block in ROOT_ONLY_BLOCKS)


@pytest.mark.parametrize("env", ENVIRONMENTS)  # the To-Be ones too: staging once failed it (NACL "")
def test_every_stack_passes_terraform_init_and_validate(synthesized, terraform_env, tmp_path, env):
    synthesis = synthesized(env)
    assert synthesis.layers(), "no stack to validate"
    failures, modules = [], {}
    for layer in synthesis.layers():
        if needs_its_own_root(synthesis.stack_dir(layer)):
            scratch_copy(synthesis.stack_dir(layer), tmp_path / "roots" / layer)
            failures += init_and_validate(tmp_path / "roots" / layer, terraform_env, layer)
            continue
        scratch_copy(synthesis.stack_dir(layer), tmp_path / "modules" / layer)
        modules[f"layer_{layer}"] = {"source": f"./{layer}"}   # a module name starts with a letter
    if modules:
        (tmp_path / "modules" / "main.tf.json").write_text(json.dumps({
            "module": modules,
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": mirrored_version()}}},
        }))
        failures += init_and_validate(tmp_path / "modules", terraform_env, "stacks as modules")
    assert not failures, "\n".join(failures)
