"""Managed IAM policies that workloads attach: read the database's secrets, read the parameter
hierarchy, write their logs. Each is scoped to the environment's name prefix and region.

Each policy declares its place in the original `security` module (`props.origin`).

Holds no roles: the roles that attach these live with their workloads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class AccessPoliciesProps:
    naming: Naming
    origin: Origin
    region: str


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
        prefix, region = props.naming.prefix, props.region
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

    @property
    def rds_secret_access_arn(self) -> str:
        return self.rds_secret_access.arn

    @property
    def parameter_store_access_arn(self) -> str:
        return self.parameter_store_access.arn

    @property
    def cloudwatch_logs_access_arn(self) -> str:
        return self.cloudwatch_logs_access.arn

    def _policy(self, id: str, suffix: str, description: str, document: str, purpose: str | None = None) -> IamPolicy:
        naming = self.props.naming
        return self.props.origin.carry(IamPolicy(
            self, id, name=naming.name(suffix), description=description, policy=document,
            tags=naming.tags_for(suffix, Component="iam-policy", Purpose=purpose or suffix),
        ), id)
