"""The ALB's WAFv2 web ACL and its association: a per-IP rate limit on every path but the actuator
endpoints, a stricter one on `/api/` and `/admin/`, optional country blocking, SQL-injection and XSS
rules on the query arguments, a request-body size limit; and alarms on blocked requests (all, and
per rate rule, the burst rule at half the threshold).

Holds no logging configuration: WAFv2 cannot log to CloudWatch Logs directly, and none is deployed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from constructs import Construct

from modules.alarms import ThresholdAlarm, above_threshold
from modules.naming import Naming
from modules.origin import Origin

RATE_RULES = ("GeneralRateLimit", "BurstRateLimit")


@dataclass(frozen=True)
class WebAclProps:
    naming: Naming
    origin: Origin
    region: str
    load_balancer_arn: str
    rate_limit_per_ip: int
    burst_limit_per_ip: int
    blocked_countries: Sequence[str] = ()
    security_rules: bool = True
    max_body_bytes: int = 8192
    monitoring: bool = True
    alarm_threshold: int = 100
    alarm_actions: Sequence[str] = ()


def _path_match(text: str, position: str) -> dict[str, Any]:
    return {"byte_match_statement": {
        "search_string": text, "positional_constraint": position, "field_to_match": {"uri_path": {}},
        "text_transformation": [{"priority": 0, "type": "LOWERCASE"}]}}


def _not_actuator() -> dict[str, Any]:
    return {"not_statement": {"statement": [_path_match("/actuator/", "CONTAINS")]}}


def _decoded_query(match: str) -> dict[str, Any]:
    return {match: {"field_to_match": {"all_query_arguments": {}}, "text_transformation": [
        {"priority": 0, "type": "URL_DECODE"}, {"priority": 1, "type": "HTML_ENTITY_DECODE"}]}}


class AlbWebAcl(Construct):
    def __init__(self, scope: Construct, id: str, props: WebAclProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        self._naming = naming
        rules = [
            self._rule("GeneralRateLimit", 1, {"rate_based_statement": {
                "limit": props.rate_limit_per_ip, "aggregate_key_type": "IP",
                "scope_down_statement": _not_actuator()}}),
            self._rule("BurstRateLimit", 2, {"rate_based_statement": {
                "limit": props.burst_limit_per_ip, "aggregate_key_type": "IP",
                "scope_down_statement": {"and_statement": {"statement": [
                    {"or_statement": {"statement": [_path_match("/api/", "STARTS_WITH"),
                                                    _path_match("/admin/", "STARTS_WITH")]}},
                    _not_actuator()]}}}}),
        ]
        if props.blocked_countries:
            rules.append(self._rule("GeoBlocking", 10, {"geo_match_statement": {
                "country_codes": list(props.blocked_countries)}}))
        if props.security_rules:
            rules.append(self._rule("SQLInjectionProtection", 20, _decoded_query("sqli_match_statement")))
            rules.append(self._rule("XSSProtection", 21, _decoded_query("xss_match_statement")))
        rules.append(self._rule("LargeBodyProtection", 30, {"size_constraint_statement": {
            "field_to_match": {"body": {}}, "comparison_operator": "GT", "size": props.max_body_bytes,
            "text_transformation": [{"priority": 0, "type": "NONE"}]}}))
        self.web_acl = origin.carry(Wafv2WebAcl(
            self, "Default",
            name=naming.name("alb-waf"),
            scope="REGIONAL",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=sorted(rules, key=lambda r: r.name),  # a set: written in the order Terraform shows it
            visibility_config=Wafv2WebAclVisibilityConfig(
                sampled_requests_enabled=True, cloudwatch_metrics_enabled=True,
                metric_name=naming.name("ALB-WebACL")),
            tags=naming.tags_for("alb-waf", Type="security"),
        ), "web_acl", 0)
        origin.carry(Wafv2WebAclAssociation(
            self, "association",
            resource_arn=props.load_balancer_arn,
            web_acl_arn=self.web_acl.arn,
        ), "association", 0)
        if props.monitoring:
            origin.carry(self._alarm(
                "blocked_requests_alarm", naming.name("alb-waf-blocked-requests"), props.alarm_threshold,
                "ALB WAF에 의해 차단된 요청이 임계값을 초과했습니다", {},
                naming.tags_for("alb-waf-blocked-alarm", Type="monitoring"), props), "blocked_requests_alarm", 0)
            for rule in RATE_RULES:
                # The burst rule alarms at half the threshold.
                threshold = props.alarm_threshold / 2 if rule == "BurstRateLimit" else props.alarm_threshold
                origin.carry(self._alarm(
                    f"{rule}_alarm", naming.name("alb-waf", rule), threshold,
                    f"ALB WAF {rule} 규칙에 의해 차단된 요청이 임계값을 초과했습니다", {"Rule": rule},
                    naming.tags_for(f"alb-waf-{rule}-alarm", Type="monitoring"), props), "rate_rule_alarm", rule)

    def _rule(self, name: str, priority: int, statement: dict[str, Any]) -> Wafv2WebAclRule:
        return Wafv2WebAclRule(
            name=name, priority=priority,
            action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
            statement=statement,
            visibility_config=Wafv2WebAclRuleVisibilityConfig(
                sampled_requests_enabled=True, cloudwatch_metrics_enabled=True,
                metric_name=self._naming.name(name)))

    def _alarm(self, id: str, name: str, threshold: int, description: str, dimensions: dict[str, str],
               tags: dict[str, str], props: WebAclProps) -> CloudwatchMetricAlarm:
        return above_threshold(self, id, ThresholdAlarm(
            name=name, namespace="AWS/WAFV2", metric="BlockedRequests", statistic="Sum", threshold=threshold,
            description=description, dimensions={"WebACL": self.web_acl.name, **dimensions, "Region": props.region},
            tags=tags), props.alarm_actions)
