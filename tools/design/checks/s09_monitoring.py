"""Checks of §9 of the design: logs, Container Insights, alarms and where they notify, the metrics
watched, Aurora monitoring (A96–A110), and the CloudTrail audit of §6.4 / §9.2 (A69, A107).
X-Ray (§9.4, A111–A113) is in s09_tracing.py."""
from __future__ import annotations

import json

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import FOUR_SERVICES, alarms_on, containers, dimension, resolve, summarized, watched
from tools.design.checks.primitives import changed, every, expect, expect_that, fixture, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

APP, MON, NOTE, DB = "07-application", "10-monitoring", "12-notification", "03-database"
SERVICES = ("customers", "vets", "visits", "admin")
TOPIC = "arn:aws:sns:us-west-2:111122223333:petclinic-dev-alerts"


def _alarm(namespace: str, metric: str, threshold: float, **dimensions: str) -> dict:
    return {"namespace": namespace, "metric_name": metric, "threshold": threshold, "statistic": "Average",
            "dimensions": dimensions, "alarm_actions": [TOPIC]}


TRAIL = fixture((MON, "aws_cloudtrail.audit", {"name": "audit", "is_multi_region_trail": True, "enable_logging": True,
                                               "event_selector": [{"read_write_type": "All", "include_management_events": True}]}))


def audit_trail(stacks: Stacks) -> Verdict:
    """A logging, multi-region trail with management events: GetSecretValue, GetParameter*, and Cloud
    Map's register/deregister calls are all management events."""
    def judge(trail: Block) -> Verdict:
        parts = [expect(trail, "is_multi_region_trail", True, absent_means=False),
                 expect(trail, "enable_logging", True, absent_means=True)]
        for i, selector in enumerate(trail.body.get("event_selector", []) or []):
            if selector.get("include_management_events", True) and selector.get("read_write_type", "All") == "All":
                parts.append(passed(f"{trail.where} event_selector[{i}] takes all management events"))
                break
        else:
            if trail.body.get("event_selector") or trail.body.get("advanced_event_selector"):
                parts.append(failed(f"{trail.where} has no event selector taking all (read and write) management events"))
            else:
                parts.append(passed(f"{trail.where} has no selector: all management events by default"))
        return combine(parts)
    return every(stacks.resources("aws_cloudtrail"), "aws_cloudtrail", judge)


_NO_TRAIL = fixture((MON, "aws_cloudwatch_dashboard.d", {"dashboard_name": "d"}))
check("A69", passing=[TRAIL], failing=[changed(TRAIL, MON, "aws_cloudtrail.audit", is_multi_region_trail=False), _NO_TRAIL])(audit_trail)
check("A107", passing=[TRAIL, changed(TRAIL, MON, "aws_cloudtrail.audit", event_selector=None)],
      failing=[changed(TRAIL, MON, "aws_cloudtrail.audit", event_selector=[{"read_write_type": "WriteOnly"}]), _NO_TRAIL])(audit_trail)


def _task(name: str, driver: str = "awslogs") -> dict:
    return {"family": name, "container_definitions": json.dumps([{"name": name, "image": f"{name}:1", "logConfiguration": {
        "logDriver": driver, "options": {"awslogs-group": f"${{aws_cloudwatch_log_group.{name}.name}}"}}}])}


ECS = fixture(
    (APP, "aws_ecs_cluster.cluster", {"name": "petclinic-dev-cluster", "setting": [{"name": "containerInsights", "value": "enabled"}]}),
    *[(APP, f"aws_ecs_service.{s}", {"name": f"petclinic-dev-{s}", "cluster": "${aws_ecs_cluster.cluster.id}"}) for s in SERVICES],
    *[(APP, f"aws_ecs_task_definition.{s}", _task(s)) for s in SERVICES],
    *[(APP, f"aws_cloudwatch_metric_alarm.{s}_cpu", _alarm("AWS/ECS", "CPUUtilization", 80, ClusterName="petclinic-dev-cluster",
                                                            ServiceName=f"${{aws_ecs_service.{s}.name}}")) for s in SERVICES],
    *[(APP, f"aws_cloudwatch_metric_alarm.{s}_memory", _alarm("AWS/ECS", "MemoryUtilization", 80, ClusterName="petclinic-dev-cluster",
                                                               ServiceName=f"petclinic-dev-{s}")) for s in SERVICES],
    (APP, "aws_cloudwatch_metric_alarm.alb_5xx", _alarm("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", 10, LoadBalancer="app/x/1")),
    (DB, "aws_rds_cluster.aurora", {"cluster_identifier": "petclinic-dev-aurora-cluster"}),
    (MON, "aws_cloudwatch_metric_alarm.db_connections", _alarm("AWS/RDS", "DatabaseConnections", 80,
                                                               DBClusterIdentifier="petclinic-dev-aurora-cluster")),
    (NOTE, "aws_sns_topic.alerts", {"name": "petclinic-dev-alerts"}),
    (MON, "aws_cloudwatch_dashboard.main", {"dashboard_name": "main", "dashboard_body": json.dumps({"widgets": [{"properties": {"metrics": [
        ["AWS/ECS", "CPUUtilization"], ["AWS/ECS", "MemoryUtilization"], ["ECS/ContainerInsights", "NetworkRxBytes"],
        ["AWS/ApplicationELB", "RequestCount"], ["AWS/RDS", "DatabaseConnections"], ["AWS/RDS", "CPUUtilization"],
        ["AWS/RDS", "ReadLatency"], ["AWS/RDS", "WriteLatency"]]}}]})}),
)
NO_ECS = fixture((MON, "aws_cloudtrail.audit", {"name": "audit"}))


@check("A96", passing=[ECS], failing=[changed(ECS, APP, "aws_ecs_task_definition.vets", **_task("vets", "json-file")), NO_ECS])
def central_logs(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        defined = containers(task)
        if not defined:
            return failed(f"{task.where} container_definitions cannot be read")
        bad = [c.get("name") for c in defined if (c.get("logConfiguration") or {}).get("logDriver") != "awslogs"
               or not (c["logConfiguration"].get("options") or {}).get("awslogs-group")]
        if bad:
            return failed(f"{task.where} container {bad[0]} does not log to a CloudWatch log group (awslogs)")
        return passed(f"{task.where} awslogs -> {defined[0]['logConfiguration']['options']['awslogs-group']}")
    tasks = stacks.resources("aws_ecs_task_definition")
    return summarized(every(tasks, "aws_ecs_task_definition", judge, at_least=FOUR_SERVICES), len(tasks),
                      "task definitions log with awslogs")


@check("A97", passing=[ECS], failing=[changed(ECS, APP, "aws_ecs_cluster.cluster", setting=None), NO_ECS])
def container_insights(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        values = [s.get("value") for s in cluster.body.get("setting", []) or [] if s.get("name") == "containerInsights"]
        good = bool(values) and values[0] in ("enabled", "enhanced")
        return (passed if good else failed)(f"{cluster.where} containerInsights = {values[0] if values else '(not set)'}"
                                            + ("" if good else ", expected enabled"))
    return every(stacks.resources("aws_ecs_cluster"), "aws_ecs_cluster", judge)


def _per_service(stacks: Stacks, metric: str, threshold: float) -> Verdict:
    """Every ECS service has an alarm on `metric` at `threshold` %, found by its ServiceName."""
    services = stacks.resources("aws_ecs_service")
    alarms = alarms_on(stacks, "AWS/ECS", metric)

    def judge(service: Block) -> Verdict:
        name = service.body.get("name")
        mine = [a for a in alarms if dimension(stacks, a, "ServiceName") == name]
        if not mine:
            return failed(f"no AWS/ECS {metric} alarm with ServiceName {name} ({service.where})")
        at = [a for a in mine if a.body.get("threshold") == threshold]
        if not at:
            return failed(f"{mine[0].where} watches {name} {metric} at {mine[0].body.get('threshold')}, expected {threshold}")
        return passed(f"{at[0].where} {metric} > {threshold} for {name}")
    return every(services, "aws_ecs_service", judge, at_least=FOUR_SERVICES)


@check("A98", passing=[ECS], failing=[changed(ECS, APP, "aws_cloudwatch_metric_alarm.vets_cpu", threshold=90),
                                       without(ECS, APP, "aws_cloudwatch_metric_alarm.admin_cpu"), NO_ECS])
def cpu_alarm(stacks: Stacks) -> Verdict:
    return _per_service(stacks, "CPUUtilization", 80)


@check("A99", passing=[ECS], failing=[changed(ECS, APP, "aws_cloudwatch_metric_alarm.vets_memory", threshold=85), NO_ECS])
def memory_alarm(stacks: Stacks) -> Verdict:
    return _per_service(stacks, "MemoryUtilization", 80)


@check("A100", passing=[ECS], failing=[without(ECS, APP, "aws_cloudwatch_metric_alarm.alb_5xx"), NO_ECS])
def alb_5xx_alarm(stacks: Stacks) -> Verdict:
    alarms = alarms_on(stacks, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count") + \
        alarms_on(stacks, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")
    if not alarms:
        return failed("no alarm on AWS/ApplicationELB HTTPCode_Target_5XX_Count or HTTPCode_ELB_5XX_Count")
    return passed(f"{len(alarms)} ALB 5xx alarms: " + ", ".join(a.where for a in alarms[:3]))


@check("A101", passing=[ECS], failing=[changed(ECS, MON, "aws_cloudwatch_metric_alarm.db_connections",
                                               dimensions={"DBClusterIdentifier": "another-cluster"}), NO_ECS])
def aurora_connections_alarm(stacks: Stacks) -> Verdict:
    clusters = {resolve(stacks, c.layer, c.body.get("cluster_identifier")) for c in stacks.resources("aws_rds_cluster")}
    alarms = alarms_on(stacks, "AWS/RDS", "DatabaseConnections")
    mine = [a for a in alarms if dimension(stacks, a, "DBClusterIdentifier") in clusters]
    if mine:
        return passed(f"{mine[0].where} DatabaseConnections > {mine[0].body.get('threshold')} on {sorted(clusters)}")
    seen = ", ".join(f"{a.where} on {dimension(stacks, a, 'DBClusterIdentifier')}" for a in alarms) or "none"
    return failed(f"no DatabaseConnections alarm on the cluster(s) {sorted(map(str, clusters))} (alarms: {seen})")


def _topic_names(stacks: Stacks) -> set[str]:
    return {str(t.body.get("name")) for t in stacks.resources("aws_sns_topic")}


def _notifies(stacks: Stacks, alarm: Block, topics: set[str]) -> Verdict:
    actions = alarm.body.get("alarm_actions")
    if not actions or not isinstance(actions, list):
        return failed(f"{alarm.where} alarm_actions = {json.dumps(actions)}: nobody is told")
    for action in actions:
        value = resolve(stacks, alarm.layer, action)
        text = str(value)
        if text.startswith("${aws_sns_topic.") and text.endswith(".arn}"):
            continue
        if text.startswith("arn:aws:sns:") and text.rsplit(":", 1)[-1] in topics:
            continue
        return failed(f"{alarm.where} alarm_actions has {action!r}, not an SNS topic of the stacks ({sorted(topics)})")
    return passed(f"{alarm.where} -> {actions[0]}")


@check("A102", passing=[ECS], failing=[changed(ECS, MON, "aws_cloudwatch_metric_alarm.db_connections", alarm_actions=[""]),
                                        changed(ECS, APP, "aws_cloudwatch_metric_alarm.alb_5xx", alarm_actions=None), NO_ECS])
def alarms_notify(stacks: Stacks) -> Verdict:
    topics, alarms = _topic_names(stacks), stacks.resources("aws_cloudwatch_metric_alarm")
    verdict = every(alarms, "aws_cloudwatch_metric_alarm", lambda alarm: _notifies(stacks, alarm, topics))
    return summarized(verdict, len(alarms), f"alarms notify an SNS topic of the stacks {sorted(topics)}")


def _watched_all(stacks: Stacks, wanted: list[tuple[str, str, str]]) -> Verdict:
    parts = []
    for what, namespace, metric in wanted:
        where = watched(stacks, namespace, metric)
        parts.append(passed(f"{what} ({namespace} {metric}): {where}") if where
                     else failed(f"{what}: no alarm or dashboard shows {namespace} {metric}"))
    return combine(parts)


@check("A103", passing=[ECS], failing=[changed(ECS, MON, "aws_cloudwatch_dashboard.main", dashboard_body="{}"), NO_ECS])
def platform_metrics(stacks: Stacks) -> Verdict:
    verdict = _watched_all(stacks, [("CPU", "AWS/ECS", "CPUUtilization"), ("memory", "AWS/ECS", "MemoryUtilization"),
                                    ("ALB request count", "AWS/ApplicationELB", "RequestCount"),
                                    ("Aurora performance", "AWS/RDS", "CPUUtilization")])
    network = watched(stacks, "ECS/ContainerInsights", "NetworkRxBytes") or watched(stacks, "ECS/ContainerInsights", "NetworkTxBytes")
    insights = container_insights(stacks)
    if network:
        return combine([verdict, passed(f"network: {network}")])
    if insights.status == "pass":
        return combine([verdict, passed(f"network: collected by Container Insights ({insights.evidence})")])
    return combine([verdict, failed("network: no ECS/ContainerInsights network metric shown and Container Insights is off")])


@check("A110", passing=[ECS], failing=[changed(ECS, MON, "aws_cloudwatch_dashboard.main", dashboard_body="{}"), NO_ECS])
def aurora_metrics(stacks: Stacks) -> Verdict:
    return _watched_all(stacks, [(what, "AWS/RDS", metric) for what, metric in (
        ("connections", "DatabaseConnections"), ("CPU", "CPUUtilization"),
        ("read latency", "ReadLatency"), ("write latency", "WriteLatency"))])


INSTANCES = fixture(*[(DB, f"aws_rds_cluster_instance.{n}", {"performance_insights_enabled": True, "monitoring_interval": 60,
                                                              "monitoring_role_arn": "${aws_iam_role.monitoring.arn}"})
                      for n in ("writer", "reader")])


@check("A108", passing=[INSTANCES], failing=[changed(INSTANCES, DB, "aws_rds_cluster_instance.reader",
                                                     performance_insights_enabled=None), NO_ECS])
def performance_insights(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_rds_cluster_instance"), "aws_rds_cluster_instance",
                 lambda i: expect(i, "performance_insights_enabled", True, absent_means=False))


@check("A109", passing=[INSTANCES], failing=[changed(INSTANCES, DB, "aws_rds_cluster_instance.writer", monitoring_interval=0),
                                             changed(INSTANCES, DB, "aws_rds_cluster_instance.reader", monitoring_role_arn=None),
                                             NO_ECS])
def enhanced_monitoring(stacks: Stacks) -> Verdict:
    def judge(instance: Block) -> Verdict:
        role = instance.body.get("monitoring_role_arn")
        return combine([
            expect_that(instance, "monitoring_interval", lambda v: v in (1, 5, 10, 15, 30, 60), "1, 5, 10, 15, 30 or 60 (seconds)"),
            passed(f"{instance.where} monitoring_role_arn = {role}") if role
            else failed(f"{instance.where} has no monitoring_role_arn (Enhanced Monitoring needs the role)")])
    return every(stacks.resources("aws_rds_cluster_instance"), "aws_rds_cluster_instance", judge)
