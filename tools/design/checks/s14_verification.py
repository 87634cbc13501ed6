"""Checks of §14 of the design, as far as the stacks decide them: WAF (A123), throughput, latency
objective and availability (A130–A132), the security tests (A133, A134), and two claims the table
missed: cost-allocation tags (D13, §13.2) and no leftover EC2 or unrouted target group (D15, §14.2)."""
from __future__ import annotations

import json

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import FOUR_SERVICES, alarms_on, ingress_of, plus, referenced_resources
from tools.design.checks.primitives import changed, every, fixture, without
from tools.design.checks.s07_database import AURORA, encrypted_at_rest, tls_enforced
from tools.design.checks.s08_security import ALB, alb_https
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed, unknown

APP, API, NET, SEC, FRONT, MON, NOTE = ("07-application", "08-api-gateway", "01-network", "02-security", "11-frontend",
                                        "10-monitoring", "12-notification")


def _acl(scope_name: str) -> dict:
    return {"name": scope_name, "rule": [
        {"name": "Rate", "statement": {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}}},
        {"name": "SQLi", "statement": {"sqli_match_statement": {"field_to_match": {"body": {}}}}},
        {"name": "XSS", "statement": {"xss_match_statement": {"field_to_match": {"body": {}}}}}]}


WAF = fixture(
    (APP, "aws_lb.alb", {"load_balancer_type": "application"}),
    (APP, "aws_wafv2_web_acl.alb", _acl("alb")),
    (APP, "aws_wafv2_web_acl_association.alb", {"resource_arn": "${aws_lb.alb.arn}", "web_acl_arn": "${aws_wafv2_web_acl.alb.arn}"}),
    (API, "aws_api_gateway_stage.stage", {"stage_name": "dev"}),
    (API, "aws_api_gateway_method_settings.all", {"method_path": "*/*", "settings": {"throttling_rate_limit": 1000,
                                                                                     "throttling_burst_limit": 2000}}),
    (API, "aws_wafv2_web_acl.api", _acl("api")),
    (API, "aws_wafv2_web_acl_association.api", {"resource_arn": "${aws_api_gateway_stage.stage.arn}",
                                                "web_acl_arn": "${aws_wafv2_web_acl.api.arn}"}),
)
NOTHING = fixture((MON, "aws_cloudwatch_log_group.x", {"name": "x"}))


@check("A123", passing=[WAF], failing=[without(WAF, API, "aws_wafv2_web_acl_association.api"),
                                        changed(WAF, APP, "aws_wafv2_web_acl.alb", rule=_acl("alb")["rule"][:2]), NOTHING])
def waf_protects(stacks: Stacks) -> Verdict:
    parts = []
    for what, type_ in (("the ALB", "aws_lb"), ("the API stage", "aws_api_gateway_stage")):
        associations = [a for a in stacks.resources("aws_wafv2_web_acl_association")
                        if referenced_resources(stacks, a.layer, a.body.get("resource_arn"), type_)]
        if not associations:
            parts.append(failed(f"no aws_wafv2_web_acl_association with {what} ({type_})"))
            continue
        for acl in referenced_resources(stacks, associations[0].layer, associations[0].body.get("web_acl_arn"), "aws_wafv2_web_acl"):
            text = json.dumps(acl.body.get("rule", []))
            missing = [s for s in ("rate_based_statement", "sqli_match_statement", "xss_match_statement") if s not in text]
            parts.append(failed(f"{acl.where} (on {what}) has no {', '.join(missing)}") if missing
                         else passed(f"{acl.where} on {what}: rate limit, SQLi and XSS rules"))
    return combine(parts)


@check("A130", passing=[WAF], failing=[
    changed(WAF, API, "aws_api_gateway_method_settings.all", settings={"throttling_rate_limit": 500}),
    changed(WAF, API, "aws_wafv2_web_acl.api", rule=[{"name": "All", "statement": {"rate_based_statement": {
        "limit": 1000, "aggregate_key_type": "CONSTANT"}}}]), NOTHING])
def throughput(stacks: Stacks) -> Verdict:
    settings = [m for m in stacks.resources("aws_api_gateway_method_settings") if m.body.get("method_path") == "*/*"]
    if not settings:
        return failed("no aws_api_gateway_method_settings for */*: the stage's throughput is not set")
    parts = []
    for setting in settings:
        rate = (setting.body.get("settings") or {}).get("throttling_rate_limit")
        parts.append(passed(f"{setting.where} throttling_rate_limit = {rate}") if isinstance(rate, (int, float)) and rate >= 1000
                     else failed(f"{setting.where} throttling_rate_limit = {rate}, expected at least 1000 (req/s)"))
    # A rate rule over all clients together (CONSTANT) caps the platform; per-IP rules cap one client.
    for acl in stacks.resources("aws_wafv2_web_acl"):
        for rule in acl.body.get("rule", []) or []:
            statement = (rule.get("statement") or {}).get("rate_based_statement") or {}
            window = statement.get("evaluation_window_sec", 300)
            if statement.get("aggregate_key_type") == "CONSTANT" and statement.get("limit", 0) < 1000 * window:
                parts.append(failed(f"{acl.where} rule {rule.get('name')} limits all clients together to "
                                    f"{statement.get('limit')} per {window} s, below 1000 req/s"))
    return combine(parts)


LATENCY = fixture(
    (APP, "aws_cloudwatch_metric_alarm.alb_p95", {"namespace": "AWS/ApplicationELB", "metric_name": "TargetResponseTime",
                                                  "extended_statistic": "p95", "threshold": 0.5}),
    (API, "aws_cloudwatch_metric_alarm.api_p95", {"namespace": "AWS/ApiGateway", "metric_name": "Latency",
                                                  "extended_statistic": "p95", "threshold": 500}))


@check("A131", passing=[LATENCY], failing=[
    changed(LATENCY, API, "aws_cloudwatch_metric_alarm.api_p95", extended_statistic=None, statistic="Average"),
    changed(LATENCY, APP, "aws_cloudwatch_metric_alarm.alb_p95", threshold=5), NOTHING])
def p95_objective(stacks: Stacks) -> Verdict:
    parts = []
    for namespace, metric, limit, unit in (("AWS/ApplicationELB", "TargetResponseTime", 0.5, "s"), ("AWS/ApiGateway", "Latency", 500, "ms")):
        alarms = alarms_on(stacks, namespace, metric)
        good = [a for a in alarms if str(a.body.get("extended_statistic", "")).lower() == "p95"
                and isinstance(a.body.get("threshold"), (int, float)) and a.body["threshold"] <= limit]
        if good:
            parts.append(passed(f"{good[0].where} {metric} p95 > {good[0].body['threshold']} {unit}"))
        else:
            seen = ", ".join(f"{a.where} {a.body.get('extended_statistic') or a.body.get('statistic')} {a.body.get('threshold')}"
                             for a in alarms[:2]) or "none"
            parts.append(failed(f"no {namespace} {metric} alarm on p95 at or below {limit} {unit} (found: {seen})"))
    return combine(parts)


SERVICES = ("customers", "vets", "visits", "admin")
REDUNDANT = fixture(
    *[(APP, f"aws_ecs_service.{s}", {"name": s, "desired_count": 2}) for s in SERVICES],
    *[(APP, f"aws_appautoscaling_target.{s}", {"min_capacity": 2, "max_capacity": 4,
                                               "resource_id": f"service/c/${{aws_ecs_service.{s}.name}}"}) for s in SERVICES],
    ("03-database", "aws_rds_cluster_instance.writer", {"instance_class": "db.serverless"}),
    ("03-database", "aws_rds_cluster_instance.reader", {"instance_class": "db.serverless"}),
    (NET, "aws_nat_gateway.a", {"subnet_id": "${aws_subnet.public_0.id}"}), (NET, "aws_nat_gateway.b", {"subnet_id": "${aws_subnet.public_1.id}"}))


@check("A132", passing=[REDUNDANT], failing=[changed(REDUNDANT, APP, "aws_ecs_service.vets", desired_count=1),
                                             changed(REDUNDANT, APP, "aws_appautoscaling_target.admin", min_capacity=1),
                                             without(REDUNDANT, NET, "aws_nat_gateway.b"), NOTHING])
def availability(stacks: Stacks) -> Verdict:
    def tasks(service: Block) -> Verdict:
        count = service.body.get("desired_count")
        good = isinstance(count, int) and count >= 2
        return (passed if good else failed)(f"{service.where} desired_count = {count}" + ("" if good else ", expected at least 2"))
    parts = [every(stacks.resources("aws_ecs_service"), "aws_ecs_service", tasks, at_least=FOUR_SERVICES)]
    parts += [failed(f"{t.where} min_capacity = {t.body.get('min_capacity')}, expected at least 2")
              for t in stacks.resources("aws_appautoscaling_target") if "service/" in str(t.body.get("resource_id"))
              and (t.body.get("min_capacity") or 0) < 2]
    for type_, what in (("aws_rds_cluster_instance", "Aurora instances"), ("aws_nat_gateway", "NAT gateways (one per AZ)")):
        found = stacks.resources(type_)
        parts.append(passed(f"{len(found)} {what}") if len(found) >= 2 else failed(f"{len(found)} {what}, expected at least 2"))
    return combine(parts)


IN_TRANSIT = {**ALB, **{layer: body for layer, body in AURORA.items() if layer != APP}}
IN_TRANSIT = {**IN_TRANSIT, **fixture(
    (FRONT, "aws_s3_bucket.site", {"bucket": "site"}),
    (FRONT, "aws_s3_bucket_server_side_encryption_configuration.site", {"bucket": "${aws_s3_bucket.site.id}", "rule": [
        {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]}),
    (FRONT, "aws_cloudfront_distribution.cdn", {"default_cache_behavior": {"viewer_protocol_policy": "redirect-to-https"},
                                                "ordered_cache_behavior": [{"viewer_protocol_policy": "https-only"}]}),
    (API, "aws_api_gateway_integration.alb", {"type": "HTTP_PROXY", "uri": "https://alb.example/api", "connection_type": "INTERNET"}),
    (MON, "aws_cloudtrail.audit", {"kms_key_id": "${aws_kms_key.audit.arn}"}),
    (NOTE, "aws_sns_topic.alerts", {"name": "alerts", "kms_master_key_id": "${aws_kms_key.alerts.arn}"}),
    (NOTE, "aws_sns_topic_policy.alerts", {"arn": "${aws_sns_topic.alerts.arn}", "policy": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": "*"}]})}),
    (NOTE, "aws_kms_key.alerts", {"enable_key_rotation": True, "policy": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"}]})}))}


def _transit_outside(stacks: Stacks) -> list[Verdict]:
    parts = []
    for cdn in stacks.resources("aws_cloudfront_distribution"):
        behaviors = [cdn.body.get("default_cache_behavior") or {}] + list(cdn.body.get("ordered_cache_behavior") or [])
        for behavior in behaviors:
            behavior = behavior[0] if isinstance(behavior, list) and behavior else behavior
            policy = behavior.get("viewer_protocol_policy")
            if policy not in ("redirect-to-https", "https-only"):
                parts.append(failed(f"{cdn.where} viewer_protocol_policy = {policy}, expected redirect-to-https or https-only"))
    http = [i for i in stacks.resources("aws_api_gateway_integration") if i.body.get("type") in ("HTTP", "HTTP_PROXY")]
    plain = [i for i in http if i.body.get("connection_type") != "VPC_LINK" and not str(i.body.get("uri", "")).startswith("https://")]
    if plain:   # one line for them all: the routes share one origin
        parts.append(failed(f"{len(plain)} of {len(http)} HTTP integrations call plain http:// over the internet, "
                            f"e.g. {plain[0].where} uri = {plain[0].body.get('uri')}"))
    return parts


def _at_rest_outside(stacks: Stacks) -> list[Verdict]:
    parts = []
    encrypted = stacks.resources("aws_s3_bucket_server_side_encryption_configuration")
    for bucket in stacks.resources("aws_s3_bucket"):
        if not any(referenced_resources(stacks, e.layer, e.body.get("bucket"), "aws_s3_bucket") == [bucket] for e in encrypted) \
                and not bucket.body.get("server_side_encryption_configuration"):
            parts.append(failed(f"{bucket.where} has no server-side encryption configuration"))
    parts += [failed(f"{t.where} has no kms_key_id") for t in stacks.resources("aws_cloudtrail") if not t.body.get("kms_key_id")]
    parts += [_topic_encrypted(stacks, t) for t in stacks.resources("aws_sns_topic")]
    return parts


def _topic_encrypted(stacks: Stacks, topic: Block) -> Verdict:
    """Encrypted with a key the services that publish to it may use: the AWS-managed alias/aws/sns
    refuses AWS services (CloudWatch alarms), so a topic that admits one needs a customer-managed key
    whose policy grants it kms:GenerateDataKey* and kms:Decrypt, with rotation on."""
    key_id = topic.body.get("kms_master_key_id")
    if not key_id:
        return failed(f"{topic.where} has no kms_master_key_id")
    publishers = sorted({service for policy in stacks.resources("aws_sns_topic_policy")
                         if referenced_resources(stacks, policy.layer, policy.body.get("arn"), "aws_sns_topic") == [topic]
                         for service in _services(_statements(policy.body.get("policy")), "sns:Publish")})
    keys = referenced_resources(stacks, topic.layer, key_id, "aws_kms_key")
    if not keys:
        if str(key_id).endswith("alias/aws/sns") and publishers:
            return failed(f"{topic.where} kms_master_key_id = {key_id}: the AWS-managed key, which "
                          f"{', '.join(publishers)} cannot use to publish")
        return passed(f"{topic.where} kms_master_key_id = {key_id}")
    key = keys[0]
    if not key.body.get("enable_key_rotation"):
        return failed(f"{topic.where} key {key.where} has no enable_key_rotation")
    statements = _statements(key.body.get("policy"))
    granted = [set(_services(statements, action)) for action in ("kms:GenerateDataKey*", "kms:Decrypt")]
    missing = [p for p in publishers if not all(p in g for g in granted)]
    if missing:
        return failed(f"{topic.where} key {key.where}: its policy does not let {', '.join(missing)} "
                      "use it (kms:GenerateDataKey*, kms:Decrypt)")
    return passed(f"{topic.where} encrypted with {key.where} (rotation on)")


def _statements(policy: object) -> list[dict]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else (policy or {})
    except ValueError:
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    return [statements] if isinstance(statements, dict) else list(statements)


def _services(statements: list[dict], action: str) -> list[str]:
    """The service principals the Allow statements grant `action` to (an exact action, a `*` or a `prefix*`)."""
    found = []
    for statement in statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") != "Allow" or not any(
                a == action or a == "*" or (a.endswith("*") and action.startswith(a[:-1])) for a in actions):
            continue
        services = (statement.get("Principal") or {}).get("Service", []) if isinstance(statement.get("Principal"), dict) else []
        found += [services] if isinstance(services, str) else list(services)
    return found


@check("A133", passing=[IN_TRANSIT], failing=[
    changed(IN_TRANSIT, FRONT, "aws_cloudfront_distribution.cdn", default_cache_behavior={"viewer_protocol_policy": "allow-all"}),
    changed(IN_TRANSIT, API, "aws_api_gateway_integration.alb", uri="http://alb.example/api"),
    changed(IN_TRANSIT, NOTE, "aws_sns_topic.alerts", kms_master_key_id=None),
    changed(IN_TRANSIT, NOTE, "aws_sns_topic.alerts", kms_master_key_id="alias/aws/sns"),
    changed(IN_TRANSIT, NOTE, "aws_kms_key.alerts", policy=json.dumps({"Statement": []})),
    changed(IN_TRANSIT, NOTE, "aws_kms_key.alerts", enable_key_rotation=None),
    without(IN_TRANSIT, FRONT, "aws_s3_bucket_server_side_encryption_configuration.site"), NOTHING])
def encryption_tested(stacks: Stacks) -> Verdict:
    return combine([alb_https(stacks), tls_enforced(stacks), encrypted_at_rest(stacks)]
                   + _transit_outside(stacks) + _at_rest_outside(stacks))


OPEN = ("0.0.0.0/0", "::/0")
EXPOSURE = fixture(
    (APP, "aws_security_group.alb", {"name": "alb"}),
    (APP, "aws_lb.alb", {"security_groups": ["${aws_security_group.alb.id}"]}),
    (APP, "aws_vpc_security_group_ingress_rule.https", {"security_group_id": "${aws_security_group.alb.id}", "from_port": 443,
                                                        "to_port": 443, "ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"}),
    (APP, "aws_security_group.ecs", {"name": "ecs"}),
    (APP, "aws_vpc_security_group_ingress_rule.ecs", {"security_group_id": "${aws_security_group.ecs.id}", "from_port": 8080,
                                                      "to_port": 8080, "ip_protocol": "tcp",
                                                      "referenced_security_group_id": "${aws_security_group.alb.id}"}))


@check("A134", passing=[EXPOSURE], failing=[
    fixture(*[(APP, a, b) for a, b in (("aws_security_group.bastion", {"name": "bastion", "ingress": [
        {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}),)]),
    changed(EXPOSURE, APP, "aws_vpc_security_group_ingress_rule.https", from_port=8080, to_port=8080),
    plus(EXPOSURE, APP, "aws_instance.bastion", {"associate_public_ip_address": True}), NOTHING])
def no_unauthorized_access(stacks: Stacks) -> Verdict:
    groups = stacks.resources("aws_security_group")
    if not groups:
        return failed("found no aws_security_group to judge")
    balancer_groups = [g for lb in stacks.resources("aws_lb")
                       for g in referenced_resources(stacks, lb.layer, lb.body.get("security_groups"), "aws_security_group")]
    parts = []
    for group in groups:
        for rule in ingress_of(stacks, group):
            undecided = [c for c in rule.cidrs if "${" in c]
            if undecided:
                parts.append(unknown(f"{rule.where} admits {undecided[0]}, a range known only at apply"))
            if not any(source in OPEN for source in rule.sources):
                continue
            web = group in balancer_groups and (rule.from_port, rule.to_port) in ((80, 80), (443, 443))
            if not web:
                parts.append(failed(f"{rule.where} opens {rule.from_port}-{rule.to_port} to the internet"))
    for rule in stacks.resources("aws_vpc_security_group_ingress_rule") + stacks.resources("aws_security_group_rule"):
        if rule.body.get("type", "ingress") == "ingress" and not referenced_resources(
                stacks, rule.layer, rule.body.get("security_group_id"), "aws_security_group"):
            # A rule on a group the stacks do not hold: no exception can apply to it.
            cidrs = [str(c) for c in [rule.body.get("cidr_ipv4"), rule.body.get("cidr_ipv6")]
                     + list(rule.body.get("cidr_blocks") or []) + list(rule.body.get("ipv6_cidr_blocks") or []) if c]
            if any(c in OPEN for c in cidrs):
                parts.append(failed(f"{rule.where} opens {rule.body.get('from_port')}-{rule.body.get('to_port')} to the internet "
                                    f"on {rule.body.get('security_group_id')}"))
            elif any("${" in c for c in cidrs) or "${" in str(rule.body.get("security_group_id", "${")):
                parts.append(unknown(f"{rule.where} on {rule.body.get('security_group_id')}: its group or range is known only at apply"))
    parts += [failed(f"{i.where} has a public IP (associate_public_ip_address)") for i in stacks.resources("aws_instance")
              if i.body.get("associate_public_ip_address")]
    return combine(parts) if parts else passed(
        f"{len(groups)} security groups: only the load balancer's 80/443 are open to the internet; no public instance")


TAGGED = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))
TAGGED[NET]["provider"] = {"aws": [{"region": "us-west-2", "default_tags": [{"tags": {"Project": "petclinic", "Environment": "dev"}}]}]}
UNTAGGED = {NET: {**TAGGED[NET], "provider": {"aws": [{"region": "us-west-2"}]}}}


@check("D13", passing=[TAGGED], failing=[UNTAGGED, NOTHING])
def cost_allocation_tags(stacks: Stacks) -> Verdict:
    def judge(layer: str) -> Verdict:
        providers = stacks.document(layer).get("provider", {}).get("aws", [])
        if not providers:
            return failed(f"{layer} has no aws provider block")
        for provider in providers:
            tags = {k: v for d in provider.get("default_tags", []) or [] for k, v in (d.get("tags") or {}).items()}
            if not (tags.get("Project") and tags.get("Environment")):
                return failed(f"{layer} provider aws{' ' + provider['alias'] if provider.get('alias') else ''} default_tags = "
                              f"{json.dumps(tags)}, expected Project and Environment")
        return passed(f"{layer} default_tags Project and Environment")
    layers = [layer for layer in stacks.layers if stacks.document(layer).get("resource")]
    if not layers:
        return failed("no layer holds resources")
    return combine([judge(layer) for layer in layers])


TIDY = fixture(
    (APP, "aws_lb_target_group.customers", {"name": "customers"}),
    (APP, "aws_lb_listener.http", {"default_action": [{"type": "fixed-response"}]}),
    (APP, "aws_lb_listener_rule.customers", {"action": [{"type": "forward", "target_group_arn": "${aws_lb_target_group.customers.arn}"}]}))


@check("D15", passing=[TIDY], failing=[plus(TIDY, APP, "aws_instance.bastion", {"instance_type": "t3.micro"}),
                                        changed(TIDY, APP, "aws_lb_listener_rule.customers", action=[{"type": "fixed-response"}]),
                                        NOTHING])
def no_leftovers(stacks: Stacks) -> Verdict:
    groups = stacks.resources("aws_lb_target_group")
    if not groups:
        return failed("found no aws_lb_target_group: nothing routes to the services")
    routing = stacks.resources("aws_lb_listener") + stacks.resources("aws_lb_listener_rule")
    parts = [failed(f"{i.where}: an EC2 instance ({i.body.get('instance_type')})") for i in stacks.resources("aws_instance")]
    for group in groups:
        users = [r.where for r in routing if r.layer == group.layer and f"{group.address}." in json.dumps(r.body)]
        if not users:
            parts.append(failed(f"{group.where} ({group.body.get('name')}): no listener or listener rule routes to it"))
    return combine(parts) if parts else passed(f"no EC2 instance; each of the {len(groups)} target groups is routed to")
