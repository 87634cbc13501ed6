"""A regional WAFv2 web ACL on a REST API stage: per-IP rate rules scoped to one URI part, SQL
injection and XSS rules on the request body, its association with the stage, and an alarm on the
requests each rate rule blocks.

The rules' thresholds, names, priorities and alarm words are the caller's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionAllow,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleActionCount,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from constructs import Construct

from modules.alarms import ThresholdAlarm, above_threshold
from modules.naming import Naming
from modules.origin import Origin

BODY_DECODING = [{"priority": 0, "type": "URL_DECODE"}, {"priority": 1, "type": "HTML_ENTITY_DECODE"}]


@dataclass(frozen=True)
class RateRule:
    name: str
    priority: int
    limit: int
    action: str  # ALLOW, BLOCK or COUNT


@dataclass(frozen=True)
class ApiWafProps:
    naming: Naming
    origin: Origin
    stage_arn: str
    region: str
    rate_rules: Sequence[RateRule]
    rate_rule_scope: str              # the URI part the rate rules count (e.g. "/api/")
    sqli_priority: int
    xss_priority: int
    blocked_alarm_threshold: float
    blocked_alarm_description: Callable[[str], str]   # rule name -> the alarm's description
    alarm_actions: Sequence[str]

    def __post_init__(self) -> None:
        priorities = [r.priority for r in self.rate_rules] + [self.sqli_priority, self.xss_priority]
        if len(set(priorities)) != len(priorities):
            raise ValueError(f"ApiWafProps: rule priorities must differ (got {priorities})")
        for rule in self.rate_rules:
            if rule.action not in ("ALLOW", "BLOCK", "COUNT"):
                raise ValueError(f"ApiWafProps.rate_rules[{rule.name}].action: ALLOW, BLOCK or COUNT (got {rule.action!r})")


class ApiWaf(Construct):
    def __init__(self, scope: Construct, id: str, props: ApiWafProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        rules = [self._rate_rule(r, naming, props.rate_rule_scope) for r in props.rate_rules] + [
            self._body_rule("SQLInjectionProtection", props.sqli_priority, "sqli_match_statement", naming),
            self._body_rule("XSSProtection", props.xss_priority, "xss_match_statement", naming),
        ]
        rules.sort(key=lambda rule: rule.name)  # a set to Terraform: one stable order in the output
        # Optional parts of the API (WAF on/off), hence instance 0 of their part.
        self.web_acl = origin.carry(Wafv2WebAcl(
            self, "Default", name=naming.name("api-rate-limit"), scope="REGIONAL",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=naming.name("WebACL"), sampled_requests_enabled=True),
            tags=naming.tags_for("api-waf", Type="security"),
        ), "web_acl", 0)
        self.association = origin.carry(Wafv2WebAclAssociation(
            self, "association", resource_arn=props.stage_arn, web_acl_arn=self.web_acl.arn,
        ), "association", 0)
        self.blocked_alarms = {
            rule.name: origin.carry(above_threshold(self, f"{rule.name.lower()}_blocked", ThresholdAlarm(
                name=naming.name("waf", rule.name, "blocked"), namespace="AWS/WAFV2", metric="BlockedRequests",
                statistic="Sum", threshold=props.blocked_alarm_threshold,
                description=props.blocked_alarm_description(rule.name),
                dimensions={"WebACL": naming.name("api-rate-limit"), "Rule": rule.name, "Region": props.region},
                tags=naming.tags_for("waf", rule.name, "alarm", Type="monitoring"),
            ), props.alarm_actions), "blocked_alarms", rule.name)
            for rule in props.rate_rules
        }

    @staticmethod
    def _visibility(name: str, naming: Naming) -> Wafv2WebAclRuleVisibilityConfig:
        return Wafv2WebAclRuleVisibilityConfig(cloudwatch_metrics_enabled=True, metric_name=naming.name(name),
                                               sampled_requests_enabled=True)

    def _rate_rule(self, rule: RateRule, naming: Naming, scope: str) -> Wafv2WebAclRule:
        action = {"ALLOW": Wafv2WebAclRuleAction(allow=Wafv2WebAclRuleActionAllow()),
                  "BLOCK": Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                  "COUNT": Wafv2WebAclRuleAction(count=Wafv2WebAclRuleActionCount())}[rule.action]
        # `statement` is untyped in the bindings (a recursive block): written in Terraform's own keys.
        statement = {"rate_based_statement": {
            "limit": rule.limit, "aggregate_key_type": "IP",
            "scope_down_statement": {"byte_match_statement": {
                "search_string": scope, "positional_constraint": "CONTAINS",
                "field_to_match": {"uri_path": {}},
                "text_transformation": [{"priority": 0, "type": "LOWERCASE"}],
            }},
        }}
        return Wafv2WebAclRule(name=rule.name, priority=rule.priority, action=action, statement=statement,
                               visibility_config=self._visibility(rule.name, naming))

    def _body_rule(self, name: str, priority: int, match: str, naming: Naming) -> Wafv2WebAclRule:
        statement = {match: {"field_to_match": {"body": {}}, "text_transformation": BODY_DECODING}}
        return Wafv2WebAclRule(name=name, priority=priority,
                               action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                               statement=statement, visibility_config=self._visibility(name, naming))
