"""Unmanaged resources: objects of the checked types that belong to the platform — in one of its
VPCs, named with its prefix (`<Project>-<Environment>-`, from the stacks' provider default tags), or
under one of its SSM parameter roots — and are in no layer's state.

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


@dataclass(frozen=True)
class Platform:
    vpc_ids: frozenset[str]
    name_prefix: str
    parameter_roots: frozenset[str]


def managed_identifiers(states: Iterable[State]) -> set[str]:
    found: set[str] = set()
    for state in states:
        for instance in state.instances:
            for key in IDENTIFYING:
                value = instance.attributes.get(key)
                if isinstance(value, str) and value:
                    found.add(value)
    return found


def platform_of(states: Iterable[State], name_prefix: str) -> Platform:
    vpcs: set[str] = set()
    roots: set[str] = set()
    for state in states:
        for instance in state.instances:
            if instance.type == "aws_vpc" and instance.attributes.get("id"):
                vpcs.add(instance.attributes["id"])
            if instance.type == "aws_ssm_parameter" and str(instance.attributes.get("name", "")).startswith("/"):
                roots.add("/" + instance.attributes["name"].split("/")[1])
    return Platform(frozenset(vpcs), name_prefix, frozenset(roots))


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
    for root in sorted(platform.parameter_roots):
        found = aws.pages("ssm", "describe_parameters", "Parameters",
                          ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [root + "/"]}])
        for parameter in found:
            yield "aws_ssm_parameter", parameter["Name"], f"parameter under {root}/"


def find_unmanaged(aws: Aws, states: Iterable[State], name_prefix: str) -> list[Finding]:
    states = list(states)
    managed = managed_identifiers(states)
    platform = platform_of(states, name_prefix)
    findings = []
    for rtype, identifier, why in _candidates(aws, platform):
        if identifier not in managed:
            findings.append(Finding("unmanaged", f"{rtype}:{identifier}", rtype,
                                    message=f"{why}; in no layer's state"))
    return findings


def name_prefix_from_tags(tags: dict[str, str]) -> str:
    project, environment = tags.get("Project"), tags.get("Environment")
    return f"{project}-{environment}" if project and environment else ""


__all__ = ["find_unmanaged", "name_prefix_from_tags", "platform_of", "tags_of"]
