"""The pure parts of the ladder run (tools/e2e/ladder_plan.py): which steps are applied, what a plan
changes, and how that compares with the ladder's prediction. No terraform, no moto."""
from __future__ import annotations

import json

import pytest

from settings import load_environment
from settings.load import ConfigError
from tools.e2e.ladder_plan import Planned, action_of, compare, counts, cumulative, outputs_changed, plan_changes, select
from tools.e2e.steps import environment_with


def planned(index: int, path: str, risk: str = "none", after: tuple[str, ...] = (), error: str = "") -> Planned:
    return Planned(index, path, True, risk, after, error)


LADDER = [planned(1, "a.one"), planned(2, "b.loses", "data-lost"), planned(3, "c.after_loss", "none", ("b.loses",)),
          planned(4, "d.downtime", "downtime"), planned(5, "e.after_d", "none", ("d.downtime",))]


def test_a_step_that_loses_data_is_skipped_without_the_flag_and_so_are_the_steps_after_it():
    chosen = select(LADDER, accept_data_loss=False)
    assert [s.path for s in chosen.applied] == ["a.one", "d.downtime", "e.after_d"]
    reasons = {s.path: why for s, why in chosen.skipped}
    assert set(reasons) == {"b.loses", "c.after_loss"}
    assert "--accept-data-loss" in reasons["b.loses"] and "data-lost" in reasons["b.loses"]
    assert "b.loses" in reasons["c.after_loss"]


def test_with_the_flag_every_step_is_applied_in_the_ladders_order():
    chosen = select(LADDER, accept_data_loss=True)
    assert [s.index for s in chosen.applied] == [1, 2, 3, 4, 5] and not chosen.skipped


def test_a_step_the_ladder_could_not_measure_is_never_applied():
    chosen = select([planned(1, "x.broken", error="synthesis failed"), planned(2, "y.ok")], accept_data_loss=True)
    assert [s.path for s in chosen.applied] == ["y.ok"]
    assert "could not measure" in chosen.skipped[0][1]


def test_a_limit_stops_after_that_many_applied_steps():
    chosen = select(LADDER, accept_data_loss=True, limit=2)
    assert [s.index for s in chosen.applied] == [1, 2]
    assert [s.index for s, _ in chosen.skipped] == [3, 4, 5]


def test_switches_accumulate_step_after_step():
    steps = select(LADDER, accept_data_loss=False).applied
    assert cumulative(steps, 0) == {"a.one": True}
    assert cumulative(steps, 2) == {"a.one": True, "d.downtime": True, "e.after_d": True}


def test_plan_actions_in_the_ladders_words():
    assert action_of(["create"]) == "create" and action_of(["update"]) == "update"
    assert action_of(["delete", "create"]) == action_of(["create", "delete"]) == "replace"
    assert action_of(["delete"]) == "destroy" and action_of(["forget"]) == "forget"
    assert action_of(["no-op"]) == action_of(["read"]) == "none"


PLAN = {
    "resource_changes": [
        {"address": "aws_sns_topic.t", "mode": "managed", "change": {"actions": ["create"]}},
        {"address": "aws_lb.alb", "mode": "managed", "change": {"actions": ["no-op"]}},
        {"address": 'aws_subnet.s["a"]', "mode": "managed", "change": {"actions": ["delete", "create"]}},
        {"address": "aws_iam_role.new", "previous_address": "aws_iam_role.old", "mode": "managed",
         "change": {"actions": ["no-op"]}},
        {"address": "data.aws_iam_policy_document.d", "mode": "data", "change": {"actions": ["read"]}},
    ],
    "output_changes": {"vpc_id": {"actions": ["no-op"]}, "subnet_ids": {"actions": ["update"]}},
}


def test_plan_changes_reads_resource_changes_and_moves():
    assert plan_changes(PLAN) == {"aws_sns_topic.t": "create", 'aws_subnet.s["a"]': "replace",
                                  "aws_iam_role.new": "move"}
    assert outputs_changed(PLAN) == ["subnet_ids"]
    assert plan_changes({}) == {} and outputs_changed({}) == []


def test_an_apply_that_is_exactly_the_prediction_matches():
    applied = {"07-application": {"aws_sns_topic.t": "create", "aws_ecs_service.s": "replace"}}
    predicted = [("07-application", "create", "aws_sns_topic.t"), ("07-application", "maybe-replace", "aws_ecs_service.s")]
    result = compare(predicted, applied)
    assert result.exact and len(result.matched) == 2 and result.mismatches() == []


def test_every_kind_of_mismatch_is_named():
    applied = {"01-network": {"aws_subnet.a": "replace", "aws_route.extra": "destroy"}}
    predicted = [("01-network", "update", "aws_subnet.a"), ("01-network", "create", "aws_vpc_endpoint.e"),
                 ("02-security", "destroy", "aws_security_group_rule.r")]
    result = compare(predicted, applied)
    assert not result.exact
    assert result.different == [("01-network", "aws_subnet.a", "update", "replace")]
    assert result.missing == [("01-network", "aws_vpc_endpoint.e", "create"),
                              ("02-security", "aws_security_group_rule.r", "destroy")]
    assert result.unpredicted == [("01-network", "aws_route.extra", "destroy")]
    assert len(result.mismatches()) == 4


def test_a_prediction_on_what_the_run_leaves_out_or_outside_its_layers_is_not_a_mismatch():
    predicted = [("11-frontend", "create", 'aws_cloudfront_function.f["x"]'), ("08-api-gateway", "create", "aws_x.y"),
                 ("11-frontend", "unknown", "aws_s3_bucket_policy.p")]
    result = compare(predicted, {}, {"11-frontend": ["aws_cloudfront_function.f"]}, layers=["11-frontend"])
    assert result.exact
    assert result.excluded == [("11-frontend", 'aws_cloudfront_function.f["x"]', "create")]
    assert result.uncertain == [("11-frontend", "aws_s3_bucket_policy.p", "unknown")]


def test_a_create_of_what_the_override_released_in_this_step_is_not_a_mismatch_but_stays_one_elsewhere():
    """11's self-logging bucket is a defect the as-deployed run leaves out; the step that gives the logs a
    bucket of their own creates it. Only a create of what was left out before, and is not now, is released."""
    applied = {"11-frontend": {"aws_s3_bucket_logging.site_logging": "create", "aws_s3_bucket.other": "create"}}
    before = {"11-frontend": ["aws_s3_bucket_logging.site_logging"]}
    result = compare([], applied, {"11-frontend": []}, layers=["11-frontend"], left_out_before=before)
    assert result.released == [("11-frontend", "aws_s3_bucket_logging.site_logging", "create")]
    assert result.unpredicted == [("11-frontend", "aws_s3_bucket.other", "create")] and not result.exact
    still_out = compare([], applied, before, layers=["11-frontend"], left_out_before=before)
    assert ("11-frontend", "aws_s3_bucket_logging.site_logging", "create") in still_out.unpredicted
    assert compare([], applied, {}, layers=["11-frontend"]).released == []


def test_counts_by_action():
    assert counts({"a": {"x": "create", "y": "create"}, "b": {"z": "destroy"}}) == {"create": 2, "destroy": 1}


def test_many_switches_make_a_short_scratch_folder_name(tmp_path):
    overrides = {"application.alarms.memory_percent": 80, "application.xray_daemon": True,
                 "database.iam_authentication": True, "frontend.viewer_protocol_policy": "redirect-to-https",
                 "monitoring.genai_metrics": True, "lambda_genai.failure_queue": True}
    env = environment_with("dev", overrides, tmp_path)
    folder = next(tmp_path.iterdir())
    assert len(folder.name) < 130
    assert env.application.alarms.memory_percent == 80 and env.database.iam_authentication is True
    assert load_environment("dev").application.alarms.memory_percent == 85


def test_a_nacl_entry_with_an_empty_cidr_is_a_defect_of_the_stack_and_a_fixed_one_is_not():
    from tools.e2e.defects import Layer, Platform, defects_of

    entry = {"action": "allow", "cidr_block": "10.0.0.0/16", "from_port": 443, "to_port": 443, "protocol": "tcp",
             "rule_no": 100}
    broken = {"aws_network_acl": {"n": {"ingress": [{**entry, "ipv6_cidr_block": ""}], "egress": [entry]}}}
    fixed = {"aws_network_acl": {"n": {"ingress": [entry], "egress": [entry]}}}
    found = defects_of(Layer("02", {"resource": broken}, {}), [], Platform({}))
    assert list(found) == ["aws_network_acl.n"] and "not a valid CIDR" in found["aws_network_acl.n"]
    assert defects_of(Layer("02", {"resource": fixed}, {}), [], Platform({})) == {}


def test_the_ladder_switches_are_forced_as_the_design_ladder_measures_them_not_written_into_the_file(tmp_path):
    # dev has no domain: a file that turns on api_gateway.https_to_alb is refused, while the ladder's view
    # of dev with it on (load_environment(switch_values=...)) is not, and changes nothing (step 18 of dev).
    with pytest.raises(ConfigError, match="api_gateway.https_to_alb"):
        environment_with("dev", {"api_gateway.https_to_alb": True}, tmp_path)
    forced = environment_with("dev", {"security.alb_integration": False}, tmp_path,
                              switch_values={"api_gateway.https_to_alb": True})
    assert forced.api_gateway.https_to_alb is True and forced.security.alb_integration is False
    assert environment_with("dev", {}, tmp_path, switch_values={"api_gateway.https_to_alb": True}).api_gateway.https_to_alb


def _ladder_report(**step_changes) -> dict:
    step = {"index": 1, "switch": "security.network_acls", "risk": "access-changed", "status": "applied", "reason": "",
            "resources": 3, "seconds": 9.6, "touched": ["02-security"], "second_plan": {"02-security": "exit 0"},
            "second_plan_ok": True, "counts": {"create": 3}, "predicted_counts": {"create": 3}, "mismatches": [],
            "excluded": [], "uncertain": [], "released": [], **step_changes}
    return {"run": {"env": "dev", "layers": {"02-security": {}}, "seconds": 99.4, "error": "",
                    "counts": {"applied": 1, "partial": 0, "failed": 0, "layers": 1, "not run": 0}},
            "ladder": {"steps": [step], "ladder_seconds": 5, "seconds": 20, "accept_data_loss": True, "error": "",
                       "final_label": "the To-Be synthesis", "final_ok": True, "final_plan": {"02-security": "exit 0"}}}


def test_the_docs_table_is_written_only_from_a_climb_that_ended_clean(tmp_path, capsys):
    from tools.e2e import ladder_doc

    assert ladder_doc.problems(_ladder_report()) == []
    text = ladder_doc.render(ladder_doc.summary(_ladder_report()))
    assert "| 1 | `security.network_acls` | access-changed | applied | 3 | 10 | 02-security | exit 0 (1) | 3 create" in text
    assert "every layer exit 0 (1 layers)" in text
    dirty = _ladder_report(second_plan_ok=False, mismatches=["02-security x: applied update, predicted none"])
    assert len(ladder_doc.problems(dirty)) == 2
    for bad, code in ((dirty, 1), ({"run": {}}, 2)):
        path = tmp_path / "report.json"
        path.write_text(json.dumps(bad))
        assert ladder_doc.main([str(path)]) == code
        assert f"error: {path}" in capsys.readouterr().err
