"""The design profile: every environment declares one; the to-be profile gives each design switch its
to-be value unless the environment file sets it; as-deployed sets nothing; bad data names the file
and the field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from settings.profile import load_switches
from tests.conftest import ROOT

ENVS = ROOT / "envs"


def envs_copy(tmp_path: Path) -> Path:
    envs = tmp_path / "envs"
    shutil.copytree(ENVS, envs)
    return envs


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("env,profile", [("dev", "as-deployed"), ("seoul", "as-deployed"),
                                         ("staging", "to-be"), ("prod", "to-be")])
def test_every_environment_declares_its_profile(env, profile):
    assert load_environment(env).profile == profile


def test_to_be_environments_take_every_switch_of_the_profile():
    switches = [s for s in load_switches(ENVS) if s.in_profile]
    assert switches, "the switches table lists no switch"
    for env in ("staging", "prod"):
        data = load_environment(env).model_dump(mode="json")
        for switch in switches:
            value = data
            for part in switch.path.split("."):
                value = value[part]
            expected = switch.to_be
            if isinstance(expected, dict):   # the model fills in defaults (a capacity share's base)
                assert set(value) == set(expected), (env, switch.path)
                assert all(value[k] | expected[k] == value[k] for k in expected), (env, switch.path)
            else:
                assert value == expected, (env, switch.path)


@pytest.mark.parametrize("env", ["dev", "seoul"])
def test_as_deployed_profile_changes_nothing(tmp_path, env):
    """The switches table out of the way, an as-deployed environment loads to the very same settings."""
    envs = envs_copy(tmp_path)
    (envs / "_switches.toml").unlink()
    assert load_environment(env, envs) == load_environment(env)


def test_an_environment_file_still_sets_a_switch_itself(tmp_path):
    envs = envs_copy(tmp_path)
    edit(envs / "staging.toml", "[network]\n", '[frontend]\nviewer_protocol_policy = "allow-all"\n\n[network]\n')
    assert load_environment("staging", envs).frontend.viewer_protocol_policy == "allow-all"
    assert load_environment("staging").frontend.viewer_protocol_policy == "redirect-to-https"


def test_asking_for_the_to_be_profile_overrides_the_files_own_switches():
    dev = load_environment("dev", profile="to-be")
    assert (dev.profile, dev.application.debug.enabled, dev.network.enable_ipv6) == ("to-be", False, False)


def test_forcing_one_switch_leaves_the_others():
    dev = load_environment("dev", switch_values={"api_gateway.xray_tracing": True})
    assert dev.api_gateway.xray_tracing is True
    assert dev.frontend.viewer_protocol_policy == "allow-all"


BAD = [
    ("dev.toml", 'profile = "as-deployed"\n', "", "dev.toml: profile: is required"),
    ("dev.toml", 'profile = "as-deployed"', 'profile = "designed"', "dev.toml: profile: unknown profile 'designed'"),
    ("_switches.toml", 'path = "api_gateway.xray_tracing"', 'path = "api_gateway.xray"',
     "_switches.toml: switch[1].path: 'api_gateway.xray' names no setting"),
    ("_switches.toml", 'risk = "none"', 'risk = "low"', "_switches.toml: switch[0].risk: 'low' is not one of"),
    ("_switches.toml", 'path = "api_gateway.xray_tracing"', 'path = "frontend.viewer_protocol_policy"',
     "_switches.toml: switch[1].path: 'frontend.viewer_protocol_policy' is listed twice"),
    ("_switches.toml", 'to_be = true\nclaims = ["A112"]', 'claims = ["A112"]',
     "_switches.toml: switch[1].to_be: set either to_be or not_in_profile"),
]


@pytest.mark.parametrize("file,old,new,message", BAD, ids=[b[3].split(": ", 1)[1][:40] for b in BAD])
def test_bad_profile_data_names_the_file_and_the_field(tmp_path, file, old, new, message):
    envs = envs_copy(tmp_path)
    edit(envs / file, old, new)
    with pytest.raises(ConfigError) as raised:
        load_environment("dev", envs)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_forcing_a_setting_that_is_no_switch_is_refused():
    with pytest.raises(ConfigError, match=r"_switches.toml: network.vpc_cidr: is not a design switch"):
        load_environment("dev", switch_values={"network.vpc_cidr": "10.9.0.0/16"})


def test_a_to_be_environment_without_the_switches_table_is_refused(tmp_path):
    envs = envs_copy(tmp_path)
    (envs / "_switches.toml").unlink()
    with pytest.raises(ConfigError, match=r"staging.toml: profile: 'to-be' takes its switch values from .*_switches.toml"):
        load_environment("staging", envs)


def test_a_negative_secret_rotation_names_the_field_and_file(tmp_path):
    """Bad input for issue 36's switches: one line naming the field and the file."""
    envs = envs_copy(tmp_path)
    edit(envs / "staging.toml", "[network]\n", "[database]\nsecret_rotation_days = -1\n\n[network]\n")
    with pytest.raises(ConfigError) as raised:
        load_environment("staging", envs)
    message = str(raised.value)
    assert "database.secret_rotation_days" in message and "staging.toml" in message and "\n" not in message


def test_a_service_users_switch_that_is_no_boolean_names_the_field_and_file(tmp_path):
    envs = envs_copy(tmp_path)
    edit(envs / "staging.toml", "[network]\n", "[database]\nservice_users = \"yes\"\n\n[network]\n")
    with pytest.raises(ConfigError) as raised:
        load_environment("staging", envs)
    message = str(raised.value)
    assert "database.service_users" in message and "staging.toml" in message and "\n" not in message
