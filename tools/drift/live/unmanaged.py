"""Unmanaged resources: objects that belong to the platform — in one of its VPCs, named with its
prefix (`<Project>-<Environment>-`, from the stacks' provider default tags), tagged with its
`Project` and `Environment` (any type the Resource Groups Tagging API lists), or under one of its SSM
parameter roots — and are in no layer's state.

Defaults AWS makes in every VPC (the `default` security group, the main route table, the default
network ACL) are not reported."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tools.drift.findings import Finding
from tools.drift.live.base import Aws, tags_of
from tools.drift.state import State

IDENTIFYING = ("id", "arn", "name", "function_name", "cluster_identifier", "identifier", "alarm_name",
               "dashboard_name", "bucket", "repository")


# ARN (service, resource type) -> Terraform type, for what the tagging API lists.
ARN_TYPES = {("ec2", "vpc"): "aws_vpc", ("ec2", "subnet"): "aws_subnet", ("ec2", "security-group"): "aws_security_group",
             ("ec2", "route-table"): "aws_route_table", ("ec2", "natgateway"): "aws_nat_gateway",
             ("ec2", "internet-gateway"): "aws_internet_gateway", ("ec2", "vpc-endpoint"): "aws_vpc_endpoint",
             ("ec2", "elastic-ip"): "aws_eip", ("ec2", "instance"): "aws_instance", ("sns", ""): "aws_sns_topic",
             ("sqs", ""): "aws_sqs_queue", ("s3", ""): "aws_s3_bucket", ("lambda", "function"): "aws_lambda_function",
             ("rds", "cluster"): "aws_rds_cluster", ("rds", "db"): "aws_rds_cluster_instance",
             ("ecs", "cluster"): "aws_ecs_cluster", ("ecs", "service"): "aws_ecs_service",
             ("ecs", "task-definition"): "aws_ecs_task_definition",
             ("ecr", "repository"): "aws_ecr_repository", ("logs", "log-group"): "aws_cloudwatch_log_group",
             ("kms", "key"): "aws_kms_key", ("secretsmanager", "secret"): "aws_secretsmanager_secret",
             ("ssm", "parameter"): "aws_ssm_parameter", ("elasticloadbalancing", "loadbalancer"): "aws_lb",
             ("elasticloadbalancing", "targetgroup"): "aws_lb_target_group", ("iam", "role"): "aws_iam_role",
             ("cloudwatch", "alarm"): "aws_cloudwatch_metric_alarm", ("apigateway", ""): "aws_api_gateway_rest_api",
             ("wafv2", "regional"): "aws_wafv2_web_acl", ("cloudfront", "distribution"): "aws_cloudfront_distribution"}


@dataclass(frozen=True)
class Platform:
    vpc_ids: frozenset[str]
    name_prefix: str
    parameter_roots: frozenset[str]
    tags: tuple[tuple[str, str], ...] = ()


def arn_parts(arn: str) -> tuple[str, str, str]:
    """(service, resource type, short id) of an ARN: `arn:aws:ec2:r:a:vpc/vpc-1` -> ("ec2", "vpc", "vpc-1")."""
    parts = arn.split(":", 5)
    service, resource = (parts[2], parts[5]) if len(parts) == 6 else ("", arn)
    # The first separator ends the resource type: `log-group:/aws/x` is a log group named /aws/x.
    separators = [i for i in (resource.find("/"), resource.find(":")) if i >= 0]
    if not separators:
        return service, "", resource
    cut = min(separators)
    kind, rest = resource[:cut], resource[cut + 1:]
    return service, kind, rest.rsplit(resource[cut], 1)[-1]


# Objects that are part of a managed resource without being resources of their own: an instance's
# EBS volumes (which carry its tags, so the tagging API lists them).
PARTS = {"aws_instance": (("root_block_device", "volume_id"), ("ebs_block_device", "volume_id"))}


# Objects with numbered revisions (`family:3`): every revision of a managed family is that resource's
# history (the provider registers a new one on each change and the old ones stay listed).
REVISIONED = {("ecs", "task-definition")}


def managed_identifiers(states: Iterable[State]) -> set[str]:
    found: set[str] = set()
    for state in states:
        for instance in state.instances:
            for key in IDENTIFYING:
                value = instance.attributes.get(key)
                if isinstance(value, str) and value:
                    found.add(value)
            for block, key in PARTS.get(instance.type, ()):
                found.update(str(part[key]) for part in instance.attributes.get(block) or [] if part.get(key))
    return found


def platform_of(states: Iterable[State], name_prefix: str, tags: dict[str, str] | None = None) -> Platform:
    vpcs: set[str] = set()
    roots: set[str] = set()
    for state in states:
        for instance in state.instances:
            if instance.type == "aws_vpc" and instance.attributes.get("id"):
                vpcs.add(instance.attributes["id"])
            if instance.type == "aws_ssm_parameter" and str(instance.attributes.get("name", "")).startswith("/"):
                roots.add("/" + instance.attributes["name"].split("/")[1])
    chosen = tuple((k, (tags or {})[k]) for k in ("Project", "Environment") if (tags or {}).get(k))
    return Platform(frozenset(vpcs), name_prefix, frozenset(roots), chosen if len(chosen) == 2 else ())


def _candidates(aws: Aws, platform: Platform) -> Iterable[tuple[str, str, str]]:
    """(type, identifier, why) of every platform object the checked APIs list."""
    vpcs = sorted(platform.vpc_ids)
    prefix = platform.name_prefix
    if vpcs:
        where = [{"Name": "vpc-id", "Values": vpcs}]
        for g in aws.call("ec2", "describe_security_groups", Filters=where).get("SecurityGroups") or []:
            if g["GroupName"] != "default":
                yield "aws_security_group", g["GroupId"], f"security group {g['GroupName']!r} in {g['VpcId']}"
        for s in aws.call("ec2", "describe_subnets", Filters=where).get("Subnets") or []:
            yield "aws_subnet", s["SubnetId"], f"subnet {s['CidrBlock']} in {s['VpcId']}"
        for t in aws.call("ec2", "describe_route_tables", Filters=where).get("RouteTables") or []:
            if not any(a.get("Main") for a in t.get("Associations") or []):
                yield "aws_route_table", t["RouteTableId"], f"route table in {t['VpcId']}"
        for n in aws.call("ec2", "describe_nat_gateways", Filters=where).get("NatGateways") or []:
            if n.get("State") not in ("deleted", "deleting", "failed"):
                yield "aws_nat_gateway", n["NatGatewayId"], f"NAT gateway in {n['VpcId']}"
        for e in aws.call("ec2", "describe_vpc_endpoints", Filters=where).get("VpcEndpoints") or []:
            if str(e.get("State", "")).lower() not in ("deleted", "deleting"):
                yield "aws_vpc_endpoint", e["VpcEndpointId"], f"endpoint {e['ServiceName']} in {e['VpcId']}"
        for g in aws.call("ec2", "describe_internet_gateways",
                          Filters=[{"Name": "attachment.vpc-id", "Values": vpcs}]).get("InternetGateways") or []:
            yield "aws_internet_gateway", g["InternetGatewayId"], "internet gateway attached to the platform VPC"
    if prefix:
        named = f"name starts with {prefix}-"
        for role in aws.pages("iam", "list_roles", "Roles"):
            if role["RoleName"].startswith(prefix + "-"):
                yield "aws_iam_role", role["RoleName"], named
        for function in aws.pages("lambda", "list_functions", "Functions"):
            if function["FunctionName"].startswith(prefix + "-"):
                yield "aws_lambda_function", function["FunctionName"], named
        for arn in aws.pages("ecs", "list_clusters", "clusterArns"):
            if arn.rsplit("/", 1)[-1].startswith(prefix + "-"):
                yield "aws_ecs_cluster", arn, named
        for lb in aws.pages("elbv2", "describe_load_balancers", "LoadBalancers"):
            if lb["LoadBalancerName"].startswith(prefix + "-"):
                yield "aws_lb", lb["LoadBalancerArn"], named
        for group in aws.pages("elbv2", "describe_target_groups", "TargetGroups"):
            if group["TargetGroupName"].startswith(prefix + "-"):
                yield "aws_lb_target_group", group["TargetGroupArn"], named
        for group in aws.pages("logs", "describe_log_groups", "logGroups"):
            if prefix in group["logGroupName"]:
                yield "aws_cloudwatch_log_group", group["logGroupName"], f"name contains {prefix}"
        for topic in aws.pages("sns", "list_topics", "Topics"):
            if topic["TopicArn"].rsplit(":", 1)[-1].startswith(prefix + "-"):
                yield "aws_sns_topic", topic["TopicArn"], named
        for alarm in aws.pages("cloudwatch", "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix + "-"):
            yield "aws_cloudwatch_metric_alarm", alarm["AlarmName"], named
        for cluster in aws.pages("rds", "describe_db_clusters", "DBClusters"):
            if cluster["DBClusterIdentifier"].startswith(prefix + "-"):
                yield "aws_rds_cluster", cluster["DBClusterIdentifier"], named
        for bucket in aws.call("s3", "list_buckets").get("Buckets") or []:
            if bucket["Name"].startswith(prefix + "-"):
                yield "aws_s3_bucket", bucket["Name"], named
    if platform.tags:
        filters = [{"Key": k, "Values": [v]} for k, v in platform.tags]
        why = "tagged " + ", ".join(f"{k}={v}" for k, v in platform.tags)
        for mapping in aws.pages("resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList", TagFilters=filters):
            service, kind, short = arn_parts(mapping["ResourceARN"])
            yield ARN_TYPES.get((service, kind), f"aws_{service}_{kind}".rstrip("_")), mapping["ResourceARN"], why
    for root in sorted(platform.parameter_roots):
        found = aws.pages("ssm", "describe_parameters", "Parameters",
                          ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [root + "/"]}])
        for parameter in found:
            yield "aws_ssm_parameter", parameter["Name"], f"parameter under {root}/"


def find_unmanaged(aws: Aws, states: Iterable[State], default_tags: dict[str, str]) -> list[Finding]:
    states = list(states)
    managed = managed_identifiers(states)
    platform = platform_of(states, name_prefix_from_tags(default_tags), default_tags)
    findings: list[Finding] = []
    seen: set[str] = set()
    for rtype, identifier, why in _candidates(aws, platform):
        service, kind, short = arn_parts(identifier) if identifier.startswith("arn:") else ("", "", identifier)
        if (service, kind) in REVISIONED and short.rsplit(":", 1)[0] in managed:
            continue
        if identifier in managed or short in managed or short in seen:
            continue
        seen.add(short)
        findings.append(Finding("unmanaged", f"{rtype}:{identifier}", rtype, message=f"{why}; in no layer's state"))
    return findings


def name_prefix_from_tags(tags: dict[str, str]) -> str:
    project, environment = tags.get("Project"), tags.get("Environment")
    return f"{project}-{environment}" if project and environment else ""


__all__ = ["find_unmanaged", "name_prefix_from_tags", "platform_of", "tags_of"]
