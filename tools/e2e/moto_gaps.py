"""What moto 5.1.22 cannot serve of this platform, as data: each entry names the resource type, the
attributes, the API that falls short and how, and what the scratch override does about it. Nothing
here is silent: every entry that touches a stack is listed in the report and makes that layer partial.

Kinds:
- `Unset`: the attribute is set to `values` in the override (moto cannot create the object with it);
- `Ignored`: `lifecycle.ignore_changes` in the override (moto accepts the value but does not keep it,
  so every plan would show it again; a tamper case never relies on one of these);
- `EXCLUDED_TYPES`: a type moto cannot serve at all, `count = 0` (or `for_each = {}`).

Each was checked against moto 5.1.22 with boto3 (the source says where: moto/<service>/...).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Gap:
    rtype: str
    attributes: tuple[str, ...]
    api: str                       # "EC2:DescribeSubnets"
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)  # Unset only: attribute -> override value
    configured_only: bool = True   # only where the configuration sets one of `attributes`

    def applies_to(self, body: Mapping[str, Any]) -> tuple[str, ...]:
        if not self.configured_only:
            return self.attributes
        return tuple(a for a in self.attributes if a in body)


UNSET: tuple[Gap, ...] = (
    Gap("aws_subnet", ("ipv6_cidr_block", "assign_ipv6_address_on_creation"), "EC2:DescribeSubnets",
        "renders Ipv6CidrBlockAssociationSet[].Ipv6CidrBlockState.State as \"{'State': 'associated'}\" "
        "(moto/ec2/models/subnets.py), so the provider waits for 'associated' until it times out",
        values={"ipv6_cidr_block": None, "assign_ipv6_address_on_creation": False}),
    Gap("aws_cloudtrail", ("enable_logging",), "CloudTrail:StartLogging",
        "looks the trail up by name only (moto/cloudtrail/models.py start_logging: self.trails[name]); the provider "
        "passes the trail's ARN, moto answers HTTP 500 (KeyError), which the provider retries until the apply "
        "times out; the trail is created without logging started", values={"enable_logging": False},
        configured_only=False),  # the attribute defaults to true: unset it even where it is not written
)

IGNORED: tuple[Gap, ...] = (
    Gap("aws_vpc_security_group_ingress_rule", ("description",), "EC2:DescribeSecurityGroupRules",
        "returns no Description for a rule that references another security group"),
    Gap("aws_vpc_security_group_egress_rule", ("description",), "EC2:DescribeSecurityGroupRules",
        "returns no Description for a rule that references another security group"),
    Gap("aws_rds_cluster", ("enable_http_endpoint",), "RDS:CreateDBCluster",
        "keeps EnableHttpEndpoint (the Data API) only for serverless v1 clusters of old engine versions; "
        "HttpEndpointEnabled reads false for Aurora MySQL 3 serverless v2"),
    Gap("aws_rds_cluster", ("iam_database_authentication_enabled",), "RDS:ModifyDBCluster",
        "sets the cluster's enable_iam_database_authentication, while DescribeDBClusters reports iam_auth, which only "
        "CreateDBCluster sets (moto/rds/models.py modify_db_cluster, iam_database_authentication_enabled): turning IAM "
        "authentication on after creation (dev's ladder step database.iam_authentication) is never read back"),
    Gap("aws_rds_cluster", ("scaling_configuration",), "RDS:DescribeDBClusters",
        "returns an empty ScalingConfigurationInfo for a provisioned (serverless v2) cluster, read as a "
        "scaling_configuration block the configuration does not have", configured_only=False),
    Gap("aws_rds_cluster_instance", ("monitoring_interval", "monitoring_role_arn", "performance_insights_enabled",
                                     "performance_insights_retention_period"), "RDS:CreateDBInstance",
        "does not keep MonitoringInterval, MonitoringRoleArn or the Performance Insights settings of an "
        "Aurora instance (DescribeDBInstances returns none)"),
    Gap("aws_ecs_service", ("enable_execute_command", "health_check_grace_period_seconds"), "ECS:CreateService",
        "keeps neither enableExecuteCommand nor healthCheckGracePeriodSeconds (moto/ecs/models.py create_service "
        "takes neither), so DescribeServices returns false and 0"),
    Gap("aws_ecs_service", ("availability_zone_rebalancing",), "ECS:DescribeServices",
        "returns no availabilityZoneRebalancing (moto/ecs/models.py has no such field), read as \"\" against the "
        "provider's default DISABLED", configured_only=False),
    Gap("aws_ecs_service", ("capacity_provider_strategy",), "ECS:CreateService",
        "takes no capacityProviderStrategy (moto/ecs/models.py create_service has no such parameter) and sets "
        "launchType EC2 instead, so DescribeServices returns no strategy, which the provider reads as a change "
        "that replaces the service"),
    Gap("aws_api_gateway_rest_api", ("binary_media_types",), "APIGateway:CreateRestApi",
        "ignores binaryMediaTypes (moto/apigateway/responses.py create_rest_api does not read it), so GetRestApi "
        "returns none"),
    Gap("aws_service_discovery_service", ("health_check_custom_config",), "ServiceDiscovery:GetService",
        "returns HealthCheckCustomConfig as it was sent (moto/servicediscovery/models.py keeps the request's "
        "dict), so the provider's empty block comes back as {} and reads as no block, a forced replacement; "
        "AWS sets FailureThreshold to 1 whatever is sent (the field is no longer supported) and returns it"),
    Gap("aws_instance", ("vpc_security_group_ids",), "EC2:RunInstances",
        "keeps the groups of a NetworkInterfaces launch spec (the provider's form with associate_public_ip_address) "
        "on the interface only: moto/ec2/models/instances.py takes an instance's groups from SecurityGroups and "
        "SecurityGroupIds, so DescribeInstances lists none at Instances[].SecurityGroups"),
)

# A resource that references an excluded one is excluded with it (the override says which), and an
# output that does is set to null.
EXCLUDED_TYPES: Mapping[str, str] = {
    "aws_appautoscaling_target": "ApplicationAutoScaling:ListTagsForResource (not implemented: HTTP 500, which the "
                                 "provider retries on every read until the apply times out)",
    "aws_lambda_provisioned_concurrency_config": "Lambda:PutProvisionedConcurrencyConfig (no route for "
                                                 "/2019-09-30/functions/<name>/provisioned-concurrency in "
                                                 "moto/awslambda/urls.py: HTTP 404)",
    "aws_cloudfront_function": "CloudFront:CreateFunction (no route for /2020-05-31/function in "
                               "moto/cloudfront/urls.py: HTTP 404)",
    "aws_cloudfront_origin_access_identity": "CloudFront:CreateCloudFrontOriginAccessIdentity (no route for "
                                             "/2020-05-31/origin-access-identity/cloudfront in "
                                             "moto/cloudfront/urls.py: HTTP 404)",
}

# moto serves plain HTTP on 127.0.0.1, and it enforces bucket policies: a TLS-only policy (deny when
# aws:SecureTransport is false) would deny every request after it, the backend's included.
PLAIN_HTTP = ("moto serves plain HTTP on 127.0.0.1 and enforces bucket policies: this TLS-only policy "
              "(aws:SecureTransport = false is denied) would deny every later request, the S3 backend's included")
