"""Managed IAM policies that workloads attach: read the database's secrets, read the parameter
hierarchy, write their logs. Each is scoped to the environment's name prefix and region.

Holds no roles: the roles that attach these live with their workloads.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from constructs import Construct

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class AccessPoliciesProps:
    name_prefix: str
    region: str
    tags: Mapping[str, str] = field(default_factory=dict)


def _document(*statements: dict) -> str:
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)})


def _kms_via(region: str, service: str) -> dict:
    return {
        "Sid": "DecryptSecrets" if service == "secretsmanager" else "DecryptParameters",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Resource": f"arn:aws:kms:{region}:*:key/*",
        "Condition": {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}},
    }


class AccessPolicies(Construct):
    def __init__(self, scope: Construct, id: str, props: AccessPoliciesProps):
        super().__init__(scope, id)
        self.props = props
        prefix, region = props.name_prefix, props.region
        # The descriptions are the deployed ones: changing an IAM policy's description replaces it.
        self.rds_secret_access = self._policy(
            "rds_secret_access", "rds-secret-access", "RDS 관리형 데이터베이스 시크릿 접근 정책",
            _document(
                {"Sid": "GetRDSSecrets", "Effect": "Allow",
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": [f"arn:aws:secretsmanager:{region}:*:secret:rds-db-credentials/*",
                              f"arn:aws:secretsmanager:{region}:*:secret:{prefix}-*"]},
                _kms_via(region, "secretsmanager"),
            ),
        )
        self.parameter_store_access = self._policy(
            "parameter_store_access", "parameter-store-access", "Parameter Store 설정 정보 접근 정책",
            _document(
                {"Sid": "GetParameters", "Effect": "Allow",
                 "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                 "Resource": [f"arn:aws:ssm:{region}:*:parameter/{prefix}/*"]},
                _kms_via(region, "ssm"),
            ),
        )
        self.cloudwatch_logs_access = self._policy(
            "cloudwatch_logs_access", "cloudwatch-logs-access", "CloudWatch Logs 접근 정책",
            _document(
                {"Sid": "CloudWatchLogsAccess", "Effect": "Allow",
                 "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                            "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                 "Resource": [f"arn:aws:logs:{region}:*:log-group:/ecs/{prefix}*",
                              f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{prefix}*"]},
            ),
            purpose="cloudwatch-logs",
        )

    def _policy(self, id: str, suffix: str, description: str, document: str, purpose: str | None = None) -> IamPolicy:
        name = f"{self.props.name_prefix}-{suffix}"
        return IamPolicy(
            self, id, name=name, description=description, policy=document,
            tags={**self.props.tags, "Name": name, "Component": "iam-policy", "Purpose": purpose or suffix},
        )
