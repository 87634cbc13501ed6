"""Layer 10-monitoring: the platform's CloudWatch dashboard, its alarms and log metric filters, two
central log groups, and the CloudTrail audit trail (bucket, KMS key, log group, role) with its
security metric filters and alarms. Uses 03-database (the Aurora cluster id) and 07-application
(cluster, services, ALB and target groups).

As deployed, and data in `envs/`: the alarm catalogue, the watched API and Lambda names (literals in
the original: `petclinic-api`, which no layer creates, and the Oregon dev function even in Seoul), and
the doubled environment in the dashboard, trail and bucket names (`petclinic-dev-dev-Dashboard`).
Deliberate change: the alarms notify the alerts topic of 12-notification (the original gave them the
empty string as their only action, so no alarm of this layer ever reached anyone).

The original also read 01-network, 02-security and 09-aws-native without using any of their outputs;
those reads are kept, by their original names and keys, for the deploy order they imply (a missing
state fails the plan early); `tests/layers/test_monitoring.py` pins all five.
Addresses: the original modules `cloudwatch` and `cloudtrail`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack, StateRemoval
from layers.contracts import api_gateway, application, aws_native, database, lambda_genai, network, security
from layers.contracts.monitoring import OUTPUTS
from layers.contracts.notification import alerts_topic_arn
from modules.alarms import (
    AlarmDefinition,
    LogMetricDefinition,
    LogMetrics,
    LogMetricsProps,
    MetricAlarms,
    MetricAlarmsProps,
)
from modules.audit_trail import AuditTrail, AuditTrailProps
from modules.dashboard import Dashboard, DashboardProps, PlatformTargets, platform_widgets
from modules.genai_monitoring import GenaiMonitoring, GenaiMonitoringProps
from modules.latency_objective import LatencyObjective, LatencyObjectiveProps
from modules.log_groups import LogGroupDefinition, LogGroups, LogGroupsProps
from modules.origin import Origin
from settings.monitoring import LogMetricSpec, MetricAlarmSpec

CLOUDWATCH = Origin("module.cloudwatch")
LAMBDA_LOG_GROUP = "module.cloudwatch.aws_cloudwatch_log_group.lambda_genai"
DASHBOARD_ORIGIN = Origin("module.cloudwatch", names={"dashboard": "petclinic_dashboard"})
CLOUDTRAIL = Origin("module.cloudtrail")
TRAIL_ORIGIN = Origin("module.cloudtrail", names={
    "bucket": "cloudtrail", "bucket_versioning": "cloudtrail", "bucket_public_access_block": "cloudtrail",
    "bucket_encryption": "cloudtrail", "bucket_policy": "cloudtrail", "key": "cloudtrail", "key_alias": "cloudtrail",
    "logs": "cloudtrail", "logs_role": "cloudtrail_logs", "logs_role_policy": "cloudtrail_logs", "trail": "main",
})


class MonitoringStack(LayerStack):
    layer = "10-monitoring"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env, settings, naming = self.env, self.env.monitoring, self.naming
        # The original layer's five reads, by its names: 01, 02 and 09 hand over no value it uses, but
        # they keep the deploy order the original had (and `terraform_remote_state` fails early when
        # one of those layers is missing).
        self.read(network.OUTPUTS)
        self.read(security.OUTPUTS)
        db = self.read(database.OUTPUTS)
        app = self.read(application.OUTPUTS)
        self.read(aws_native.OUTPUTS)
        identity = DataAwsCallerIdentity(self, "current")
        topic = alerts_topic_arn(naming, env.notification.topic, env.region, identity.account_id)
        cluster = app.string("ecs_cluster_name")
        alb = app.string("alb_arn_suffix")
        keys = sorted(env.cloud_map.services)   # the application's services, one dashboard row each
        services = {k: Token.as_string(Fn.lookup_nested(app.map("ecs_services"), [k, "service_name"])) for k in keys}
        groups = {k: Token.as_string(Fn.lookup_nested(app.map("target_group_arns"), [k, "arn_suffix"])) for k in keys}
        if settings.watched_service not in services:
            raise ValueError(f"monitoring.watched_service: {settings.watched_service!r} is not one of {keys}")
        watched = services[settings.watched_service]
        # As deployed the watched names are literals (no API `petclinic-api` exists; Seoul watches the
        # Oregon function); with `watch_produced_names` they are the names 08 and 06 give them.
        api_name, lambda_name = settings.watched_api_name, settings.watched_lambda_name
        if settings.watch_produced_names:
            api_name, lambda_name = api_gateway.api_name(naming), lambda_genai.function_name(naming)
        dimensions = {
            "api_gateway": {"ApiName": api_name},
            "ecs_service": {"ServiceName": watched, "ClusterName": cluster},
            "lambda": {"FunctionName": lambda_name},
            "aurora": {"DBClusterIdentifier": db.string("cluster_identifier")},
            "none": {},
        }

        self.dashboard = Dashboard(self, "dashboard", DashboardProps(
            origin=DASHBOARD_ORIGIN, name=naming.name(env.environment, "Dashboard"), region=env.region,
            widgets=platform_widgets(PlatformTargets(
                api_name=api_name, cluster_name=cluster, services=services,
                lambda_name=lambda_name, aurora_cluster=db.string("cluster_identifier"),
                alb_arn_suffix=alb, target_groups=groups)),
        ))
        groups = [LogGroupDefinition("api_gateway", f"/aws/apigateway/{settings.watched_api_name}",
                                     settings.log_retention_days, naming.tags_for(Component="api-gateway-logs"))]
        if settings.lambda_log_group:
            groups.append(LogGroupDefinition("lambda_genai", f"/aws/lambda/{settings.watched_lambda_name}",
                                             settings.log_retention_days, naming.tags_for(Component="lambda-logs")))
        LogGroups(self, "logs", LogGroupsProps(origin=CLOUDWATCH, groups=groups))
        log_sources = {"ecs_service": f"/ecs/{watched}"}
        LogMetrics(self, "log_metrics", LogMetricsProps(
            origin=CLOUDWATCH, metrics=[log_metric(m, log_sources) for m in settings.log_metrics]))
        MetricAlarms(self, "alarms", MetricAlarmsProps(
            origin=CLOUDWATCH, alarm_actions=[topic],
            alarms=[alarm(a, dimensions) for a in settings.alarms],
            tags={a.id: naming.tags_for() for a in settings.alarms}))
        if settings.genai_metrics:
            GenaiMonitoring(self, "genai", GenaiMonitoringProps(
                naming=naming, region=env.region, function_name=lambda_name,
                model_id=env.lambda_genai.bedrock_model_id, log_retention_days=settings.log_retention_days,
                alarm_actions=[topic], lambda_throttles_threshold=settings.genai_lambda_throttles_threshold,
                bedrock_throttles_threshold=settings.genai_bedrock_throttles_threshold))
        if settings.p95_alarms:
            # §14.3's objective on the names 08 and 07 make (the API's name and stage from 08's contract).
            LatencyObjective(self, "latency", LatencyObjectiveProps(
                naming=naming, alb_arn_suffix=alb, api_name=api_gateway.api_name(naming),
                stage_name=api_gateway.stage_name(env), alb_p95_seconds=settings.alb_p95_seconds,
                api_p95_ms=settings.api_p95_ms, alarm_actions=[topic]))

        self.trail = AuditTrail(self, "audit_trail", AuditTrailProps(
            naming=naming, origin=TRAIL_ORIGIN,
            trail=(env.environment, "audit-trail"), bucket=(env.environment, "cloudtrail-logs"),
            region=env.region, account_id=identity.account_id,
            s3_key_prefix=settings.trail_s3_key_prefix, kms_alias=settings.trail_kms_alias,
            key_deletion_window_days=settings.trail_key_deletion_window_days,
            log_retention_days=settings.trail_log_retention_days,
        ))
        log_sources["cloudtrail"] = self.trail.log_group_name
        LogMetrics(self, "security_log_metrics", LogMetricsProps(
            origin=CLOUDTRAIL, metrics=[log_metric(m, log_sources) for m in settings.security_log_metrics]))
        MetricAlarms(self, "security_alarms", MetricAlarmsProps(
            origin=CLOUDTRAIL, alarm_actions=[topic],
            alarms=[alarm(a, dimensions) for a in settings.security_alarms],
            tags={a.id: naming.tags_for() for a in settings.security_alarms}))

    def state_removals(self) -> Sequence[StateRemoval]:
        """Without `lambda_log_group`, a deployed state's copy of the group is forgotten, not destroyed:
        it is the group 06-lambda-genai makes for its function (the same name), which keeps it. The
        block is written in every environment (a state without the address ignores it), so the output
        depends on the switch alone, not on which states exist."""
        if self.env.monitoring.lambda_log_group:
            return ()
        return (StateRemoval(LAMBDA_LOG_GROUP, "the GenAI function's log group, which 06-lambda-genai makes "
                                               "(`genai_logs`, the same name): left to 06, not destroyed"),)

    def output_values(self) -> Mapping[str, Any]:
        region, name = self.env.region, self.dashboard.name
        return {
            "dashboard_url": (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
                              f"#dashboards:name={name}"),
            "dashboard_name": name,
            "cloudtrail_arn": self.trail.trail_arn,
            "cloudtrail_s3_bucket": self.trail.bucket_id,
            "cloudtrail_log_group": self.trail.log_group_name,
            "monitoring_config": {"alert_email_configured": self.env.monitoring.alert_email_configured},
        }


def alarm(spec: MetricAlarmSpec, dimensions: Mapping[str, Mapping[str, str]]) -> AlarmDefinition:
    return AlarmDefinition(id=spec.id, name=spec.name, namespace=spec.namespace, metric=spec.metric,
                           statistic=spec.statistic, comparison=spec.comparison, threshold=spec.threshold,
                           evaluation_periods=spec.evaluation_periods, period=spec.period,
                           description=spec.description, dimensions=dimensions[spec.watches])


def log_metric(spec: LogMetricSpec, log_groups: Mapping[str, str]) -> LogMetricDefinition:
    return LogMetricDefinition(id=spec.id, name=spec.name, pattern=spec.pattern, metric=spec.metric,
                               namespace=spec.namespace, value=spec.value, log_group_name=log_groups[spec.log_group])
