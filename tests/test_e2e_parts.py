"""The parts of the end-to-end harness that need no terraform: the scratch override, the per-step
environment data, the moto server's life cycle and the report's verdict."""
from __future__ import annotations

import tomllib

import pytest

from settings import ConfigError, load_environment
from settings.load import ENVS_DIR
from tools.e2e.moto_gaps import IGNORED, UNSET
from tools.e2e.moto_server import PORT_RANGE, MotoServer, answers
from tools.e2e.override import Target, override_for
from tools.e2e.steps import environment_with, to_toml

MOTO = "http://127.0.0.1:25042"
TARGET = Target(MOTO, ("ec2", "s3", "sts"), "1.11.4", "5.100.0")


@pytest.fixture(scope="module")
def stacks(synthesized):
    synthesis = synthesized("dev")
    return {layer: synthesis.stack(layer) for layer in synthesis.layers()}


def test_backend_keeps_bucket_key_and_locking_and_goes_to_moto(stacks):
    for layer, stack in stacks.items():
        if "s3" not in stack["terraform"]["backend"]:  # 00-bootstrap makes the bucket, its state is local
            assert override_for(stack, TARGET).content["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
            continue
        original = stack["terraform"]["backend"]["s3"]
        backend = override_for(stack, TARGET).content["terraform"]["backend"]["s3"]
        assert {k: backend[k] for k in original} == original, layer
        assert backend["key"] == f"dev/{layer}/terraform.tfstate"
        assert backend["endpoints"]["s3"] == MOTO and backend["use_path_style"] is True
        assert backend["access_key"] == "test" and backend["skip_credentials_validation"] is True


def test_every_remote_state_read_goes_to_moto_with_its_original_key(stacks):
    reads = 0
    for layer, stack in stacks.items():
        configured = (stack.get("data") or {}).get("terraform_remote_state") or {}
        overridden = (override_for(stack, TARGET).content.get("data") or {}).get("terraform_remote_state") or {}
        assert set(overridden) == set(configured), layer
        for name, body in configured.items():
            config = overridden[name]["config"]
            assert {k: config[k] for k in body["config"]} == body["config"]
            assert config["endpoints"]["s3"] == MOTO and config["use_path_style"] is True
            reads += 1
    assert reads >= 5  # 02, 03, 04, 05 and 06 read other layers


def test_provider_endpoints_all_point_at_moto_and_versions_are_relaxed(stacks):
    for stack in stacks.values():
        content = override_for(stack, TARGET).content
        (provider,) = content["provider"]["aws"]
        assert set(provider["endpoints"][0]) == set(TARGET.endpoints)
        assert set(provider["endpoints"][0].values()) == {MOTO}
        assert content["terraform"]["required_version"] == ">= 1.11.4"
        assert content["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"


def test_moto_gaps_only_touch_what_the_stack_configures_and_are_listed(stacks):
    override = override_for(stacks["01-network"], TARGET)
    subnets = override.content["resource"]["aws_subnet"]
    assert len(subnets) == 6 and all(body == {"ipv6_cidr_block": None, "assign_ipv6_address_on_creation": False}
                                     for body in subnets.values())
    listed = {exclusion.address for exclusion in override.excluded}
    assert {f"aws_subnet.{name}" for name in subnets} <= listed
    assert override_for(stacks["05-cloud-map"], TARGET).excluded == ()
    for gap in (*UNSET, *IGNORED):
        assert gap.api.count(":") == 1 and gap.reason, gap


def test_the_to_be_gaps_reach_staging_and_leave_dev_untouched(synthesized, stacks):
    """Provisioned concurrency (no moto route) is left out, the ECS services' capacity provider strategy
    and Cloud Map's custom health check (moto does not keep them as AWS does) are ignored: in staging,
    which configures them, and nowhere in dev, which does not."""
    staging = synthesized("staging")
    lambda_override = override_for(staging.stack("06-lambda-genai"), TARGET)
    assert lambda_override.content["resource"]["aws_lambda_provisioned_concurrency_config"] == {
        "provisioned_concurrency": {"count": 0}}
    services = override_for(staging.stack("07-application"), TARGET).content["resource"]["aws_ecs_service"]
    assert services and all("capacity_provider_strategy" in body["lifecycle"]["ignore_changes"] for body in services.values())
    discovery = override_for(staging.stack("05-cloud-map"), TARGET).content["resource"]["aws_service_discovery_service"]
    assert all(body["lifecycle"]["ignore_changes"] == ["health_check_custom_config"] for body in discovery.values())
    dev_services = override_for(stacks["07-application"], TARGET).content["resource"]["aws_ecs_service"]
    assert all("capacity_provider_strategy" not in body["lifecycle"]["ignore_changes"] for body in dev_services.values())
    assert "aws_lambda_provisioned_concurrency_config" not in (override_for(stacks["06-lambda-genai"], TARGET).content
                                                               .get("resource") or {})


def test_an_ignored_attribute_keeps_the_stacks_own_ignore_changes():
    stack = {"terraform": {"backend": {"s3": {"bucket": "b", "key": "k", "region": "us-west-2"}}},
             "resource": {"aws_rds_cluster": {"c": {"enable_http_endpoint": True,
                                                    "lifecycle": {"ignore_changes": ["master_password"]}}}}}
    lifecycle = override_for(stack, TARGET).content["resource"]["aws_rds_cluster"]["c"]["lifecycle"]
    assert lifecycle["ignore_changes"] == ["enable_http_endpoint", "master_password", "scaling_configuration"]


def test_a_stack_needing_another_provider_is_refused_by_name():
    stack = {"terraform": {"backend": {"s3": {"bucket": "b", "key": "k", "region": "us-west-2"}},
                           "required_providers": {"aws": {}, "random": {}}}}
    with pytest.raises(ValueError, match="random"):
        override_for(stack, TARGET)


def test_step_settings_are_applied_to_a_scratch_copy_of_the_environment_files(tmp_path):
    before = (ENVS_DIR / "dev.toml").read_text()
    env = environment_with("dev", {"security.alb_integration": False}, tmp_path)
    assert env.security.alb_integration is False
    assert load_environment("dev").security.alb_integration is True
    assert (ENVS_DIR / "dev.toml").read_text() == before


def test_an_unknown_setting_fails_naming_the_field(tmp_path):
    with pytest.raises(ConfigError, match="security.no_such_setting"):
        environment_with("dev", {"security.no_such_setting": 1}, tmp_path)


@pytest.mark.parametrize("name", sorted(p.name for p in ENVS_DIR.glob("*.toml")))
def test_toml_writer_round_trips_every_environment_file(name):
    data = tomllib.loads((ENVS_DIR / name).read_text())
    assert tomllib.loads(to_toml(data)) == data


def test_moto_server_starts_on_a_port_of_the_range_and_is_stopped(tmp_path):
    with MotoServer(tmp_path / "moto.log") as moto:
        assert moto.port in PORT_RANGE and moto.url.startswith("http://127.0.0.1:")
        assert answers(moto.port)
    assert not answers(moto.port)


def test_moto_server_is_stopped_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with MotoServer(tmp_path / "moto.log") as moto:
            raise RuntimeError("boom")
    assert not answers(moto.port)


def test_drift_findings_made_by_the_override_are_explained_and_the_rest_is_drift():
    from tools.e2e.drift import DriftRun, classify

    document = {"layers": [
        {"layer": "01-network", "findings": [
            {"kind": "kept", "action": "update", "address": "aws_subnet.a",
             "changes": [{"attribute": "assign_ipv6_address_on_creation"}]},
            {"kind": "kept", "action": "update", "address": "aws_subnet.a2",
             "changes": [{"attribute": "assign_ipv6_address_on_creation"}, {"attribute": "cidr_block"}]},
            {"kind": "kept", "action": "none", "address": "aws_vpc.v", "changes": []},
            {"kind": "missing", "action": "missing", "address": "aws_route.r", "changes": []},
            {"kind": "changed", "action": "changed", "address": "aws_eip.e", "changes": [{"attribute": "tags.Name"}],
             "ignored": "known noise"}]},
        {"layer": "04-parameter-store", "error": "no state"}]}
    override = {("01-network", "aws_subnet.a"): {"assign_ipv6_address_on_creation"},
                ("01-network", "aws_subnet.a2"): {"assign_ipv6_address_on_creation"}}
    result = DriftRun("config before")
    classify(document, override, result)
    assert result.explained == {"01-network": ["aws_subnet.a (update: assign_ipv6_address_on_creation)"]}
    assert result.addresses() == {("01-network", "aws_subnet.a2"), ("01-network", "aws_route.r")}
    assert result.errors == ["04-parameter-store: no state"]


def test_a_type_moto_cannot_serve_is_left_out_with_what_references_it(monkeypatch):
    import tools.e2e.override as override

    monkeypatch.setattr(override, "EXCLUDED_TYPES", {"aws_appautoscaling_target": "Svc:Api"})
    stack = {"terraform": {"backend": {"s3": {"bucket": "b", "key": "k", "region": "us-west-2"}}},
             "resource": {"aws_appautoscaling_target": {"t": {"resource_id": "service/c/s"}},
                          "aws_appautoscaling_policy": {"p": {"resource_id": "${aws_appautoscaling_target.t.resource_id}"}},
                          "aws_cloudwatch_metric_alarm": {"a": {"alarm_actions": ["${aws_appautoscaling_policy.p.arn}"]},
                                                          "b": {"alarm_name": "x"}}},
             "output": {"policy": {"value": "${aws_appautoscaling_policy.p.arn}"}, "other": {"value": "1"}}}
    result = override_for(stack, TARGET)
    resources = result.content["resource"]
    assert resources["aws_appautoscaling_target"]["t"] == {"count": 0}
    # references to a resource with count name its instances: one(x[*].attr)
    assert resources["aws_appautoscaling_policy"]["p"] == {
        "count": 0, "resource_id": "${one(aws_appautoscaling_target.t[*].resource_id)}"}
    assert resources["aws_cloudwatch_metric_alarm"] == {
        "a": {"count": 0, "alarm_actions": ["${one(aws_appautoscaling_policy.p[*].arn)}"]}}
    assert result.content["output"] == {"policy": {"value": None}}
    assert {e.address for e in result.excluded} == {"aws_appautoscaling_target.t", "aws_appautoscaling_policy.p",
                                                    "aws_cloudwatch_metric_alarm.a", "output.policy"}


def test_two_moto_servers_side_by_side_get_their_own_ports(tmp_path):
    with MotoServer(tmp_path / "a.log") as first, MotoServer(tmp_path / "b.log") as second:
        assert first.port != second.port and answers(first.port) and answers(second.port)


# ------------------------------------------------------------------ defects of the stacks themselves
def _layers(stacks, producers_of):
    from tools.e2e.defects import Layer

    return {name: Layer(name, stack, producers_of(stack)) for name, stack in stacks.items()}


def _reads(env):
    by_key = {env.state_key(layer): layer for layer in DEPLOY_ORDER}

    def reads(stack):
        remote = (stack.get("data") or {}).get("terraform_remote_state") or {}
        return {name: by_key.get(body["config"]["key"], "") for name, body in remote.items()}
    return reads


DEPLOY_ORDER = ["00-bootstrap", "01-network", "02-security", "03-database", "04-parameter-store", "05-cloud-map",
                "06-lambda-genai", "07-application", "08-api-gateway", "09-aws-native", "10-monitoring",
                "11-frontend", "12-notification"]


def test_defects_found_are_a_repeated_permission_a_repeated_log_group_and_logging_nobody_may_write(stacks):
    from tools.e2e.defects import Platform, defects_of

    layers = _layers(stacks, _reads(load_environment("dev")))
    platform = Platform(layers)
    found = {}
    for i, name in enumerate(DEPLOY_ORDER):
        for address, what in defects_of(layers[name], [layers[o] for o in DEPLOY_ORDER[:i]], platform).items():
            found[(name, address)] = what
    assert sorted(found) == [("07-application", "aws_security_group_rule.task_rules_aurora_allow_ecs"),
                             ("10-monitoring", "aws_cloudwatch_log_group.logs_lambda_genai"),
                             ("11-frontend", "aws_s3_bucket_logging.site_logging")]
    assert "aws_vpc_security_group_ingress_rule.sg_aurora_from_ecs of 02-security" in found[
        ("07-application", "aws_security_group_rule.task_rules_aurora_allow_ecs")]
    assert "aws_cloudwatch_log_group.genai_logs of 06-lambda-genai" in found[
        ("10-monitoring", "aws_cloudwatch_log_group.logs_lambda_genai")]


def test_a_fixed_stack_has_no_defect():
    from tools.e2e.defects import Layer, Platform, defects_of

    bucket = {"aws_s3_bucket": {"logs": {"bucket": "b"}},
              "aws_s3_bucket_logging": {"l": {"bucket": "${aws_s3_bucket.logs.id}", "target_bucket": "${aws_s3_bucket.logs.id}"}}}
    granted = {**bucket, "aws_s3_bucket_policy": {"p": {"bucket": "${aws_s3_bucket.logs.id}",
                                                       "policy": '{"Principal": {"Service": "logging.s3.amazonaws.com"}}'}}}
    assert list(defects_of(Layer("a", {"resource": bucket}, {}), [], Platform({}))) == ["aws_s3_bucket_logging.l"]
    assert defects_of(Layer("a", {"resource": granted}, {}), [], Platform({})) == {}


def test_a_permission_is_the_same_through_a_remote_state_read_and_different_by_port():
    from tools.e2e.defects import Layer, Platform, defects_of

    producer = Layer("02", {"resource": {"aws_vpc_security_group_ingress_rule": {"r": {
        "security_group_id": "${aws_security_group.db.id}", "referenced_security_group_id": "${aws_security_group.app.id}",
        "ip_protocol": "tcp", "from_port": 3306, "to_port": 3306}}},
        "output": {"db": {"value": "${aws_security_group.db.id}"}, "app": {"value": "${aws_security_group.app.id}"}}}, {})

    def consumer(port: int) -> Layer:
        return Layer("07", {"resource": {"aws_security_group_rule": {"again": {
            "type": "ingress", "protocol": "tcp", "from_port": port, "to_port": port,
            "security_group_id": "${data.terraform_remote_state.security.outputs.db}",
            "source_security_group_id": "${data.terraform_remote_state.security.outputs.app}"}}}}, {"security": "02"})

    for port, duplicate in ((3306, True), (5432, False)):
        platform = Platform({"02": producer, "07": consumer(port)})
        found = defects_of(consumer(port), [producer], platform)
        assert ("aws_security_group_rule.again" in found) is duplicate
        assert defects_of(producer, [], platform) == {}   # the first one deployed is not the defect
