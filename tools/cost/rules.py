"""Which rule prices which resource type. A type here is billable; a type in data/free.json costs
nothing (with the reason); any other type stops the estimate, naming the type and the address."""
from __future__ import annotations

from typing import Callable

from tools.cost import rules_compute as compute
from tools.cost import rules_managed as managed
from tools.cost import rules_network as network
from tools.cost.charges import Charge, Context
from tools.cost.stacks import Instance

Rule = Callable[[Instance, Context], list[Charge]]

RULES: dict[str, Rule] = {
    "aws_nat_gateway": network.nat_gateway,
    "aws_eip": network.eip,
    "aws_vpc_endpoint": network.vpc_endpoint,
    "aws_lb": network.load_balancer,
    "aws_ecs_service": compute.ecs_service,
    "aws_rds_cluster": compute.rds_cluster,
    "aws_rds_cluster_instance": compute.rds_cluster_instance,
    "aws_lambda_function": compute.lambda_function,
    "aws_lambda_provisioned_concurrency_config": compute.provisioned_concurrency,
    "aws_instance": compute.ec2_instance,
    "aws_cloudwatch_metric_alarm": managed.alarm,
    "aws_cloudwatch_dashboard": managed.dashboard,
    "aws_cloudwatch_log_group": managed.log_group,
    "aws_cloudwatch_log_metric_filter": managed.metric_filter,
    "aws_secretsmanager_secret": managed.secret,
    "aws_kms_key": managed.kms_key,
    "aws_wafv2_web_acl": managed.web_acl,
    "aws_api_gateway_rest_api": managed.rest_api,
    "aws_apigatewayv2_api": managed.http_api,
    "aws_service_discovery_private_dns_namespace": managed.dns_namespace,
    "aws_service_discovery_service": managed.discovery_service,
    "aws_ssm_parameter": managed.ssm_parameter,
    "aws_s3_bucket": managed.bucket,
    "aws_cloudfront_distribution": managed.distribution,
    "aws_cloudfront_function": managed.cloudfront_function,
    "aws_sns_topic": managed.topic,
    "aws_ecr_repository": managed.repository,
    "aws_cloudtrail": managed.trail,
}
