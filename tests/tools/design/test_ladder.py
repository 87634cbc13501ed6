"""The ladder from dev to the to-be profile, against the state fixtures: every differing switch a
step, each step's Terraform actions and risk measured, ordered; its end state is the environment
synthesized with the to-be profile."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from settings import load_environment
from settings.profile import Switch, load_switches
from tests.conftest import ROOT
from tests.tools.state_fixtures import original_state
from tools.cost.charges import Unpriced
from tools.cost.estimate import estimate_folder
from tools.design.ladder import Effect, Step, build_ladder, order
from tools.design.ladder_report import LADDER_RENDERERS
from tools.design.measure import default_toolkit
from tools.design.risk import RISK_ORDER, assess
from tools.design.synthesis import synthesize_into, variant


def switch(path: str, risk: str = "none", after: tuple[str, ...] = ()) -> Switch:
    return Switch(path, True, (), "d", risk, after=after)


def test_order_puts_no_risk_first_and_a_step_after_what_it_needs():
    steps = [Step(switch("b.listener_rule", "none", after=("a.listener",)), 0, 1),
             Step(switch("a.listener", "manual-step"), 0, 1),
             Step(switch("c.cheap"), 0, 1),
             Step(switch("d.service"), 0, 1, effects=(Effect("07", "replace", "aws_ecs_service.x", "aws_ecs_service",
                                                             "downtime", "w"),))]
    assert [s.switch.path for s in order(steps)] == ["c.cheap", "a.listener", "b.listener_rule", "d.service"]


@pytest.mark.parametrize("action,rtype,risk,words", [
    ("replace", "aws_rds_cluster", "data-lost", "the database"),
    ("destroy", "aws_s3_bucket", "data-lost", "the bucket's objects"),
    ("destroy", "aws_cloudwatch_log_group", "data-lost", "the log group's events"),
    ("replace", "aws_ecs_service", "downtime", "the service"),
    ("destroy", "aws_security_group_rule", "access-changed", "the traffic the rule admits"),
    ("create", "aws_acm_certificate", "manual-step", "validate"),
    ("update", "aws_rds_cluster_parameter_group", "reboot", "reboot"),
    ("update", "aws_ecs_service", "none", ""),
    ("create", "aws_ecs_service", "none", ""),
])
def test_risk_in_words(action, rtype, risk, words):
    got_risk, got_words = assess(action, rtype, "x.y")
    assert got_risk == risk and words in got_words


@pytest.fixture(scope="module")
def dev_states(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("states-dev")
    for layer in sorted(p.name for p in (ROOT / "tests" / "fixtures" / "original" / "dev").glob("*.json")):
        (folder / layer.replace(".json", ".tfstate")).write_text(json.dumps(original_state("dev", layer[:-5])))
    return folder


@pytest.fixture(scope="module")
def dev_ladder(dev_states):
    return build_ladder("dev", str(dev_states), default_toolkit(), load_switches(ROOT / "envs"))


def test_every_switch_that_differs_is_one_step(dev_ladder):
    dev, designed = load_environment("dev").model_dump(), load_environment("dev", profile="to-be").model_dump()

    def value(data, path):
        for part in path.split("."):
            data = data[part]
        return data

    differing = {s.path for s in load_switches(ROOT / "envs") if value(dev, s.path) != value(designed, s.path)}
    assert differing and {s.switch.path for s in dev_ladder.steps} == differing
    assert not [s.error for s in dev_ladder.steps if s.error]


def test_states_were_read_for_the_layers_that_have_one(dev_ladder):
    assert not [e for e in dev_ladder.base_errors if "01-network" in e or "07-application" in e]


def step(ladder, path: str) -> Step:
    return next(s for s in ladder.steps if s.switch.path == path)


def test_a_harmless_flip_is_one_in_place_update(dev_ladder):
    viewer = step(dev_ladder, "frontend.viewer_protocol_policy")
    assert [(e.layer, e.action, e.type) for e in viewer.effects] == [("11-frontend", "update", "aws_cloudfront_distribution")]
    assert viewer.risk == "none" and viewer.runbook() == ()


def test_removing_the_bastion_destroys_it_with_its_risk_and_runbook(dev_ladder):
    debug = step(dev_ladder, "application.debug.enabled")
    destroyed = {e.type for e in debug.effects if e.action == "destroy"}
    assert {"aws_instance", "aws_security_group"} <= destroyed
    assert debug.risk == "data-lost"
    assert any("root volume" in line for line in debug.runbook())


def test_steps_are_ordered_by_risk_and_after_what_they_need(dev_ladder):
    paths = [s.switch.path for s in dev_ladder.steps]
    free = [RISK_ORDER.index(s.risk) for s in dev_ladder.steps if not s.switch.after]
    assert free == sorted(free)
    dependent = [s for s in dev_ladder.steps if s.switch.after]
    assert dependent, "no switch of the table names another it needs"
    for s in dependent:
        assert all(paths.index(needed) < paths.index(s.switch.path) for needed in s.switch.after if needed in paths)


def test_removing_the_bastion_saves_what_the_cost_tool_prices_the_instance_at(dev_ladder, tmp_path):
    """The step's monthly difference is tools.cost's: here the debug host's own monthly figure, saved."""
    debug = step(dev_ladder, "application.debug.enabled")
    stacks = synthesize_into(variant("dev"), tmp_path / "dev")
    bastion = [line for line in estimate_folder(stacks, "dev").lines if line.type == "aws_instance"]
    assert bastion, "the cost tool prices no aws_instance in dev"
    assert debug.monthly_cost_delta == pytest.approx(-sum(line.monthly for line in bastion), abs=0.01)
    assert debug.monthly_cost_delta < 0 and not debug.cost_error
    assert f"monthly cost: {debug.monthly_cost_delta:+.2f} USD/month" in LADDER_RENDERERS["text"](dev_ladder)
    data = json.loads(LADDER_RENDERERS["json"](dev_ladder))
    assert next(s for s in data["steps"] if s["switch"] == debug.switch.path)["monthly_cost_delta"] == debug.monthly_cost_delta
    assert f"{debug.monthly_cost_delta:+.2f} USD/month" in LADDER_RENDERERS["markdown"](dev_ladder)


def test_no_cost_is_made_up_when_the_cost_tool_fails(dev_states):
    """A failing cost tool leaves every step without a figure, and each step says why."""
    def broken(before, after, env):
        raise Unpriced("aws_instance.debug: no price for t3.nano in us-west-2")

    only_debug = [s for s in load_switches(ROOT / "envs") if s.path == "application.debug.enabled"]
    ladder = build_ladder("dev", str(dev_states), default_toolkit(), only_debug, cost=broken)
    assert ladder.steps and all(s.monthly_cost_delta is None for s in ladder.steps)
    assert all("no price for t3.nano" in s.cost_error for s in ladder.steps)
    text = LADDER_RENDERERS["text"](ladder)
    assert "monthly cost: not measured: the cost tool failed: aws_instance.debug: no price" in text
    assert "USD/month" not in text
    assert "USD/month" not in LADDER_RENDERERS["markdown"](ladder)


def test_renderings(dev_ladder):
    data = json.loads(LADDER_RENDERERS["json"](dev_ladder))
    assert [s["switch"] for s in data["steps"]] == [s.switch.path for s in dev_ladder.steps]
    assert data["not_in_profile"][0]["switch"] == "application.alb.certificate_arn"
    markdown = LADDER_RENDERERS["markdown"](dev_ladder)
    assert "| # | switch | from → to | risk | terraform |" in markdown


def test_the_end_state_is_the_environment_with_the_to_be_profile(dev_ladder, tmp_path):
    """Every step applied together gives byte for byte what `profile = "to-be"` gives."""
    climbed = synthesize_into(variant("dev", switch_values=dev_ladder.end_state), tmp_path / "climbed")
    designed = synthesize_into(variant("dev", profile="to-be"), tmp_path / "designed")
    layers = sorted(p.name for p in designed.iterdir())
    assert layers == sorted(p.name for p in climbed.iterdir())
    for layer in layers:
        assert (climbed / layer / "cdk.tf.json").read_bytes() == (designed / layer / "cdk.tf.json").read_bytes(), layer
    original = synthesize_into(variant("dev"), tmp_path / "as-is")
    assert (original / "11-frontend" / "cdk.tf.json").read_bytes() != (designed / "11-frontend" / "cdk.tf.json").read_bytes()


def test_the_cli_prints_the_ladder(dev_ladder, dev_states, monkeypatch, capsys):
    """`--ladder --env dev --state FOLDER` reaches build_ladder with the state source, and prints it."""
    import tools.design.ladder as ladder_module
    from tools.design.cli import main

    asked = []
    monkeypatch.setattr(ladder_module, "build_ladder", lambda env, state, *rest: asked.append((env, state)) or dev_ladder)
    assert main(["--ladder", "--env", "dev", "--state", str(dev_states), "--format", "markdown"]) == 0
    assert asked == [("dev", str(dev_states))]
    assert capsys.readouterr().out == LADDER_RENDERERS["markdown"](dev_ladder)


@pytest.mark.parametrize("path", ["application.xray_daemon", "application.startup_self_test"])
def test_a_changed_container_definition_is_a_new_task_revision_and_a_rolling_deployment(dev_ladder, path):
    """The state fixtures hold no container_definitions (the original plan knew them at apply only), and
    the base synthesis already differs there: the flip's change of the document is still the step's."""
    flip = step(dev_ladder, path)
    services = sorted(load_environment("dev").cloud_map.services)
    replaced = [e for e in flip.effects if e.type == "aws_ecs_task_definition"]
    assert [(e.action, e.address) for e in replaced] == [("replace", f"aws_ecs_task_definition.{s}_task") for s in services]
    assert all("new revision" in e.words and "rolls its tasks" in e.words for e in replaced)
    assert {(e.action, e.address) for e in flip.effects if e.type == "aws_ecs_service"} == \
        {("update", f"aws_ecs_service.{s}") for s in services}


@pytest.mark.parametrize("path", ["api_gateway.xray_tracing", "api_gateway.stage_logs"])
def test_stage_settings_update_the_stage_in_place(dev_ladder, path):
    """Only rest_api_id and stage_name force a new stage (provider: internal/service/apigateway/stage.go);
    the fixture's replacement of the stage (its unknown rest_api_id) is the base's, not the step's."""
    stage = [e for e in step(dev_ladder, path).effects if e.type == "aws_api_gateway_stage"]
    assert [(e.action, e.address) for e in stage] == [("update", "aws_api_gateway_stage.api_gateway_stage")]
