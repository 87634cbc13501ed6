"""Checks of §6.3 and §6.4 of the design (and the Lambda settings of §11.2): the GenAI Lambda and
Bedrock, and the database secret in Secrets Manager (A57–A67)."""
from __future__ import annotations

import json
from typing import Any

from tools.design.checks import check
from tools.design.checks.finders import genai_functions, integration_targets, integrations, methods_on, pointed, tier_of
from tools.design.checks.fixtures_s03_s06 import AI, API, DB
from tools.design.checks.fixtures_s03_s06_api import PLATFORM
from tools.design.checks.fixtures_s03_s06_compute import HAIKU
from tools.design.checks.primitives import MISSING, added, attribute, changed, every, expect, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_FN = "aws_lambda_function.genai"
_ROTATED = added(PLATFORM, (DB, "aws_secretsmanager_secret_rotation.master", {
    "secret_id": "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}",
    "rotation_rules": {"automatically_after_days": 30}}))


def _genai(stacks: Stacks, judge) -> Verdict:
    return every(genai_functions(stacks), "GenAI aws_lambda_function (BEDROCK_MODEL_ID or 'genai' in its name)", judge)


def _actions(stacks: Stacks, role: Block) -> dict[str, str]:
    """Every IAM action allowed to `role` by inline policies and attached policies of the stacks."""
    found: dict[str, str] = {}
    sources = [p for p in stacks.resources("aws_iam_role_policy") if any(
        r.where == role.where for r in pointed(stacks, p, "role", "aws_iam_role"))]
    for attachment in stacks.resources("aws_iam_role_policy_attachment"):
        if any(r.where == role.where for r in pointed(stacks, attachment, "role", "aws_iam_role")):
            sources += pointed(stacks, attachment, "policy_arn", "aws_iam_policy")
    for source in sources:
        for statement in _statements(source.body.get("policy")):
            if statement.get("Effect") == "Allow":
                actions = statement.get("Action", [])
                for action in [actions] if isinstance(actions, str) else actions:
                    found.setdefault(str(action), source.where)
    return found


def _statements(policy: Any) -> list[dict]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [statements] if isinstance(statements, dict) else [s for s in statements if isinstance(s, dict)]


@check("A57", passing=[PLATFORM], failing=[changed(PLATFORM, AI, "aws_iam_role_policy.genai_bedrock", policy='{"Statement": []}'),
                                            without(PLATFORM, API, "aws_api_gateway_integration.api_genai")])
def api_lambda_bedrock(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        fronted = [i for i in integrations(stacks, "AWS_PROXY")
                   if function.where in {t.where for t in integration_targets(stacks, i)}]
        roles = pointed(stacks, function, "role", "aws_iam_role")
        allowed = {a: w for role in roles for a, w in _actions(stacks, role).items()
                   if a in ("bedrock:InvokeModel", "bedrock:*", "*")}
        return combine([
            passed(f"{fronted[0].where} (AWS_PROXY) -> {function.where}") if fronted
            else failed(f"no API Gateway AWS_PROXY integration calls {function.where}"),
            passed(f"{function.where} may call Bedrock: {next(iter(allowed))} by {next(iter(allowed.values()))}") if allowed
            else failed(f"{function.where}'s role ({', '.join(r.where for r in roles) or 'none'}) may not bedrock:InvokeModel")])
    return _genai(stacks, judge)


@check("A58", passing=[PLATFORM], failing=[changed(PLATFORM, AI, _FN, environment={"variables": {
    "BEDROCK_MODEL_ID": "anthropic.claude-3-sonnet-20240229-v1:0"}})])
def claude_3_haiku(stacks: Stacks) -> Verdict:
    return _genai(stacks, lambda f: expect(f, "environment.variables.BEDROCK_MODEL_ID", HAIKU))


@check("A59", passing=[PLATFORM], failing=[changed(PLATFORM, AI, _FN, runtime="python3.12"),
                                            changed(PLATFORM, AI, _FN, timeout=None)])
def lambda_settings(stacks: Stacks) -> Verdict:
    # Unset, a Lambda has 128 MB and 3 s.
    return _genai(stacks, lambda f: combine([expect(f, "runtime", "python3.11"),
                                             expect(f, "memory_size", 512, absent_means=128),
                                             expect(f, "timeout", 60, absent_means=3)]))


@check("A60", passing=[PLATFORM], failing=[changed(PLATFORM, AI, _FN, vpc_config=None)])
def lambda_in_vpc(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        subnets = pointed(stacks, function, "vpc_config.subnet_ids", "aws_subnet")
        groups = attribute(function.body, "vpc_config.security_group_ids")
        tiers = sorted({tier_of(stacks, s) or "?" for s in subnets})
        if subnets and tiers == ["private-app"] and groups:
            return passed(f"{function.where} vpc_config: {len(subnets)} private app subnets and security groups {show(groups)}")
        return failed(f"{function.where} vpc_config = {show(attribute(function.body, 'vpc_config'))}, "
                      "expected the private app subnets and a security group")
    return _genai(stacks, judge)


@check("A61", passing=[PLATFORM], failing=[changed(PLATFORM, AI, _FN, dead_letter_config=None),
                                            changed(PLATFORM, AI, "aws_lambda_function_event_invoke_config.genai", maximum_retry_attempts=0)])
def retry_and_dlq(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        target = attribute(function.body, "dead_letter_config.target_arn")
        dlq = [r.block for r in stacks.refs(function.layer, target if target is not MISSING else None)
               if r.block.type in ("aws_sqs_queue", "aws_sns_topic")]
        configs = [c for c in stacks.resources("aws_lambda_function_event_invoke_config")
                   if any(f.where == function.where for f in pointed(stacks, c, "function_name", "aws_lambda_function"))]
        on_failure = [c for c in configs
                      if attribute(c.body, "destination_config.on_failure.destination") not in (MISSING, None, "")]
        no_retry = [c for c in configs if c.body.get("maximum_retry_attempts") == 0]
        return combine([
            passed(f"{function.where} dead letters -> {dlq[0].where}") if dlq else
            passed(f"{on_failure[0].where} sends failures on") if on_failure else
            failed(f"{function.where} has no dead_letter_config and no on-failure destination"),
            failed(f"{no_retry[0].where} maximum_retry_attempts = 0") if no_retry
            else passed(f"{function.where} retries asynchronous invocations ({', '.join(c.where for c in configs) or 'default: 2'})")])
    return _genai(stacks, judge)


@check("A62", passing=[PLATFORM], failing=[without(PLATFORM, AI, "aws_lambda_provisioned_concurrency_config.genai"),
                                            changed(PLATFORM, AI, "aws_lambda_provisioned_concurrency_config.genai",
                                                    provisioned_concurrent_executions=0)])
def provisioned_concurrency(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        configs = [c for c in stacks.resources("aws_lambda_provisioned_concurrency_config")
                   if any(f.where == function.where for f in pointed(stacks, c, "function_name", "aws_lambda_function"))]
        if not configs:
            return failed(f"no aws_lambda_provisioned_concurrency_config for {function.where}")
        return combine([_at_least_one(c) for c in configs])
    return _genai(stacks, judge)


def _at_least_one(config: Block) -> Verdict:
    value = config.body.get("provisioned_concurrent_executions")
    if isinstance(value, int) and value >= 1:
        return passed(f"{config.where} provisioned_concurrent_executions = {value}")
    return failed(f"{config.where} provisioned_concurrent_executions = {show(value)}, expected at least 1")


@check("A63", passing=[PLATFORM], failing=[changed(PLATFORM, API, "aws_api_gateway_method.api_genai", api_key_required=False),
                                            without(PLATFORM, API, "aws_api_gateway_usage_plan_key.genai")])
def api_key_on_ai(stacks: Stacks) -> Verdict:
    genai = {f.where for f in genai_functions(stacks)}
    to_ai = [i for i in integrations(stacks, "AWS_PROXY") if {t.where for t in integration_targets(stacks, i)} & genai]
    methods = {m.where: m for i in to_ai for m in methods_on(stacks, i) if m.body.get("http_method") != "OPTIONS"}
    keyed = every(methods.values(), "method in front of the GenAI Lambda",
                  lambda m: expect(m, "api_key_required", True, absent_means=False))
    plan_keys = [k for k in stacks.resources("aws_api_gateway_usage_plan_key")
                 if pointed(stacks, k, "key_id", "aws_api_gateway_api_key")
                 and any(p.body.get("api_stages") for p in pointed(stacks, k, "usage_plan_id", "aws_api_gateway_usage_plan"))]
    return combine([keyed, passed(f"API key in a usage plan of a stage: {plan_keys[0].where}") if plan_keys
                    else failed("no aws_api_gateway_api_key joined (aws_api_gateway_usage_plan_key) to a usage plan with a stage")])


@check("A64", passing=[PLATFORM], failing=[changed(PLATFORM, AI, _FN, environment={"variables": {"BEDROCK_MODEL_ID": HAIKU}}),
                                            changed(PLATFORM, AI, _FN, environment={"variables": {
                                                "BEDROCK_MODEL_ID": HAIKU, "DB_CLUSTER_ARN": "arn:aws:rds:x", "DB_SECRET_ARN": "x"}})])
def lambda_environment(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        variables = attribute(function.body, "environment.variables")
        variables = variables if isinstance(variables, dict) else {}
        parts = [passed(f"{function.where} BEDROCK_MODEL_ID = {variables['BEDROCK_MODEL_ID']}")
                 if variables.get("BEDROCK_MODEL_ID") else failed(f"{function.where} has no BEDROCK_MODEL_ID")]
        for name, wanted in (("DB_CLUSTER_ARN", ("aws_rds_cluster",)),
                             ("DB_SECRET_ARN", ("aws_secretsmanager_secret", "aws_rds_cluster"))):
            refs = [r for r in stacks.refs(function.layer, variables.get(name)) if r.block.type in wanted]
            parts.append(passed(f"{function.where} {name} -> {refs[0].block.where} {refs[0].attribute}") if refs
                         else failed(f"{function.where} {name} = {show(variables.get(name, '(not set)'))}, "
                                     f"expected a reference to the {' or '.join(wanted)}"))
        return combine(parts)
    return _genai(stacks, judge)


def _clusters(stacks: Stacks, judge) -> Verdict:
    return every(stacks.resources("aws_rds_cluster"), "aws_rds_cluster", judge)


@check("A65", passing=[PLATFORM], failing=[changed(PLATFORM, DB, "aws_rds_cluster.aurora", manage_master_user_password=None,
                                                   master_password="change-me")])
def managed_password(stacks: Stacks) -> Verdict:
    return _clusters(stacks, lambda c: combine([
        expect(c, "manage_master_user_password", True, absent_means=False),
        failed(f"{c.where} also sets master_password in the configuration") if c.body.get("master_password")
        else passed(f"{c.where} sets no master_password")]))


@check("A66", passing=[_ROTATED], failing=[PLATFORM, changed(_ROTATED, DB, "aws_secretsmanager_secret_rotation.master",
                                                             rotation_rules={"automatically_after_days": 7})])
def rotation_30_days(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        rotations = [r for r in stacks.resources("aws_secretsmanager_secret_rotation") if any(
            ref.block.where == cluster.where and ref.attribute.startswith("master_user_secret")
            for ref in stacks.refs(r.layer, r.body.get("secret_id")))]
        if not rotations:
            return failed(f"no aws_secretsmanager_secret_rotation for {cluster.where}'s master user secret "
                          "(the RDS-managed default rotates every 7 days)")
        return combine([_every_30_days(r) for r in rotations])
    return _clusters(stacks, judge)


def _every_30_days(rotation: Block) -> Verdict:
    days = attribute(rotation.body, "rotation_rules.automatically_after_days")
    schedule = attribute(rotation.body, "rotation_rules.schedule_expression")
    if days == 30 or schedule == "rate(30 days)":
        return passed(f"{rotation.where} rotates every 30 days")
    return failed(f"{rotation.where} rotation_rules = {show(attribute(rotation.body, 'rotation_rules'))}, expected 30 days")


@check("A67", passing=[PLATFORM], failing=[changed(PLATFORM, DB, "aws_rds_cluster.aurora", manage_master_user_password=None,
                                                   master_password="change-me")])
def secret_kms(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        if cluster.body.get("manage_master_user_password") is not True:
            return failed(f"{cluster.where} keeps its password outside Secrets Manager (manage_master_user_password unset)")
        key = cluster.body.get("master_user_secret_kms_key_id")
        return passed(f"{cluster.where}'s master user secret is encrypted with "
                      + (f"the KMS key {show(key)}" if key else "the AWS-managed KMS key aws/secretsmanager"))
    return _clusters(stacks, judge)
