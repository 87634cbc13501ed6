"""Layer 08-api-gateway: the regional REST API that replaces Spring Cloud Gateway.

Routes are data (`[api_gateway.services]` in `envs/`): each service gets `/api/<name>` (or `/<name>`)
and its `{proxy+}`, sent to the ALB of 07-application (HTTP_PROXY) or to the GenAI Lambda of
06-lambda-genai (AWS_PROXY); explicit routes below a service, the root and a global `{proxy+}` go to
the ALB; every service path, `/api` and the global proxy answer a CORS preflight. Around it: the
deployment (redeployed only when the API definition changes), the stage (`v1` as deployed, the
environment's label with `api_gateway.stage_named_for_environment`) with throttling and metrics,
two log groups, the WAF web ACL on the stage with its alarms, the API alarms and dashboard.

Reads 01-network and 02-security as the original did (it uses neither), 06 and 07.
Addresses: everything was in `module.api_gateway`; the tables below name the original resources
where the construct's part names differ (the customers routes were written out one by one).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack
from layers.contracts import application, lambda_genai, network, security
from layers.contracts.lambda_genai import invoked_qualifier
from layers.contracts.api_gateway import OUTPUTS, stage_name
from layers.contracts.notification import alerts_topic_arn
from modules.api_account import ApiAccount, ApiAccountProps
from modules.api_definition import ApiDefinition, Route, Service
from modules.api_key import ApiKey, ApiKeyProps
from modules.api_monitoring import ApiMetricAlarm, ApiMonitoring, ApiMonitoringProps, DashboardText
from modules.api_waf import ApiWaf, ApiWafProps, RateRule
from modules.origin import Origin
from modules.rest_api import CorsAnswer, RestApi, RestApiProps
from settings import Environment


MODULE = "module.api_gateway"
# construct part -> original resource name, where they differ.
REST_API_NAMES = {
    "rest_api": "petclinic", "deployment": "petclinic", "stage": "petclinic", "method_settings": "petclinic",
    "access_logs": "api_gateway", "execution_logs": "api_gateway_execution", "lambda_permission": "api_gateway_lambda",
    "customers_owners": "customer_owners",
    "customers_owners_ownerid": "customer_owners_id",
    "customers_owners_ownerid_pets": "customer_owners_pets",
    "customers_owners_ownerid_pets_petid": "customer_owners_pets_id",
    "customers_pettypes": "customer_pet_types",
    "customers_owners_any": "customer_owners_method",
    "customers_owners_any_integration": "customer_owners_integration",
    "customers_owners_ownerid_any": "customer_owners_id_method",
    "customers_owners_ownerid_any_integration": "customer_owners_id_integration",
    "customers_owners_ownerid_get": "customer_owners_id_get",
    "customers_owners_ownerid_get_integration": "customer_owners_id_get_integration",
    "customers_owners_ownerid_pets_any": "customer_owners_pets_method",
    "customers_owners_ownerid_pets_any_integration": "customer_owners_pets_integration",
    "customers_owners_ownerid_pets_petid_any": "customer_owners_pets_id_method",
    "customers_owners_ownerid_pets_petid_any_integration": "customer_owners_pets_id_integration",
    "customers_pettypes_get": "customer_pet_types_method",
    "customers_pettypes_get_integration": "customer_pet_types_integration",
}
WAF_NAMES = {"web_acl": "api_gateway_rate_limit", "association": "api_gateway", "blocked_alarms": "waf_rate_limit_alarms"}
MONITORING_NAMES = {"metric_alarms": "api_alarms", "throttled_alarm": "api_throttling_alarm", "dashboard": "api_gateway"}

# The deployed words (Korean, as the original wrote them); they are attribute values, changing them
# is an in-place update of the alarms and the dashboard.
THROTTLED_DESCRIPTION = "API Gateway 스로틀링으로 인한 요청 차단이 임계값을 초과했습니다"
BLOCKED_DESCRIPTION = "WAF {rule} 규칙에 의해 차단된 요청이 임계값을 초과했습니다"
DASHBOARD_TEXT = DashboardText(
    requests_title="API Gateway 요청 및 에러", latency_title="API Gateway 지연시간",
    error_rate_title="API Gateway 에러율", per_service_title="서비스별 요청 분포",
    total_requests="총 요청 수", errors_4xx="4XX 에러", errors_5xx="5XX 에러", latency="전체 지연시간",
    integration_latency="통합 지연시간", milliseconds="밀리초", error_rate="전체 에러율 (%)", percent="백분율 (%)",
    all_requests="전체 요청", service_label="{service} 서비스",
)


class ApiGatewayStack(LayerStack):
    layer = "08-api-gateway"
    outputs = OUTPUTS

    def build(self) -> None:
        env, settings = self.env, self.env.api_gateway
        self.read(network.OUTPUTS)   # read by the original, unused
        self.read(security.OUTPUTS)  # read by the original, unused
        genai = self.read(lambda_genai.OUTPUTS)
        app = self.read(application.OUTPUTS)
        self.alb_dns_name = app.string("alb_dns_name")
        # The alarms notify 12-notification's alerts topic (the original wrote its ARN in the tfvars).
        self.alerts_topic = alerts_topic_arn(self.naming, env.notification.topic, env.region,
                                             DataAwsCallerIdentity(self, "current").account_id)
        self.definition = api_definition(env)
        self.account = ApiAccount(self, "account", ApiAccountProps(naming=self.naming, region=env.region)) \
            if settings.account_cloudwatch_role else None
        self.api = RestApi(self, "api_gateway", RestApiProps(
            naming=self.naming, origin=Origin(MODULE, REST_API_NAMES), definition=self.definition,
            description=settings.description, stage_name=stage_name(env),
            alb_dns_name=self.alb_dns_name, alb_https_host=application.alb_https_origin(env),
            lambda_invoke_arn=genai.string("lambda_function_invoke_arn"),
            lambda_function_arn=genai.string("lambda_function_arn"),
            lambda_qualifier=invoked_qualifier(env.lambda_genai.provisioned_concurrency),
            lambda_api_key_required=env.aws_native.require_api_key,
            integration_timeout_ms=settings.integration_timeout_ms,
            lambda_integration_timeout_ms=settings.lambda_integration_timeout_ms,
            throttle_rate_limit=settings.throttle_rate_limit, throttle_burst_limit=settings.throttle_burst_limit,
            minimum_compression_size=settings.minimum_compression_size, api_key_source=settings.api_key_source,
            binary_media_types=settings.binary_media_types, xray_tracing=settings.xray_tracing,
            log_retention_days=settings.log_retention_days,
            stage_logs=settings.stage_logs, logs_after=[self.account.account] if self.account else [],
            cors=CorsAnswer(settings.cors.allow_headers, settings.cors.allow_methods, settings.cors.allow_origin),
        ))
        if env.aws_native.require_api_key:
            # One key for the AI routes of this API (08's /api/genai and 09's /genai share the stage).
            ApiKey(self, "genai_api_key", ApiKeyProps(
                naming=self.naming, stem="genai-api", rest_api_id=self.api.api.id, stage_name=self.api.stage_name,
                description="PetClinic AI assistant callers (POST /genai, /api/genai)"))
        waf = settings.waf
        self.waf = ApiWaf(self, "waf", ApiWafProps(
            naming=self.naming, origin=Origin(MODULE, WAF_NAMES), stage_arn=self.api.stage_arn, region=env.region,
            rate_rules=[RateRule(r.name, r.priority, r.limit, r.action) for r in waf.rate_rules],
            rate_rule_scope=waf.rate_rule_scope, sqli_priority=waf.sqli_priority, xss_priority=waf.xss_priority,
            blocked_alarm_threshold=waf.blocked_alarm_threshold,
            blocked_alarm_description=lambda rule: BLOCKED_DESCRIPTION.format(rule=rule),
            alarm_actions=[self.alerts_topic],
        )) if waf.enabled else None
        self.monitoring = ApiMonitoring(self, "monitoring", ApiMonitoringProps(
            naming=self.naming, origin=Origin(MODULE, MONITORING_NAMES), api_name=self.api.api_name,
            stage_name=stage_name(env), region=env.region,
            alarms=[ApiMetricAlarm(key, a.metric, a.statistic, a.threshold, a.description)
                    for key, a in settings.alarms.items()],
            throttled_threshold=settings.throttled_alarm_threshold, throttled_description=THROTTLED_DESCRIPTION,
            alarm_actions=[self.alerts_topic], services=sorted(settings.services), dashboard=DASHBOARD_TEXT,
        ))

    # ------------------------------------------------------------------ outputs
    def output_values(self) -> Mapping[str, Any]:
        settings, api = self.env.api_gateway, self.api
        invoke_url = api.invoke_url

        def url(name: str) -> str:
            service = settings.services[name]
            return f"{invoke_url}/api/{name}" if service.parent == "api" else f"{invoke_url}/{name}"

        def integration(name: str, lambda_word: str, alb_word: str) -> str:
            return lambda_word if settings.services[name].target == "lambda" else alb_word

        names = sorted(settings.services)
        return {
            "api_gateway_id": api.api_id,
            "api_gateway_invoke_url": invoke_url,
            "api_gateway_stage_name": api.stage_name,
            "api_gateway_execution_arn": api.execution_arn,
            "api_gateway_root_resource_id": api.root_resource_id,
            "routing_configuration": {
                "base_url": invoke_url,
                "routes": {n: url(n) for n in names},
                "service_details": {n: {
                    "path": n, "parent_path": settings.services[n].parent,
                    "description": settings.services[n].description,
                    "integration_type": integration(n, "Lambda", "ALB"), "full_url": url(n),
                } for n in names},
                "alb_integration": self.alb_dns_name,
                "lambda_integration": any(s.target == "lambda" for s in settings.services.values()),
            },
            "service_resources": {n: {
                "resource_id": api.resources[self.definition.service_key(n)].id,
                "proxy_resource_id": api.resources[self.definition.proxy_key(n)].id,
                "path": n, "parent_path": settings.services[n].parent,
                "description": settings.services[n].description,
                "integration_type": integration(n, "AWS_PROXY", "HTTP_PROXY"),
            } for n in names},
            "monitoring_info": {
                "monitoring_enabled": True,
                "cloudwatch_alarms": {key: {
                    "alarm_name": alarm.alarm_name, "alarm_arn": alarm.arn,
                    "metric_name": settings.alarms[key].metric, "threshold": settings.alarms[key].threshold,
                    "description": settings.alarms[key].description,
                } for key, alarm in self.monitoring.alarms.items()},
                "dashboard_url": (f"https://{self.env.region}.console.aws.amazon.com/cloudwatch/home?region="
                                  f"{self.env.region}#dashboards:name={self.monitoring.dashboard_name}"),
                "metrics_namespace": "AWS/ApiGateway",
            },
            "integration_info": {
                "alb_dns_name": self.alb_dns_name,
                "integration_timeout": settings.integration_timeout_ms,
                "throttle_rate_limit": settings.throttle_rate_limit,
                "throttle_burst_limit": settings.throttle_burst_limit,
            },
            # The original also reported `migration_date = timestamp()`, which made every plan show a
            # change; it is left out.
            "migration_status": {
                "spring_cloud_gateway_replaced": True,
                "api_gateway_url": invoke_url,
                "monitoring_enabled": True,
            },
        }


def api_definition(env: Environment) -> ApiDefinition:
    """The API's definition from the environment data (services in the order of their names, as
    the original's `for_each` ordered them)."""
    settings = env.api_gateway
    services = [Service(name, s.parent, s.target, tuple(Route(r.path, r.methods) for r in s.routes))
                for name, s in sorted(settings.services.items())]
    return ApiDefinition.expand(services, cors=settings.cors.enabled, settings={
        "binary_media_types": list(settings.binary_media_types),
        "minimum_compression_size": settings.minimum_compression_size,
        "api_key_source": settings.api_key_source,
        "cors": settings.cors.model_dump(),
        "integration_timeout_ms": settings.integration_timeout_ms,
        "lambda_integration_timeout_ms": settings.lambda_integration_timeout_ms,
    })
