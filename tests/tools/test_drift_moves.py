"""How state instances land in a configuration: moved blocks at instance, resource and module level,
chained; Terraform's implied `[0]` move; a move onto an occupied address; removed blocks; addresses
whose keys hold dots and brackets; and how configured values compare with state values."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tools.state_fixtures import state_of
from tools.drift.addresses import AddressError, parse
from tools.drift.config import parse_configuration
from tools.drift.config_drift import check_config
from tools.drift.state import StateError, parse_state


def configuration(resources: dict, moved=(), removed=()):
    data = {"resource": resources, "moved": list(moved), "removed": list(removed)}
    return parse_configuration(data, "test", Path("test/cdk.tf.json"))


def state(*instances: tuple[str, dict]):
    return parse_state(json.dumps(state_of([{"address": a, "type": parse(a).type, "values": v}
                                            for a, v in instances])), "test state")


def by_original(findings):
    return {f.original or f.address: f for f in findings}


def test_addresses_with_dotted_keys_round_trip():
    text = 'module.parameter_store.aws_ssm_parameter.common_config["/petclinic/dev/server.port"]'
    address = parse(text)
    assert (address.modules[0].name, address.type, address.key) == ("parameter_store", "aws_ssm_parameter",
                                                                      "/petclinic/dev/server.port")
    assert str(address) == text
    assert str(parse('module.ecr["customers"].aws_ecr_repository.this[0]')) == 'module.ecr["customers"].aws_ecr_repository.this[0]'
    with pytest.raises(AddressError):
        parse("aws_vpc.x[abc]")


def test_instance_resource_and_module_moves():
    config = configuration(
        {"aws_subnet": {"public_a": {"cidr_block": "10.0.1.0/24"}},
         "aws_eip": {"nat": {"for_each": {"0": 1, "1": 1}}},
         "aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}},
        moved=[{"from": 'module.vpc.aws_subnet.public["0"]', "to": "aws_subnet.public_a"},
               {"from": "module.vpc.aws_eip.nat", "to": "aws_eip.nat"},
               {"from": "module.vpc", "to": "module.network"},
               {"from": "module.network.aws_vpc.this", "to": "aws_vpc.main"}])
    findings = by_original(check_config(config, state(
        ('module.vpc.aws_subnet.public["0"]', {"cidr_block": "10.0.1.0/24"}),
        ('module.vpc.aws_eip.nat["0"]', {}), ('module.vpc.aws_eip.nat["1"]', {}),
        ("module.vpc.aws_vpc.this", {"cidr_block": "10.0.0.0/16"}))))
    assert findings['module.vpc.aws_subnet.public["0"]'].address == "aws_subnet.public_a"
    assert findings['module.vpc.aws_eip.nat["1"]'].address == 'aws_eip.nat["1"]'
    # module-level move, then a resource move out of the new module: a chain
    assert findings["module.vpc.aws_vpc.this"].address == "aws_vpc.main"
    assert {f.kind for f in findings.values()} == {"moved"}
    assert not any(f.changes for f in findings.values())


def test_chained_moves_land_on_the_last_address():
    config = configuration({"aws_vpc": {"c": {}}},
                           moved=[{"from": "aws_vpc.b", "to": "aws_vpc.c"}, {"from": "aws_vpc.a", "to": "aws_vpc.b"}])
    (finding,) = check_config(config, state(("aws_vpc.a", {})))
    assert (finding.kind, finding.address, finding.original) == ("moved", "aws_vpc.c", "aws_vpc.a")


def test_implied_move_between_a_single_instance_and_index_zero():
    config = configuration({"aws_iam_role": {"monitoring": {}}},
                           moved=[{"from": "module.db.aws_iam_role.monitoring", "to": "aws_iam_role.monitoring"}])
    (finding,) = check_config(config, state(("module.db.aws_iam_role.monitoring[0]", {})))
    assert (finding.kind, finding.address) == ("moved", "aws_iam_role.monitoring")


def test_move_onto_an_address_the_state_holds_is_not_applied():
    config = configuration({"aws_vpc": {"new": {}}}, moved=[{"from": "aws_vpc.old", "to": "aws_vpc.new"}])
    findings = by_original(check_config(config, state(("aws_vpc.old", {}), ("aws_vpc.new", {}))))
    assert findings["aws_vpc.new"].kind == "kept"
    assert findings["aws_vpc.old"].kind == "destroyed" and "already exists" in findings["aws_vpc.old"].message


def test_move_onto_another_type_is_a_destroy():
    config = configuration({"aws_eip": {"x": {}}}, moved=[{"from": "aws_vpc.x", "to": "aws_eip.x"}])
    kinds = {(f.kind, f.type) for f in check_config(config, state(("aws_vpc.x", {})))}
    assert ("destroyed", "aws_vpc") in kinds and ("created", "aws_eip") in kinds


def test_removed_blocks_forget_or_destroy():
    config = configuration({}, removed=[{"from": "null_resource.enable", "lifecycle": {"destroy": False}},
                                        {"from": "module.old", "lifecycle": {"destroy": True}}])
    findings = by_original(check_config(config, state(("null_resource.enable", {}), ("module.old.aws_vpc.x", {}))))
    assert findings["null_resource.enable"].kind == "forgotten"
    assert findings["module.old.aws_vpc.x"].kind == "destroyed"


def test_for_each_key_no_longer_configured_is_destroyed_and_new_key_created():
    config = configuration({"aws_ecr_repository": {"services": {"for_each": {"customers": {}, "vets": {}}}}})
    findings = check_config(config, state(('aws_ecr_repository.services["customers"]', {}),
                                          ('aws_ecr_repository.services["genai"]', {})))
    kinds = {f.address: f.kind for f in findings}
    assert kinds == {'aws_ecr_repository.services["customers"]': "kept",
                     'aws_ecr_repository.services["genai"]': "destroyed",
                     'aws_ecr_repository.services["vets"]': "created"}


def test_values_sets_lists_blocks_json_and_references():
    config = configuration({
        "aws_rds_cluster": {"db": {"engine_version": "8.0.mysql_aurora.3.08.0", "cluster_identifier": "db",
                                   "vpc_security_group_ids": ["sg-2", "sg-1"],
                                   "serverlessv2_scaling_configuration": {"max_capacity": 1, "min_capacity": 0.5},
                                   "tags": {"Name": "db", "Owner": "${var.owner}"},
                                   "lifecycle": {"ignore_changes": ["master_username"]},
                                   "master_username": "changed"}},
        "aws_rds_cluster_instance": {"w": {"engine_version": "${aws_rds_cluster.db.engine_version}",
                                           "cluster_identifier": "${aws_rds_cluster.db.id}"}},
        "aws_iam_role": {"r": {"assume_role_policy": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": "x"}}]})}}})
    findings = by_original(check_config(config, state(
        ("aws_rds_cluster.db", {"id": "db", "engine_version": "8.0.mysql_aurora.3.08.2", "cluster_identifier": "db",
                                "vpc_security_group_ids": ["sg-1", "sg-2"], "master_username": "admin",
                                "serverlessv2_scaling_configuration": [{"max_capacity": 1.0, "min_capacity": 0.5,
                                                                        "seconds_until_auto_pause": 300}],
                                "tags": {"Name": "db", "Owner": "someone"}}),
        ("aws_rds_cluster_instance.w", {"engine_version": "8.0.mysql_aurora.3.08.2", "cluster_identifier": "db"}),
        ("aws_iam_role.r", {"assume_role_policy": json.dumps({"Statement": [
            {"Action": "sts:AssumeRole", "Principal": {"Service": "x"}, "Effect": "Allow"}], "Version": "2012-10-17"})}))))
    (cluster_change,) = findings["aws_rds_cluster.db"].changes      # set order, a float, an unknown tag, ignore_changes: no drift
    assert cluster_change.attribute == "engine_version" and cluster_change.effect == "refused"
    assert "downgrade" in cluster_change.note
    (instance_change,) = findings["aws_rds_cluster_instance.w"].changes   # the reference resolves to the cluster's literal
    assert instance_change.effect == "refused"
    assert not findings["aws_iam_role.r"].changes


def test_configured_version_prefix_of_the_running_one_is_no_change():
    config = configuration({"aws_rds_cluster": {"db": {"engine_version": "8.0"}}})
    (finding,) = check_config(config, state(("aws_rds_cluster.db", {"engine_version": "8.0.mysql_aurora.3.08.2"})))
    assert not finding.changes


def test_unknown_type_says_unknown():
    config = configuration({"aws_made_up_thing": {"x": {"name": "new"}}})
    (finding,) = check_config(config, state(("aws_made_up_thing.x", {"name": "old"})))
    assert finding.changes[0].effect == "unknown" and "not in the force-new table" in finding.changes[0].note


@pytest.mark.parametrize("text,says", [("{not json", "not valid JSON"), ("[]", "JSON object"),
                                       ('{"version": 3}', "version 3"),
                                       ('{"version": 4, "resources": [{"mode": "managed"}]}', "malformed")])
def test_bad_state_says_what_is_wrong(text, says):
    with pytest.raises(StateError, match=says):
        parse_state(text, "x.tfstate")


def test_a_replacement_cascades_through_references_as_terraform_plans_it():
    config = configuration({
        "aws_vpc": {"main": {"cidr_block": "10.1.0.0/16"}},
        "aws_subnet": {"a": {"vpc_id": "${aws_vpc.main.id}", "cidr_block": "10.0.1.0/24"}},
        "aws_route_table_association": {"a": {"subnet_id": "${aws_subnet.a.id}", "route_table_id": "rtb-1"}},
        "aws_security_group_rule": {"x": {"description": "${aws_vpc.main.arn}", "type": "ingress"}}})
    findings = by_original(check_config(config, state(
        ("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}), ("aws_subnet.a", {"vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24"}),
        ("aws_route_table_association.a", {"subnet_id": "subnet-1", "route_table_id": "rtb-1"}),
        ("aws_security_group_rule.x", {"description": "arn", "type": "ingress"}))))
    assert findings["aws_vpc.main"].action == "replace"
    assert findings["aws_subnet.a"].action == "replace"
    assert "aws_vpc.main is replaced" in findings["aws_subnet.a"].changes[0].note
    assert findings["aws_route_table_association.a"].action == "replace"      # transitively, through the subnet
    assert findings["aws_security_group_rule.x"].action == "update"          # description updates in place


def test_function_environment_values_are_never_reported():
    from tools.drift.report import as_json, as_text
    from tools.drift.findings import LayerResult

    config = configuration({"aws_lambda_function": {"f": {"function_name": "f", "environment": {"variables": {
        "LOG_LEVEL": "INFO", "WEBHOOK_ARN": "${aws_secretsmanager_secret.hook.arn}"}}}}})
    findings = check_config(config, state(("aws_lambda_function.f", {"function_name": "f", "environment": [{"variables": {
        "LOG_LEVEL": "INFO", "WEBHOOK_URL": "https://hooks.example/T000/B000/very-secret-token"}}]})))
    (change,) = findings[0].changes
    assert change.before == {"LOG_LEVEL": "(hidden)", "WEBHOOK_URL": "(hidden)"}
    assert change.after == {"LOG_LEVEL": "(hidden)", "WEBHOOK_ARN": "(hidden), differs"}
    result = [LayerResult("x", "config", findings=tuple(findings))]
    assert "very-secret-token" not in as_json("config", result) + as_text("config", result)


def test_blocks_deeper_than_the_schema_compare_as_objects():
    """WAF statements nest deeper than the trimmed schema: a block written as one object matches the
    state's one-element list, and only the configured arguments count."""
    from tools.drift.values import compare

    configured = {"field_to_match": {"uri_path": {}}, "positional_constraint": "CONTAINS", "search_string": "/api/"}
    stated = [{"field_to_match": [{"uri_path": [{}], "body": []}], "positional_constraint": "CONTAINS",
               "search_string": "/api/", "text_transformation": [{"priority": 0, "type": "LOWERCASE"}]}]
    assert compare(configured, stated, "byte_match_statement") == []
    changed = dict(configured, search_string="/v2/")
    assert [d.path for d in compare(changed, stated, "byte_match_statement")] == ["byte_match_statement.search_string"]


def test_instance_user_data_compares_by_the_hash_the_state_keeps_and_replaces_only_when_asked():
    import base64
    import hashlib

    script = "#!/bin/bash\necho hello\n"
    encoded = base64.b64encode(script.encode()).decode()
    same = configuration({"aws_instance": {"debug": {"user_data": encoded}}})
    (finding,) = check_config(same, state(("aws_instance.debug", {"user_data": hashlib.sha1(script.encode()).hexdigest()})))
    assert not finding.changes
    for replace_on_change, effect in ((None, "update"), (True, "replace")):
        body = {"user_data": base64.b64encode(b"#!/bin/bash\necho changed\n").decode()}
        if replace_on_change:
            body["user_data_replace_on_change"] = True
        (finding,) = check_config(configuration({"aws_instance": {"debug": body}}), state(
            ("aws_instance.debug", {"user_data": hashlib.sha1(script.encode()).hexdigest(),
                                    "user_data_replace_on_change": bool(replace_on_change)})))
        assert [c.effect for c in finding.changes] == [effect]
