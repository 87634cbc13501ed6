"""Live readers for monitoring, storage, delivery and notification: CloudWatch alarms, dashboards,
log groups and metric filters, CloudTrail, KMS, S3 buckets and their settings, CloudFront, SNS,
Route 53 health checks."""
from __future__ import annotations


from collections.abc import Mapping
from typing import Any

from tools.drift.live.base import Aws, Missing, first, reader, tags_of


@reader("aws_cloudwatch_metric_alarm")
def metric_alarm(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    alarm = first(aws.call("cloudwatch", "describe_alarms", AlarmNames=[a.get("alarm_name") or a["id"]])
                  .get("MetricAlarms"), a["id"])
    return {"alarm_name": alarm["AlarmName"], "comparison_operator": alarm.get("ComparisonOperator"),
            "evaluation_periods": alarm.get("EvaluationPeriods"), "threshold": alarm.get("Threshold"),
            "metric_name": alarm.get("MetricName"), "namespace": alarm.get("Namespace"),
            "period": alarm.get("Period"), "statistic": alarm.get("Statistic"),
            "actions_enabled": alarm.get("ActionsEnabled"), "alarm_actions": alarm.get("AlarmActions") or [],
            "treat_missing_data": alarm.get("TreatMissingData")}


@reader("aws_cloudwatch_dashboard")
def dashboard(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    d = aws.call("cloudwatch", "get_dashboard", DashboardName=a.get("dashboard_name") or a["id"])
    return {"dashboard_body": d.get("DashboardBody")}


@reader("aws_cloudwatch_log_group")
def log_group(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    name = a.get("name") or a["id"]
    groups = aws.call("logs", "describe_log_groups", logGroupNamePrefix=name).get("logGroups") or []
    g = first([g for g in groups if g["logGroupName"] == name], name)
    group_class = g.get("logGroupClass", "STANDARD")
    if group_class == "STANDARD" and not a.get("log_group_class"):
        group_class = a.get("log_group_class")   # the provider's empty value is the default class
    return {"name": g["logGroupName"], "retention_in_days": g.get("retentionInDays", 0),
            "kms_key_id": g.get("kmsKeyId", ""), "log_group_class": group_class}


@reader("aws_cloudwatch_log_metric_filter")
def metric_filter(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    filters = aws.call("logs", "describe_metric_filters", logGroupName=a["log_group_name"],
                       filterNamePrefix=a["name"]).get("metricFilters") or []
    f = first([f for f in filters if f["filterName"] == a["name"]], a["name"])
    return {"pattern": f.get("filterPattern", "")}


@reader("aws_cloudtrail")
def cloudtrail(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    t = aws.call("cloudtrail", "get_trail", Name=a.get("arn") or a.get("name") or a["id"])["Trail"]
    status = aws.call("cloudtrail", "get_trail_status", Name=t["TrailARN"])
    return {"name": t["Name"], "s3_bucket_name": t.get("S3BucketName"),
            "is_multi_region_trail": t.get("IsMultiRegionTrail"),
            "include_global_service_events": t.get("IncludeGlobalServiceEvents"),
            "enable_log_file_validation": t.get("LogFileValidationEnabled"),
            "kms_key_id": t.get("KmsKeyId", ""), "enable_logging": status.get("IsLogging")}


@reader("aws_kms_key")
def kms_key(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    k = aws.call("kms", "describe_key", KeyId=a.get("key_id") or a["id"])["KeyMetadata"]
    if k.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        raise Missing(f"{k['KeyId']} is scheduled for deletion")
    rotation = aws.call("kms", "get_key_rotation_status", KeyId=k["KeyId"]).get("KeyRotationEnabled")
    return {"description": k.get("Description", ""), "key_usage": k.get("KeyUsage"),
            "customer_master_key_spec": k.get("CustomerMasterKeySpec") or k.get("KeySpec"),
            "is_enabled": k.get("Enabled"), "enable_key_rotation": rotation}


@reader("aws_kms_alias")
def kms_alias(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    aliases = aws.pages("kms", "list_aliases", "Aliases")
    alias = first([x for x in aliases if x["AliasName"] == (a.get("name") or a["id"])], a["id"])
    return {"target_key_id": alias.get("TargetKeyId")}


def _bucket(a: Mapping[str, Any]) -> str:
    return a.get("bucket") or a["id"]


@reader("aws_s3_bucket")
def s3_bucket(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    aws.call("s3", "head_bucket", Bucket=_bucket(a))
    try:
        tags = tags_of(aws.call("s3", "get_bucket_tagging", Bucket=_bucket(a)).get("TagSet"))
    except Missing:      # NoSuchTagSet: a bucket without tags
        tags = {}
    return {"bucket": _bucket(a), "tags_all": tags}


@reader("aws_s3_bucket_policy")
def s3_bucket_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    return {"policy": aws.call("s3", "get_bucket_policy", Bucket=_bucket(a)).get("Policy")}


@reader("aws_s3_bucket_public_access_block")
def s3_public_access_block(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    c = aws.call("s3", "get_public_access_block", Bucket=_bucket(a))["PublicAccessBlockConfiguration"]
    return {"block_public_acls": c.get("BlockPublicAcls"), "block_public_policy": c.get("BlockPublicPolicy"),
            "ignore_public_acls": c.get("IgnorePublicAcls"), "restrict_public_buckets": c.get("RestrictPublicBuckets")}


@reader("aws_s3_bucket_server_side_encryption_configuration")
def s3_encryption(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    rules = aws.call("s3", "get_bucket_encryption", Bucket=_bucket(a))["ServerSideEncryptionConfiguration"]["Rules"]
    return {"rule": [{"apply_server_side_encryption_by_default": [{
        "sse_algorithm": (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm"),
        "kms_master_key_id": (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID", "")}],
        # false reads as unset: the provider keeps null for a bucket key the configuration does not set,
        # while the answer says false (a key switched off behind Terraform's back is left to `plan`)
        "bucket_key_enabled": r.get("BucketKeyEnabled") or None} for r in rules]}


@reader("aws_s3_bucket_versioning")
def s3_versioning(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    v = aws.call("s3", "get_bucket_versioning", Bucket=_bucket(a))
    return {"versioning_configuration": [{"status": v.get("Status", "Disabled")}]}


@reader("aws_s3_bucket_cors_configuration")
def s3_cors(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    rules = aws.call("s3", "get_bucket_cors", Bucket=_bucket(a)).get("CORSRules") or []
    return {"cors_rule": [{"allowed_methods": r.get("AllowedMethods") or [], "allowed_origins": r.get("AllowedOrigins") or [],
                           "allowed_headers": r.get("AllowedHeaders") or [], "max_age_seconds": r.get("MaxAgeSeconds")}
                          for r in rules]}


@reader("aws_s3_bucket_logging")
def s3_logging(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    enabled = aws.call("s3", "get_bucket_logging", Bucket=_bucket(a)).get("LoggingEnabled")
    if not enabled:
        raise Missing(f"logging is off on {_bucket(a)}")
    return {"target_bucket": enabled.get("TargetBucket"), "target_prefix": enabled.get("TargetPrefix")}


@reader("aws_s3_bucket_website_configuration")
def s3_website(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    w = aws.call("s3", "get_bucket_website", Bucket=_bucket(a))
    live: dict[str, Any] = {}
    if w.get("IndexDocument"):
        live["index_document"] = [{"suffix": w["IndexDocument"].get("Suffix")}]
    if w.get("ErrorDocument"):
        live["error_document"] = [{"key": w["ErrorDocument"].get("Key")}]
    return live


@reader("aws_cloudfront_distribution")
def distribution(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    d = aws.call("cloudfront", "get_distribution", Id=a["id"])["Distribution"]["DistributionConfig"]
    return {"enabled": d.get("Enabled"), "comment": d.get("Comment", ""), "price_class": d.get("PriceClass"),
            "default_root_object": d.get("DefaultRootObject", ""), "http_version": d.get("HttpVersion"),
            "is_ipv6_enabled": d.get("IsIPV6Enabled"), "aliases": (d.get("Aliases") or {}).get("Items") or []}


@reader("aws_cloudfront_function")
def cloudfront_function(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    f = aws.call("cloudfront", "describe_function", Name=a.get("name") or a["id"])["FunctionSummary"]
    config = f.get("FunctionConfig") or {}
    return {"runtime": config.get("Runtime"), "comment": config.get("Comment", "")}


@reader("aws_cloudfront_origin_access_identity")
def origin_access_identity(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    o = aws.call("cloudfront", "get_cloud_front_origin_access_identity", Id=a["id"])["CloudFrontOriginAccessIdentity"]
    return {"comment": (o.get("CloudFrontOriginAccessIdentityConfig") or {}).get("Comment", "")}


@reader("aws_sns_topic")
def sns_topic(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    attributes = aws.call("sns", "get_topic_attributes", TopicArn=a.get("arn") or a["id"])["Attributes"]
    return {"display_name": attributes.get("DisplayName", ""), "kms_master_key_id": attributes.get("KmsMasterKeyId", ""),
            "policy": attributes.get("Policy")}


@reader("aws_sns_topic_policy")
def sns_topic_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    attributes = aws.call("sns", "get_topic_attributes", TopicArn=a.get("arn") or a["id"])["Attributes"]
    return {"policy": attributes.get("Policy")}


@reader("aws_sns_topic_subscription")
def sns_subscription(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    if not str(a.get("arn") or a["id"]).startswith("arn:"):
        raise Missing("the subscription is still pending confirmation")
    attributes = aws.call("sns", "get_subscription_attributes", SubscriptionArn=a.get("arn") or a["id"])["Attributes"]
    return {"protocol": attributes.get("Protocol"), "endpoint": attributes.get("Endpoint"),
            "topic_arn": attributes.get("TopicArn"),
            "raw_message_delivery": attributes.get("RawMessageDelivery", "false") == "true"}


@reader("aws_route53_health_check")
def health_check(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    c = aws.call("route53", "get_health_check", HealthCheckId=a["id"])["HealthCheck"]["HealthCheckConfig"]
    return {"type": c.get("Type"), "fqdn": c.get("FullyQualifiedDomainName", ""), "port": c.get("Port"),
            "resource_path": c.get("ResourcePath", ""), "failure_threshold": c.get("FailureThreshold"),
            "request_interval": c.get("RequestInterval")}


