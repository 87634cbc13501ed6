"""The settings of 10-monitoring, 11-frontend and 12-notification refuse what cannot be right, with
the field named: an alarm watching something the layer does not know, an id listed twice (it is an
address), a log metric on an unknown log group, a Slack channel without its `#`."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from settings import ConfigError, load_environment
from tests.conftest import ENVIRONMENTS, ROOT

BAD = [
    ("_defaults.toml", 'watches = "lambda"', 'watches = "lamda"', "monitoring.alarms[4].watches", "not one of"),
    ("_defaults.toml", 'id = "lambda_duration"', 'id = "lambda_error_rate"', "monitoring.alarms", "an id twice"),
    ("_defaults.toml", 'log_group = "cloudtrail"', 'log_group = "trail"', "monitoring.security_log_metrics[0].log_group",
     "not one of"),
    ("_defaults.toml", "period = 300", "period = 90", "monitoring.alarms[0].period", "multiple of 60"),
    ("dev.toml", 'slack_channel = "#petclinic-alerts"', 'slack_channel = "petclinic-alerts"',
     "notification.slack_channel", "pattern"),
    ("_defaults.toml", 'price_class = "PriceClass_100"', 'price_class = "PriceClass_50"', "frontend.price_class",
     "PriceClass_100"),
]


@pytest.mark.parametrize("file,old,new,field,words", BAD, ids=[f"{c[3]}:{c[4]}" for c in BAD])
def test_bad_observability_settings_name_the_field(tmp_path, file, old, new, field, words):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    path = envs / file
    assert old in path.read_text(), f"test setup: {old!r} not in {file}"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as error:
        load_environment("dev", envs)
    assert f"{field}" in str(error.value) and words in str(error.value), str(error.value)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_has_the_tag_sets_and_the_original_alarm_catalogue(env):
    settings = load_environment(env)
    for layer in ("10-monitoring", "11-frontend", "12-notification"):
        assert layer in settings.tag_sets
    assert len(settings.monitoring.alarms) + len(settings.monitoring.security_alarms) == 11
    assert len(settings.monitoring.log_metrics) + len(settings.monitoring.security_log_metrics) == 5
    assert settings.notification.test_alarm == (env in ("dev", "seoul"))
