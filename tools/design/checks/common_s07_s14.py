"""Lookups shared by the checks of §7–§14 and of the claims the table missed: references inside
strings, IAM grants of a role, alarms and dashboards, security-group rules, ECS containers.

Registers no check. Everything here reads what one synthesis holds; a value known only at apply is
reported as such by the callers, never guessed.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from tools.design.checks.primitives import MISSING, attribute
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict

REMOTE_IN_TEXT = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)")
RESOURCE_IN_TEXT = re.compile(r"\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)")
# Types whose `id` is, by the provider's documentation, one of their own arguments.
ID_IS: Mapping[str, str] = {"aws_rds_cluster": "cluster_identifier", "aws_rds_cluster_instance": "identifier",
                            "aws_lambda_function": "function_name", "aws_cloudwatch_log_group": "name",
                            "aws_iam_role": "name", "aws_s3_bucket": "bucket"}
JDBC = re.compile(r"jdbc:mysql://[^\s\"']+")

# What the AWS-managed policies the stacks attach allow, as far as the design's claims ask
# (from the policies' published documents); an unknown managed policy grants nothing here.
MANAGED_GRANTS: Mapping[str, tuple[str, ...]] = {
    "AdministratorAccess": ("*",),
    "PowerUserAccess": ("*",),
    "AmazonECSTaskExecutionRolePolicy": ("ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                         "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                                         "logs:CreateLogStream", "logs:PutLogEvents"),
    "AmazonSSMReadOnlyAccess": ("ssm:Describe*", "ssm:Get*", "ssm:List*"),
    "AWSXRayDaemonWriteAccess": ("xray:PutTraceSegments", "xray:PutTelemetryRecords",
                                 "xray:GetSamplingRules", "xray:GetSamplingTargets"),
    "CloudWatchAgentServerPolicy": ("cloudwatch:PutMetricData", "logs:PutLogEvents", "logs:CreateLogStream"),
    "AWSLambdaBasicExecutionRole": ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
    "AWSLambdaVPCAccessExecutionRole": ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                                        "ec2:DeleteNetworkInterface", "logs:CreateLogStream", "logs:PutLogEvents"),
}


# --- references --------------------------------------------------------------------------------

def resolve(stacks: Stacks, layer: str, value: Any, depth: int = 0) -> Any:
    """A literal as it is; `${aws_x.y.attr}` to that resource's literal `attr` (its name for `.id`
    of named things is not known before apply, so it stays an expression); a remote-state output to
    the producing layer's value, resolved there. Gives up (returns the expression) after 5 steps."""
    if not isinstance(value, str) or "${" not in value or depth > 5:
        return value
    output = stacks.remote_output(layer, value)
    if output is not None:
        return resolve(stacks, output.layer, output.body.get("value"), depth + 1)
    match = re.fullmatch(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}", value)
    if match:
        block = stacks.resource(layer, f"{match[1]}.{match[2]}")
        attr = ID_IS.get(match[1], match[3]) if match[3] == "id" else match[3]
        if block is not None and attr in block.body:
            return resolve(stacks, layer, block.body[attr], depth + 1)
    return value


def points_at(stacks: Stacks, layer: str, value: Any, target: Block) -> bool:
    """`value` (an expression, possibly inside a longer string) names `target`, directly in its own
    layer or through a remote-state output."""
    if not isinstance(value, str):
        return False
    for type_, name, _ in RESOURCE_IN_TEXT.findall(value):
        if layer == target.layer and f"{type_}.{name}" == target.address:
            return True
    for state, output in REMOTE_IN_TEXT.findall(value):
        produced = stacks.remote_output(layer, "${data.terraform_remote_state.%s.outputs.%s}" % (state, output))
        if produced is not None and points_at(stacks, produced.layer, json.dumps(produced.body.get("value")), target):
            return True
    return False


def expanded(stacks: Stacks, layer: str, value: Any, depth: int = 0) -> str:
    """The text of `value` with every remote-state read replaced by the producing layer's output
    value (itself expanded), so a test on the text sees what the read stands for."""
    text = value if isinstance(value, str) else json.dumps(value)
    if depth > 5:
        return text

    def substitute(match: re.Match[str]) -> str:
        produced = stacks.remote_output(layer, "${data.terraform_remote_state.%s.outputs.%s}" % (match[1], match[2]))
        return match[0] if produced is None else expanded(stacks, produced.layer, produced.body.get("value"), depth + 1)
    return REMOTE_IN_TEXT.sub(substitute, text)


def referenced_resources(stacks: Stacks, layer: str, value: Any, type_: str) -> list[Block]:
    """The `type_` resources an expression (or an output it reads through remote state) names."""
    text = json.dumps(value)
    found: list[Block] = []
    for t, name, _ in RESOURCE_IN_TEXT.findall(text):
        block = stacks.resource(layer, f"{t}.{name}") if t == type_ else None
        if block is not None and block not in found:
            found.append(block)
    for state, output in REMOTE_IN_TEXT.findall(text):
        produced = stacks.remote_output(layer, "${data.terraform_remote_state.%s.outputs.%s}" % (state, output))
        if produced is not None:
            found += [b for b in referenced_resources(stacks, produced.layer, produced.body.get("value"), type_)
                      if b not in found]
    return found


def all_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from all_strings(item)


def summarized(verdict: Verdict, count: int, what: str) -> Verdict:
    """A passing verdict over many blocks told as a count and the first example (a failure keeps
    every part: each is something to fix)."""
    if verdict.status != "pass" or count <= 2:
        return verdict
    return Verdict("pass", f"all {count} {what}, e.g. {verdict.evidence.split('; ')[0]}")


# --- IAM -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grant:
    source: str          # where it comes from: "02-security aws_iam_role_policy.x" or a managed policy
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def statements(source: str, document: Any) -> list[Grant]:
    """The statements of a policy document (a JSON string or an object); [] if it is not readable."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    raw = document.get("Statement", [])
    grants = []
    for statement in raw if isinstance(raw, list) else [raw]:
        if not isinstance(statement, Mapping):
            continue
        actions, resources = statement.get("Action", []), statement.get("Resource", [])
        grants.append(Grant(source, str(statement.get("Effect", "")),
                            tuple(actions if isinstance(actions, list) else [actions]),
                            tuple(resources if isinstance(resources, list) else [resources])))
    return grants


def role_grants(stacks: Stacks, role: Block) -> list[Grant]:
    """Every statement reaching `role`: inline policies, aws_iam_role_policy and policy attachments
    (customer policies followed to their aws_iam_policy, AWS-managed ones from MANAGED_GRANTS)."""
    grants: list[Grant] = []
    for inline in role.body.get("inline_policy", []) or []:
        grants += statements(f"{role.where} inline_policy", inline.get("policy"))
    for policy in stacks.resources("aws_iam_role_policy"):
        if points_at(stacks, policy.layer, policy.body.get("role"), role):
            grants += statements(policy.where, policy.body.get("policy"))
    for attachment in stacks.resources("aws_iam_role_policy_attachment") + stacks.resources("aws_iam_policy_attachment"):
        roles = attachment.body.get("role", attachment.body.get("roles"))
        if not any(points_at(stacks, attachment.layer, r, role) for r in all_strings(roles)):
            continue
        grants += policy_arn_grants(stacks, attachment)
    return grants


def policy_arn_grants(stacks: Stacks, attachment: Block) -> list[Grant]:
    arn = attachment.body.get("policy_arn")
    if isinstance(arn, str) and arn.startswith("arn:aws:iam::aws:policy/"):
        name = arn.rsplit("/", 1)[1]
        return [Grant(f"{attachment.where} -> {name}", "Allow", MANAGED_GRANTS.get(name, ()), ("*",))]
    policies = referenced_resources(stacks, attachment.layer, arn, "aws_iam_policy")
    return [g for p in policies for g in statements(p.where, p.body.get("policy"))]


def allows(grants: Iterable[Grant], action: str) -> list[Grant]:
    """The Allow statements whose actions (wildcards included) cover `action`."""
    wanted = action.lower()
    return [g for g in grants if g.effect == "Allow"
            and any(fnmatch.fnmatchcase(wanted, pattern.lower()) for pattern in g.actions)]


# --- monitoring ------------------------------------------------------------------------------------

def alarms_on(stacks: Stacks, namespace: str, metric: str) -> list[Block]:
    return [a for a in stacks.resources("aws_cloudwatch_metric_alarm")
            if a.body.get("namespace") == namespace and a.body.get("metric_name") == metric]


def dashboards_naming(stacks: Stacks, *words: str) -> list[Block]:
    """The dashboards whose body names every one of `words` (a namespace, a metric)."""
    return [d for d in stacks.resources("aws_cloudwatch_dashboard")
            if all(word in json.dumps(d.body.get("dashboard_body", "")) for word in words)]


def watched(stacks: Stacks, namespace: str, metric: str) -> str:
    """Where `namespace`/`metric` is watched (an alarm or a dashboard), "" if nowhere."""
    places = [a.where for a in alarms_on(stacks, namespace, metric)]
    places += [d.where for d in dashboards_naming(stacks, namespace, metric)]
    return ", ".join(places[:3])


def dimension(stacks: Stacks, alarm: Block, name: str) -> Any:
    """An alarm's dimension value, resolved to a literal where the stacks hold it."""
    value = attribute(alarm.body, f"dimensions.{name}")
    return MISSING if value is MISSING else resolve(stacks, alarm.layer, value)


# --- ECS -------------------------------------------------------------------------------------------

# customers, vets, visits and admin (§4.2): a check over "every service" first finds all four.
FOUR_SERVICES = 4

def containers(task: Block) -> list[Mapping[str, Any]] | None:
    """The container definitions of a task definition; None if they cannot be read."""
    raw = task.body.get("container_definitions")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def jdbc_urls(stacks: Stacks) -> list[tuple[str, str]]:
    """(where, url) of every JDBC URL in SSM parameters and ECS container environments."""
    found = []
    for parameter in stacks.resources("aws_ssm_parameter"):
        for url in JDBC.findall(str(parameter.body.get("value", ""))):
            found.append((parameter.where, url))
    for task in stacks.resources("aws_ecs_task_definition"):
        for url in JDBC.findall(str(task.body.get("container_definitions", ""))):
            found.append((task.where, url))
    return found


# --- security groups -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ingress:
    where: str
    from_port: Any
    to_port: Any
    protocol: str
    sources: tuple[str, ...]     # CIDRs (IPv4 and IPv6) and source security groups, as written
    cidrs: tuple[str, ...] = ()  # the CIDRs alone (an expression here is a range known only at apply)


def ingress_of(stacks: Stacks, group: Block) -> list[Ingress]:
    """Every ingress rule of `group`: inline blocks, aws_vpc_security_group_ingress_rule and
    aws_security_group_rule (type ingress), from any layer."""
    rules = []
    for i, rule in enumerate(group.body.get("ingress", []) or []):
        cidrs = tuple(rule.get("cidr_blocks", []) or []) + tuple(rule.get("ipv6_cidr_blocks", []) or [])
        rules.append(Ingress(f"{group.where} ingress[{i}]", rule.get("from_port"), rule.get("to_port"),
                             str(rule.get("protocol", "")), cidrs + tuple(rule.get("security_groups", []) or []), cidrs))
    for rule in stacks.resources("aws_vpc_security_group_ingress_rule"):
        if points_at(stacks, rule.layer, rule.body.get("security_group_id"), group):
            sources = [rule.body.get(k) for k in ("cidr_ipv4", "cidr_ipv6", "referenced_security_group_id",
                                                  "prefix_list_id") if rule.body.get(k)]
            cidrs = tuple(str(rule.body[k]) for k in ("cidr_ipv4", "cidr_ipv6") if rule.body.get(k))
            rules.append(Ingress(rule.where, rule.body.get("from_port"), rule.body.get("to_port"),
                                 str(rule.body.get("ip_protocol", "")), tuple(str(s) for s in sources), cidrs))
    for rule in stacks.resources("aws_security_group_rule"):
        if rule.body.get("type") == "ingress" and points_at(stacks, rule.layer, rule.body.get("security_group_id"), group):
            cidrs = tuple(rule.body.get("cidr_blocks", []) or []) + tuple(rule.body.get("ipv6_cidr_blocks", []) or [])
            sources = list(cidrs)
            if rule.body.get("source_security_group_id"):
                sources.append(rule.body["source_security_group_id"])
            if rule.body.get("self"):
                sources.append("self")
            rules.append(Ingress(rule.where, rule.body.get("from_port"), rule.body.get("to_port"),
                                 str(rule.body.get("protocol", "")), tuple(str(s) for s in sources), tuple(map(str, cidrs))))
    return rules


def plus(base: Mapping[str, Any], layer: str, address: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the fixture `base` with one more resource (`type.name`) in `layer`."""
    result = json.loads(json.dumps(base))
    type_, _, name = address.partition(".")
    result.setdefault(layer, {}).setdefault("resource", {}).setdefault(type_, {})[name] = dict(body)
    return result
