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
)

IGNORED: tuple[Gap, ...] = (
    Gap("aws_vpc_security_group_ingress_rule", ("description",), "EC2:DescribeSecurityGroupRules",
        "returns no Description for a rule that references another security group"),
    Gap("aws_vpc_security_group_egress_rule", ("description",), "EC2:DescribeSecurityGroupRules",
        "returns no Description for a rule that references another security group"),
    Gap("aws_rds_cluster", ("enable_http_endpoint",), "RDS:CreateDBCluster",
        "keeps EnableHttpEndpoint (the Data API) only for serverless v1 clusters of old engine versions; "
        "HttpEndpointEnabled reads false for Aurora MySQL 3 serverless v2"),
    Gap("aws_rds_cluster", ("scaling_configuration",), "RDS:DescribeDBClusters",
        "returns an empty ScalingConfigurationInfo for a provisioned (serverless v2) cluster, read as a "
        "scaling_configuration block the configuration does not have", configured_only=False),
    Gap("aws_rds_cluster_instance", ("monitoring_interval", "monitoring_role_arn", "performance_insights_enabled",
                                     "performance_insights_retention_period"), "RDS:CreateDBInstance",
        "does not keep MonitoringInterval, MonitoringRoleArn or the Performance Insights settings of an "
        "Aurora instance (DescribeDBInstances returns none)"),
)

# A resource that references an excluded one is excluded with it (the override says which), and an
# output that does is set to null.
EXCLUDED_TYPES: Mapping[str, str] = {
    "aws_appautoscaling_target": "ApplicationAutoScaling:ListTagsForResource (not implemented: HTTP 500, which the "
                                 "provider retries on every read until the apply times out)",
}

# moto serves plain HTTP on 127.0.0.1, and it enforces bucket policies: a TLS-only policy (deny when
# aws:SecureTransport is false) would deny every request after it, the backend's included.
PLAIN_HTTP = ("moto serves plain HTTP on 127.0.0.1 and enforces bucket policies: this TLS-only policy "
              "(aws:SecureTransport = false is denied) would deny every later request, the S3 backend's included")
