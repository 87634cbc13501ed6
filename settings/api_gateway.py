"""08-api-gateway's settings: the REST API, its routes per service, CORS, alarms and WAF."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from settings.base import Frozen, LogRetention, SettingError

HttpMethod = Literal["ANY", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
# One API Gateway path part: a literal segment or a `{variable}` (the greedy `{proxy+}` is the
# construct's own catch-all, not route data).
PATH_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._-]+|\{[A-Za-z][A-Za-z0-9]*\})$")
ServiceName = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
IntegrationTimeout = Annotated[StrictInt, Field(ge=50, le=29000)]


class ApiRoute(Frozen):
    """An explicit route below a service's path (`owners/{ownerId}`), with the methods it answers.
    Path variables become required request parameters passed through to the integration."""

    path: Annotated[StrictStr, StringConstraints(min_length=1)]
    methods: tuple[HttpMethod, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _well_formed(self) -> "ApiRoute":
        for segment in self.path.split("/"):
            if not PATH_SEGMENT.match(segment):
                raise ValueError(f"{self.path!r}: segment {segment!r} is neither a name nor a {{variable}}")
        if len(set(self.methods)) != len(self.methods):
            raise ValueError(f"{self.path!r} lists a method twice: {list(self.methods)}")
        return self


class ApiService(Frozen):
    """One service behind the API: `/api/<name>` (parent "api") or `/<name>` (parent "root"), any
    method on it and on `{proxy+}` below it, sent to the ALB (HTTP_PROXY, the same path) or to the
    GenAI Lambda (AWS_PROXY)."""

    parent: Literal["api", "root"]
    target: Literal["alb", "lambda"]
    description: StrictStr
    routes: tuple[ApiRoute, ...] = ()

    @model_validator(mode="after")
    def _routes_unique(self) -> "ApiService":
        paths = [r.path for r in self.routes]
        if len(set(paths)) != len(paths):
            raise ValueError(f"routes list a path twice: {paths}")
        if self.routes and self.target != "alb":
            raise ValueError("explicit routes are only for ALB services (a Lambda gets the whole path)")
        return self


class ApiCors(Frozen):
    """The CORS preflight answer (a MOCK OPTIONS method) on every service path and catch-all."""

    enabled: StrictBool
    allow_headers: StrictStr
    allow_methods: StrictStr
    allow_origin: StrictStr


class ApiAlarm(Frozen):
    """A CloudWatch alarm on one API Gateway metric of the stage."""

    metric: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9]+$")]
    statistic: Literal["Sum", "Average", "Minimum", "Maximum", "SampleCount"]
    threshold: Annotated[int | float, Field(ge=0)]
    description: StrictStr


class WafRateRule(Frozen):
    """A per-IP rate-based WAF rule (over the provider's default 5-minute window)."""

    name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    priority: Annotated[StrictInt, Field(ge=0)]
    limit: Annotated[StrictInt, Field(ge=10, le=2_000_000_000)]
    action: Literal["ALLOW", "BLOCK", "COUNT"]


class ApiWaf(Frozen):
    """The regional WAF web ACL on the API stage: rate rules scoped to one URI part, then SQL
    injection and XSS rules on the request body."""

    enabled: StrictBool
    rate_rules: tuple[WafRateRule, ...]
    rate_rule_scope: Annotated[StrictStr, StringConstraints(min_length=1)]
    sqli_priority: Annotated[StrictInt, Field(ge=0)]
    xss_priority: Annotated[StrictInt, Field(ge=0)]
    blocked_alarm_threshold: Annotated[StrictInt, Field(ge=0)]

    @model_validator(mode="after")
    def _priorities_unique(self) -> "ApiWaf":
        priorities = [r.priority for r in self.rate_rules] + [self.sqli_priority, self.xss_priority]
        if len(set(priorities)) != len(priorities):
            raise SettingError("api_gateway.waf", f"rule priorities must differ (got {priorities})")
        names = [r.name for r in self.rate_rules]
        if len(set(names)) != len(names):
            raise SettingError("api_gateway.waf.rate_rules", f"names a rule twice: {names}")
        return self


class ApiGateway(Frozen):
    """08-api-gateway: the REST API that replaces Spring Cloud Gateway, its routes as data
    (`services`, in the order of their names), the stage and its throttling, CORS, WAF and alarms."""

    description: StrictStr
    stage_name: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
    # The stage takes the environment's label instead of `stage_name` (layers/contracts/api_gateway.py);
    # renaming a deployed stage replaces it: the API's URL changes.
    stage_named_for_environment: StrictBool
    services: dict[ServiceName, ApiService] = Field(min_length=1)
    throttle_rate_limit: Annotated[StrictInt, Field(ge=0)]
    throttle_burst_limit: Annotated[StrictInt, Field(ge=0)]
    integration_timeout_ms: IntegrationTimeout
    lambda_integration_timeout_ms: IntegrationTimeout
    minimum_compression_size: Annotated[StrictInt, Field(ge=0, le=10485760)]
    api_key_source: Literal["HEADER", "AUTHORIZER"]
    binary_media_types: tuple[StrictStr, ...]
    xray_tracing: StrictBool
    log_retention_days: LogRetention
    # The stage's INFO execution logs and JSON access logs (as deployed: none).
    stage_logs: StrictBool
    # API Gateway's account-wide CloudWatch role, one per account and region: made by the one
    # environment of the region that owns it (modules/api_account.py).
    account_cloudwatch_role: StrictBool
    # The HTTP integrations call the ALB's HTTPS listener at the name its certificate covers
    # (application.alb.domain_name, an alias record 07-application makes) instead of plain
    # http://<ALB DNS name> (design switch, A44/A133).
    https_to_alb: StrictBool
    cors: ApiCors
    alarms: dict[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9-]+$")], ApiAlarm]
    throttled_alarm_threshold: Annotated[StrictInt, Field(ge=0)]
    waf: ApiWaf

    @model_validator(mode="after")
    def _burst_covers_rate(self) -> "ApiGateway":
        if self.throttle_burst_limit < self.throttle_rate_limit:
            raise SettingError("api_gateway.throttle_burst_limit",
                               f"{self.throttle_burst_limit} is below api_gateway.throttle_rate_limit "
                               f"{self.throttle_rate_limit}")
        return self
