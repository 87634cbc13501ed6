"""Bad environment data stops the app before synthesis: one line naming the file and the field,
a non-zero exit, and an existing `cdktf.out` left exactly as it was."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from tests.conftest import ROOT

SENTINEL = "a good synthesis from before"


def edited_envs(tmp_path: Path, env: str, old: str, new: str) -> Path:
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    path = envs / f"{env}.toml"
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))
    return envs


def run_app(tmp_path: Path, envs: Path, env: str) -> subprocess.CompletedProcess:
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "01-network").mkdir(parents=True)
    (outdir / "stacks" / "01-network" / "cdk.tf.json").write_text(SENTINEL)
    environ = dict(os.environ, PETCLINIC_ENV=env, PETCLINIC_ENVS_DIR=str(envs), CDKTF_OUTDIR=str(outdir))
    return subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=120)


BAD_INPUTS = [
    # (environment, text in its file, replacement, field named in the message, words in the message)
    ("dev", 'vpc_cidr = "10.0.0.0/16"\n', "", "network.vpc_cidr", "required"),
    ("dev", "enable_ipv6 = true", 'enable_ipv6 = "yes"', "network.enable_ipv6", "boolean"),
    ("dev", 'vpc_cidr = "10.0.0.0/16"', 'vpc_cidr = "10.0.0.300/16"', "network.vpc_cidr", "IPv4 network"),
    ("dev", '"10.0.1.0/24", "10.0.2.0/24"', '"10.0.1.0/24", "10.0.1.128/25"', "network.public_subnet_cidrs[1]",
     "overlaps"),
    ("dev", '"10.0.5.0/24", "10.0.6.0/24"', '"10.0.5.0/24", "10.9.6.0/24"', "network.private_db_subnet_cidrs[1]",
     "outside the VPC"),
    ("seoul", '"ap-northeast-2a", "ap-northeast-2c"', '"ap-northeast-2a", "us-west-2c"', "network.azs[1]",
     "not in the region"),
    ("prod", 'bucket = "petclinic-tfstate-oregon-dev"', "bucket = 42", "state.bucket", "string"),
    ("dev", "[application.debug]", "[application.services.admin]\nmemory = 300\n\n[application.debug]",
     "application.services.admin.memory", "does not fit 256 CPU units"),
    ("dev", "[application.debug]", "[application.services.vets]\npriority = 100\n\n[application.debug]",
     "application.services.vets.priority", "also the priority of admin"),
    ("seoul", 'peer = "0.0.0.0/0"', 'peer = "anywhere"', "application.task_rules.ecs_to_internet_https.peer",
     "neither alb, ecs, self nor an IPv4 CIDR"),
]


@pytest.mark.parametrize("env,old,new,field,words", BAD_INPUTS, ids=[c[3] + ":" + c[4] for c in BAD_INPUTS])
def test_bad_input_names_file_and_field_and_leaves_output_untouched(tmp_path, env, old, new, field, words):
    result = run_app(tmp_path, edited_envs(tmp_path, env, old, new), env)
    assert result.returncode == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"{env}.toml: {field}:" in message and words in message, message
    assert (tmp_path / "cdktf.out" / "stacks" / "01-network" / "cdk.tf.json").read_text() == SENTINEL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "envs"]


def test_unknown_environment_lists_the_known_ones(tmp_path):
    result = run_app(tmp_path, ROOT / "envs", "qa")
    assert result.returncode == 1
    assert "PETCLINIC_ENV: unknown environment 'qa'; known: dev, prod, seoul, staging" in result.stderr
    assert (tmp_path / "cdktf.out" / "stacks" / "01-network" / "cdk.tf.json").read_text() == SENTINEL


# Facts of the original variable files (terraform/envs/*.tfvars, terraform-seoul/envs/seoul.tfvars).
ORIGINAL_VARIABLES = {
    "dev": ("us-west-2", "petclinic-dev", "10.0.0.0/16", ("us-west-2a", "us-west-2b")),
    "staging": ("ap-northeast-1", "petclinic-staging", "10.1.0.0/16", ("ap-northeast-1a", "ap-northeast-1c")),
    "prod": ("ap-northeast-1", "petclinic-prod", "10.2.0.0/16", ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")),
    "seoul": ("ap-northeast-2", "petclinic-seoul-dev", "10.0.0.0/16", ("ap-northeast-2a", "ap-northeast-2c")),
}


@pytest.mark.parametrize("env", sorted(ORIGINAL_VARIABLES))
def test_every_shipped_environment_loads_with_the_original_variable_files_values(env):
    settings = load_environment(env)
    assert (settings.region, settings.name_prefix, str(settings.network.vpc_cidr), settings.network.azs) == \
        ORIGINAL_VARIABLES[env]


def test_settings_are_immutable():
    env = load_environment("dev")
    with pytest.raises(Exception):
        env.region = "eu-west-1"  # type: ignore[misc]


def test_an_unknown_key_is_an_error_not_ignored(tmp_path):
    envs = edited_envs(tmp_path, "dev", "enable_ipv6 = true", "enable_ipv6 = true\nenable_ipv7 = true")
    with pytest.raises(ConfigError, match=r"dev\.toml: network\.enable_ipv7: Extra inputs are not permitted"):
        load_environment("dev", envs)


def test_an_environment_file_copied_without_the_defaults_says_so(tmp_path):
    envs = tmp_path / "envs"
    envs.mkdir()
    shutil.copy(ROOT / "envs" / "dev.toml", envs / "dev.toml")
    with pytest.raises(ConfigError) as raised:
        load_environment("dev", envs_dir=envs)
    assert str(raised.value).startswith(f"{envs / 'dev.toml'}: ")
    assert "is required but missing" in str(raised.value)
    assert f"_defaults.toml was not found beside dev.toml in {envs}" in str(raised.value)
    shutil.copy(ROOT / "envs" / "_defaults.toml", envs / "_defaults.toml")
    assert load_environment("dev", envs_dir=envs).name == "dev"
