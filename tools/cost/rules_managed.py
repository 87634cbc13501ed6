"""Pricing rules of the managed services: monitoring (alarms, dashboards, logs, metric filters),
secrets and keys, WAF, API Gateway, Cloud Map, S3 and CloudFront, SNS, ECR, CloudTrail, SSM."""
from __future__ import annotations

from tools.cost.charges import Charge, Context, Unpriced
from tools.cost.stacks import Instance


def _count(ctx: Context, resource_type: str) -> int:
    return len(ctx.stacks.of_type(resource_type))


def alarm(i: Instance, ctx: Context) -> list[Charge]:
    metrics = len(i.body.get("metric_query") or []) or 1
    return [Charge(f"alarm metrics ({metrics})", metrics, "cw_alarm_month", "fixed", "CloudWatch")]


def dashboard(i: Instance, ctx: Context) -> list[Charge]:
    return [Charge("dashboard-month", 1, "cw_dashboard_month", "fixed", "CloudWatch")]


def log_group(i: Instance, ctx: Context) -> list[Charge]:
    gb, why = ctx.figure("log_gb_per_group")
    return [Charge("GB ingested", gb, "cw_logs_ingest_gb", "usage", "CloudWatch", why)]


def metric_filter(i: Instance, ctx: Context) -> list[Charge]:
    metrics = len(i.body.get("metric_transformation") or []) or 1
    return [Charge("custom metric-months", metrics, "cw_custom_metric_month", "fixed", "CloudWatch",
                   "a metric filter publishes one custom metric per transformation")]


def secret(i: Instance, ctx: Context) -> list[Charge]:
    return [Charge("secret-month", 1, "secret_month", "fixed", "Secrets Manager")]


def kms_key(i: Instance, ctx: Context) -> list[Charge]:
    return [Charge("key-month", 1, "kms_key_month", "fixed", "KMS")]


def web_acl(i: Instance, ctx: Context) -> list[Charge]:
    rules = len(i.body.get("rule") or [])
    requests, why = ctx.figure("requests_per_month")
    return [Charge("web ACL-month", 1, "waf_acl_month", "fixed", "WAF"),
            Charge(f"rule-months ({rules})", rules, "waf_rule_month", "fixed", "WAF"),
            Charge("million requests inspected", requests / 1e6, "waf_million_requests", "usage", "WAF", why)]


def rest_api(i: Instance, ctx: Context) -> list[Charge]:
    requests, why = ctx.figure("requests_per_month")
    return [Charge("million REST API calls", requests / 1e6, "apigw_rest_million", "usage", "API Gateway", why)]


def http_api(i: Instance, ctx: Context) -> list[Charge]:
    if i.body.get("protocol_type", "HTTP") != "HTTP":
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: protocol {i.body.get('protocol_type')} has no price")
    requests, why = ctx.figure("requests_per_month")
    return [Charge("million HTTP API calls", requests / 1e6, "apigw_http_million", "usage", "API Gateway", why)]


def dns_namespace(i: Instance, ctx: Context) -> list[Charge]:
    return [Charge("hosted zone-month", 1, "route53_hosted_zone_month", "fixed", "Cloud Map",
                   "a private DNS namespace is a Route 53 private hosted zone")]


def discovery_service(i: Instance, ctx: Context) -> list[Charge]:
    registering = [s for s in ctx.stacks.of_type("aws_ecs_service") if _registers(s, i)]
    tasks = sum(s.body.get("desired_count", 1) if isinstance(s.body.get("desired_count", 1), int) else 1
                for s in registering)
    why = (f"one registered instance per desired task of {', '.join(s.address for s in registering)}"
           if registering else "no ECS service registers into it in these stacks: one instance assumed")
    return [Charge("registered instance-months", tasks or 1, "cloudmap_instance_month", "fixed", "Cloud Map", why)]


def _registers(service: Instance, discovery: Instance) -> bool:
    """Whether an ECS service registers into this discovery service: by a reference in its own layer,
    or (across layers) through the 05-cloud-map output keyed by the discovery service's name."""
    registries = service.body.get("service_registries") or []
    for registry in registries if isinstance(registries, list) else [registries]:
        arn = registry.get("registry_arn")
        if isinstance(arn, str) and (f"{discovery.address}." in arn or f'["{discovery.body.get("name")}"]' in arn):
            return True
    return False


def ssm_parameter(i: Instance, ctx: Context) -> list[Charge]:
    tier = i.body.get("tier") or "Standard"
    if tier != "Standard":
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: tier {tier} has no price (Standard is free)")
    return [Charge("standard parameter", 0, None, "free", "Parameter Store",
                   "Standard-tier parameters and their standard throughput are free")]


def bucket(i: Instance, ctx: Context) -> list[Charge]:
    gb, why = ctx.figure("s3_gb_per_bucket")
    return [Charge("GB-month stored", gb, "s3_storage_gb_month", "usage", "S3 + CloudFront", why)]


def distribution(i: Instance, ctx: Context) -> list[Charge]:
    gb, gb_why = ctx.figure("cloudfront_gb")
    requests, why = ctx.figure("cloudfront_requests")
    return [Charge("GB to the internet", gb, "cloudfront_gb_out", "usage", "S3 + CloudFront", gb_why),
            Charge("10,000 HTTPS requests", requests / 1e4, "cloudfront_10k_https", "usage", "S3 + CloudFront", why)]


def cloudfront_function(i: Instance, ctx: Context) -> list[Charge]:
    requests, why = ctx.figure("cloudfront_requests")
    return [Charge("million invocations", requests / 1e6, "cloudfront_function_million", "usage", "S3 + CloudFront",
                   f"{why} (one viewer-request call each)")]


def topic(i: Instance, ctx: Context) -> list[Charge]:
    publishes, why = ctx.figure("sns_publishes")
    return [Charge("million publishes", publishes / 1e6, "sns_million_publishes", "usage", "SNS", why)]


def repository(i: Instance, ctx: Context) -> list[Charge]:
    gb, why = ctx.figure("ecr_gb_per_repository")
    return [Charge("GB-month stored", gb, "ecr_storage_gb_month", "usage", "ECR", why)]


def trail(i: Instance, ctx: Context) -> list[Charge]:
    charges = [Charge("management events", 0, None, "free", "CloudTrail",
                      "the first copy of management events in an account is free "
                      "(assumes this is the account's first trail)")]
    selectors = i.body.get("event_selector") or []
    if any(s.get("data_resource") for s in selectors) or i.body.get("advanced_event_selector"):
        events, why = ctx.figure("cloudtrail_data_events")
        charges.append(Charge("100,000 data events", events / 1e5, "cloudtrail_data_events_100k", "usage",
                              "CloudTrail", why))
    return charges
