"""Checks of §8 of the design: IAM roles and least privilege, VPC endpoints, HTTPS at the ALB and
endpoint TLS (A84–A89, A93, A94), and the task definitions' secret references of §6.4 (A68).
The NACLs of §8.3 are in s08_nacl.py."""
from __future__ import annotations

import json

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import (FOUR_SERVICES, Grant, allows, containers, expanded, ingress_of, referenced_resources,
                                                role_grants, statements)
from tools.design.checks.primitives import added, changed, every, fixture, remote_state, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed, unknown

SEC, APP, LAMBDA, NET = "02-security", "07-application", "06-lambda-genai", "01-network"


def _policy(*statements_: tuple[list[str], str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resource} for actions, resource in statements_]})


def _task(name: str, password_from: str = "${data.terraform_remote_state.database.outputs.master_user_secret_name}:password::") -> dict:
    secrets = [{"name": "SPRING_DATASOURCE_PASSWORD", "valueFrom": password_from}] if name != "admin" else []
    return {"family": f"petclinic-{name}",
            "execution_role_arn": "${data.terraform_remote_state.security.outputs.ecs_task_execution_role_arn}",
            "task_role_arn": "${data.terraform_remote_state.security.outputs.ecs_task_role_arn}",
            "container_definitions": json.dumps([{"name": name, "image": f"{name}:latest", "secrets": secrets}])}


ROLES = fixture(
    (SEC, "aws_iam_role.execution", {"name": "exec"}),
    (SEC, "aws_iam_role_policy_attachment.execution_managed",
     {"role": "${aws_iam_role.execution.name}", "policy_arn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}),
    (SEC, "aws_iam_policy.secret_read", {"policy": _policy((["secretsmanager:GetSecretValue"], "arn:aws:secretsmanager:*:*:secret:rds!*"))}),
    (SEC, "aws_iam_role_policy_attachment.execution_secret",
     {"role": "${aws_iam_role.execution.name}", "policy_arn": "${aws_iam_policy.secret_read.arn}"}),
    (SEC, "aws_iam_role.task", {"name": "task"}),
    (SEC, "aws_iam_role_policy.task", {"role": "${aws_iam_role.task.id}", "policy": _policy(
        (["ssm:GetParameters", "ssm:GetParametersByPath"], "arn:aws:ssm:*:*:parameter/petclinic/dev/*"),
        (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"), (["cloudwatch:PutMetricData"], "*"))}),
    (SEC, "output.ecs_task_execution_role_arn", "${aws_iam_role.execution.arn}"),
    (SEC, "output.ecs_task_role_arn", "${aws_iam_role.task.arn}"),
    ("03-database", "aws_rds_cluster.aurora", {"manage_master_user_password": True}),
    ("03-database", "output.master_user_secret_name", "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}"),
    remote_state(APP, "security", SEC), remote_state(APP, "database", "03-database"),
    *[(APP, f"aws_ecs_task_definition.{n}", _task(n)) for n in ("customers", "vets", "visits", "admin")],
    (LAMBDA, "aws_iam_role.genai", {"name": "genai"}),
    (LAMBDA, "aws_iam_role_policy.genai", {"role": "${aws_iam_role.genai.id}", "policy": _policy(
        (["bedrock:InvokeModel"], "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"),
        (["rds-data:ExecuteStatement"], "arn:aws:rds:us-west-2:1:cluster:c"),
        (["secretsmanager:GetSecretValue"], "arn:aws:secretsmanager:us-west-2:1:secret:s"))}),
    (LAMBDA, "aws_lambda_function.genai", {"function_name": "genai", "role": "${aws_iam_role.genai.arn}"}),
)


def _secret_reference(stacks: Stacks, task: Block, value_from: str) -> bool:
    """A Secrets Manager ARN, an aws_secretsmanager_secret, the cluster's RDS-managed master secret, or
    a data.aws_secretsmanager_secret that looks up by name a secret some stack creates."""
    text = expanded(stacks, task.layer, value_from)
    return ":secretsmanager:" in text or "master_user_secret" in text \
        or bool(referenced_resources(stacks, task.layer, value_from, "aws_secretsmanager_secret")) \
        or _secret_looked_up(stacks, task.layer, value_from)


def _secret_looked_up(stacks: Stacks, layer: str, value_from: str) -> bool:
    created = {b.body.get("name") for b in stacks.resources("aws_secretsmanager_secret")} - {None}
    return any(f"${{{lookup.address}.arn}}" in value_from and lookup.body.get("name") in created
               for lookup in stacks.data("aws_secretsmanager_secret", layer))


# A service's own user (switch database.service_users): 03 creates the secret, 07 looks it up by name.
OWN_USER = added(changed(ROLES, APP, "aws_ecs_task_definition.vets",
                         **_task("vets", "${data.aws_secretsmanager_secret.vets_db_secret.arn}:password::")),
                 ("03-database", "aws_secretsmanager_secret.vets_db_secret", {"name": "petclinic-dev-vets-db"}),
                 (APP, "data.aws_secretsmanager_secret.vets_db_secret", {"name": "petclinic-dev-vets-db"}))


@check("A68", passing=[ROLES, OWN_USER], failing=[
    changed(ROLES, APP, "aws_ecs_task_definition.vets", **_task("vets", "/petclinic/dev/db/password")),
    changed(ROLES, APP, "aws_ecs_task_definition.visits", **_task("visits", "${data.terraform_remote_state.database.outputs.master_username}")),
    changed(OWN_USER, APP, "data.aws_secretsmanager_secret.vets_db_secret", name="made-by-nobody"),
    fixture((APP, "aws_ecs_task_definition.admin", _task("admin")))])
def tasks_reference_the_secret(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        defined = containers(task)
        if defined is None:
            return failed(f"{task.where} container_definitions cannot be read")
        refs = [s for c in defined for s in c.get("secrets", []) or [] if "PASSWORD" in str(s.get("name", "")).upper()]
        if not refs:
            return passed(f"{task.where} takes no password (it does not use the database)")
        bad = [r for r in refs if not _secret_reference(stacks, task, str(r.get("valueFrom")))]
        if bad:
            return failed(f"{task.where} secret {bad[0].get('name')} valueFrom = {bad[0].get('valueFrom')}, expected a Secrets Manager secret")
        return passed(f"{task.where} {refs[0].get('name')} valueFrom = {refs[0].get('valueFrom')}")
    tasks = stacks.resources("aws_ecs_task_definition")
    users = [t for t in tasks if "PASSWORD" in str(t.body.get("container_definitions", "")).upper()]
    if not users:
        return failed(f"none of the {len(tasks)} aws_ecs_task_definition takes a database password from a secret")
    return every(tasks, "aws_ecs_task_definition", judge)


def _role_of(stacks: Stacks, block: Block, attribute: str) -> Block | None:
    roles = referenced_resources(stacks, block.layer, block.body.get(attribute), "aws_iam_role")
    return roles[0] if roles else None


def _grants_all(stacks: Stacks, role: Block, actions: dict[str, str]) -> Verdict:
    grants = role_grants(stacks, role)
    parts = []
    for action, what in actions.items():
        found = allows(grants, action)
        parts.append(passed(f"{what}: {action} by {found[0].source}") if found
                     else failed(f"{role.where} is not allowed {action} ({what})"))
    return combine(parts)


EXECUTION_NEEDS = {"ecr:BatchGetImage": "ECR pull", "logs:PutLogEvents": "CloudWatch Logs",
                   "secretsmanager:GetSecretValue": "Secrets Manager read"}
TASK_NEEDS = {"ssm:GetParameters": "Parameter Store read", "xray:PutTraceSegments": "X-Ray write",
              "cloudwatch:PutMetricData": "CloudWatch metrics write"}


@check("A84", passing=[ROLES], failing=[without(ROLES, SEC, "aws_iam_role_policy_attachment.execution_secret"),
                                         without(ROLES, SEC, "aws_iam_role_policy_attachment.execution_managed")])
def execution_role(stacks: Stacks) -> Verdict:
    tasks = stacks.resources("aws_ecs_task_definition")
    if len(tasks) < FOUR_SERVICES:
        return failed(f"found {len(tasks)} aws_ecs_task_definition, expected at least {FOUR_SERVICES}")
    parts, roles = [], []
    for task in tasks:
        role = _role_of(stacks, task, "execution_role_arn")
        if role is None:
            parts.append(failed(f"{task.where} execution_role_arn = {task.body.get('execution_role_arn')} names no aws_iam_role of the stacks"))
        elif role not in roles:
            roles.append(role)
    # Judged once per role: the four tasks usually share one.
    parts += [combine([passed(f"{role.where} (of {sum(_role_of(stacks, t, 'execution_role_arn') == role for t in tasks)} tasks)"),
                       _grants_all(stacks, role, EXECUTION_NEEDS)]) for role in roles]
    return combine(parts)


@check("A85", passing=[ROLES], failing=[
    changed(ROLES, APP, "aws_ecs_task_definition.customers",
            task_role_arn="${data.terraform_remote_state.security.outputs.ecs_task_execution_role_arn}"),
    changed(ROLES, SEC, "aws_iam_role_policy.task", policy=_policy((["ssm:GetParameters"], "*")))])
def task_role(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        role, execution = _role_of(stacks, task, "task_role_arn"), _role_of(stacks, task, "execution_role_arn")
        if role is None:
            return failed(f"{task.where} task_role_arn = {task.body.get('task_role_arn', '(not set)')} names no aws_iam_role of the stacks")
        if role == execution:
            return failed(f"{task.where} task role = execution role ({role.where})")
        return _grants_all(stacks, role, TASK_NEEDS)
    return every(stacks.resources("aws_ecs_task_definition"), "aws_ecs_task_definition", judge, at_least=FOUR_SERVICES)


@check("A86", passing=[ROLES], failing=[
    changed(ROLES, LAMBDA, "aws_iam_role_policy.genai", policy=_policy((["bedrock:InvokeModel"], "*"))),
    without(ROLES, LAMBDA, "aws_lambda_function.genai")])
def lambda_role(stacks: Stacks) -> Verdict:
    def judge(function: Block) -> Verdict:
        role = _role_of(stacks, function, "role")
        if role is None:
            return failed(f"{function.where} role = {function.body.get('role')} names no aws_iam_role of the stacks")
        return _grants_all(stacks, role, {"bedrock:InvokeModel": "Bedrock invoke", "rds-data:ExecuteStatement": "RDS Data API",
                                          "secretsmanager:GetSecretValue": "Secrets Manager read"})
    return every(stacks.resources("aws_lambda_function", LAMBDA), f"aws_lambda_function in {LAMBDA}", judge)


BROAD_MANAGED = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonSSMReadOnlyAccess")
ATTACHMENTS = ("aws_iam_role_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_user_policy_attachment",
               "aws_iam_policy_attachment")
POLICIES = ("aws_iam_role_policy", "aws_iam_policy", "aws_iam_group_policy", "aws_iam_user_policy")


def _too_broad(grant: Grant) -> bool:
    if grant.effect != "Allow":
        return False
    return "*" in grant.actions or (any(a.endswith(":*") for a in grant.actions) and "*" in grant.resources)


@check("A88", passing=[ROLES], failing=[
    fixture((SEC, "aws_iam_group.team", {"name": "team"}),
            (SEC, "aws_iam_group_policy_attachment.team", {"group": "${aws_iam_group.team.name}",
                                                            "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
    changed(ROLES, SEC, "aws_iam_role_policy.task", policy=_policy((["s3:*"], "*"))),
    fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))])
def least_privilege(stacks: Stacks) -> Verdict:
    attachments = [a for t in ATTACHMENTS for a in stacks.resources(t)]
    policies = [p for t in POLICIES for p in stacks.resources(t)]
    if not attachments and not policies:
        return failed("found no IAM policy or policy attachment to judge")
    parts = []
    for attachment in attachments:
        arn = str(attachment.body.get("policy_arn", ""))
        if arn.startswith("arn:aws:iam::aws:policy/") and arn.rsplit("/", 1)[1] in BROAD_MANAGED:
            parts.append(failed(f"{attachment.where} attaches {arn.rsplit('/', 1)[1]}"))
        elif "${" in arn and not referenced_resources(stacks, attachment.layer, arn, "aws_iam_policy"):
            parts.append(unknown(f"{attachment.where} policy_arn = {arn}: a policy known only at apply"))
    for policy in policies:
        found = statements(policy.where, policy.body.get("policy"))
        if not found:
            parts.append(unknown(f"{policy.where} policy = {str(policy.body.get('policy'))[:80]}: not a document the stacks hold"))
        parts += [failed(f"{policy.where} allows {list(g.actions)} on {list(g.resources)}") for g in found if _too_broad(g)]
    return combine(parts) if parts else passed(
        f"{len(attachments)} attachments and {len(policies)} policies: no broad managed policy, no wildcard action on every resource")


REQUIRED_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager", "kms", "monitoring", "xray")
ENDPOINTS = fixture(
    (NET, "aws_security_group.endpoints", {"name": "vpce"}),
    (NET, "aws_vpc_security_group_ingress_rule.https", {"security_group_id": "${aws_security_group.endpoints.id}",
                                                         "from_port": 443, "to_port": 443, "ip_protocol": "tcp",
                                                         "cidr_ipv4": "10.0.0.0/16"}),
    *[(NET, f"aws_vpc_endpoint.{s.replace('.', '_')}",
       {"service_name": f"com.amazonaws.us-west-2.{s}", "vpc_endpoint_type": "Interface", "private_dns_enabled": True,
        "security_group_ids": ["${aws_security_group.endpoints.id}"]}) for s in REQUIRED_ENDPOINTS])


def _interface_endpoints(stacks: Stacks) -> list[Block]:
    return [e for e in stacks.resources("aws_vpc_endpoint") if e.body.get("vpc_endpoint_type") == "Interface"]


@check("A89", passing=[ENDPOINTS], failing=[without(ENDPOINTS, NET, "aws_vpc_endpoint.xray"),
                                             changed(ENDPOINTS, NET, "aws_vpc_endpoint.kms", private_dns_enabled=False)])
def vpc_endpoints(stacks: Stacks) -> Verdict:
    endpoints = _interface_endpoints(stacks)
    parts = []
    for service in REQUIRED_ENDPOINTS:
        # com.amazonaws.<region>.<service>; the region may be an expression, so match the end.
        found = [e for e in endpoints if str(e.body.get("service_name", "")).endswith(f".{service}")]
        endpoint = found[0] if found else None
        if endpoint is None:
            names = sorted(str(e.body.get("service_name")) for e in endpoints)
            parts.append(failed(f"no Interface aws_vpc_endpoint for {service} (found {names})"))
        elif endpoint.body.get("private_dns_enabled") is not True:
            parts.append(failed(f"{endpoint.where} private_dns_enabled = {endpoint.body.get('private_dns_enabled')}, expected true"))
        else:
            parts.append(passed(f"{service}: {endpoint.where}"))
    return combine(parts)


@check("A94", passing=[ENDPOINTS], failing=[
    changed(ENDPOINTS, NET, "aws_vpc_security_group_ingress_rule.https", from_port=80, to_port=80),
    without(ENDPOINTS, NET, "aws_vpc_security_group_ingress_rule.https")])
def endpoints_tls_only(stacks: Stacks) -> Verdict:
    groups: list[Block] = []
    for endpoint in _interface_endpoints(stacks):
        groups += [g for g in referenced_resources(stacks, endpoint.layer, endpoint.body.get("security_group_ids"),
                                                   "aws_security_group") if g not in groups]

    def judge(group: Block) -> Verdict:
        rules = ingress_of(stacks, group)
        if not rules:
            return failed(f"{group.where} has no ingress rule")
        other = [r for r in rules if (r.from_port, r.to_port) != (443, 443)]
        if other:
            return failed(f"{other[0].where} opens {other[0].from_port}-{other[0].to_port} on the endpoints' group, expected 443 only")
        return passed(f"{group.where}: {len(rules)} ingress rule(s), all 443 ({rules[0].where})")
    return every(groups, "security group of an Interface aws_vpc_endpoint", judge)


ALB = fixture(
    (APP, "aws_lb.alb", {"load_balancer_type": "application", "internal": False}),
    (APP, "aws_lb_listener.http", {"load_balancer_arn": "${aws_lb.alb.arn}", "port": 80, "protocol": "HTTP",
                                   "default_action": [{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS",
                                                                                        "status_code": "HTTP_301"}}]}),
    (APP, "aws_lb_listener.https", {"load_balancer_arn": "${aws_lb.alb.arn}", "port": 443, "protocol": "HTTPS",
                                    "certificate_arn": "${aws_acm_certificate.alb.arn}",
                                    "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}))


def alb_https(stacks: Stacks) -> Verdict:
    def judge(alb: Block) -> Verdict:
        listeners = [l for l in stacks.resources("aws_lb_listener") if l.body.get("load_balancer_arn") == f"${{{alb.address}.arn}}"]
        parts = []
        https = [l for l in listeners if l.body.get("protocol") == "HTTPS" and l.body.get("certificate_arn")]
        parts.append(passed(f"{https[0].where} HTTPS with {https[0].body['certificate_arn']}") if https
                     else failed(f"{alb.where} has no HTTPS listener with a certificate"))
        for listener in [l for l in listeners if l.body.get("protocol") == "HTTP"]:
            actions = listener.body.get("default_action", [])
            redirect = actions[0].get("redirect", {}) if actions and actions[0].get("type") == "redirect" else {}
            redirect = redirect[0] if isinstance(redirect, list) and redirect else redirect
            good = redirect.get("protocol") == "HTTPS"
            parts.append(passed(f"{listener.where} redirects to HTTPS") if good else failed(
                f"{listener.where} port {listener.body.get('port')} default_action = {actions[0].get('type') if actions else '(none)'}, expected a redirect to HTTPS"))
        return combine(parts)
    return every(stacks.resources("aws_lb"), "aws_lb", judge)


check("A93", passing=[ALB], failing=[
    without(ALB, APP, "aws_lb_listener.https"),
    changed(ALB, APP, "aws_lb_listener.http", default_action=[{"type": "forward", "target_group_arn": "${aws_lb_target_group.x.arn}"}]),
    ENDPOINTS])(alb_https)
