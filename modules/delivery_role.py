"""The role GitHub Actions assumes (OIDC web identity, one repository) to push images to ECR, roll
the ECS services, and read what a deployment needs (logs, metrics, parameters, the database secret,
the Terraform state bucket).

Holds no OIDC provider: it exists in the account already and is only looked up.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_iam_openid_connect_provider import DataAwsIamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

TOKEN_HOST = "token.actions.githubusercontent.com"
ECR_ACTIONS = (
    "GetAuthorizationToken", "BatchCheckLayerAvailability", "GetDownloadUrlForLayer", "GetRepositoryPolicy",
    "DescribeRepositories", "ListImages", "DescribeImages", "BatchGetImage", "GetLifecycleConfiguration",
    "GetLifecyclePolicy", "GetLifecyclePolicyPreview", "ListTagsForResource", "DescribeImageScanFindings",
    "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "PutImageTagMutability",
    "PutLifecycleConfiguration", "PutImageScanningConfiguration", "StartImageScan", "TagResource", "UntagResource",
    "DeleteLifecycleConfiguration", "BatchDeleteImage", "SetRepositoryPolicy", "DeleteRepository", "CreateRepository",
)
ECS_ACTIONS = (
    "UpdateService", "DescribeServices", "DescribeTasks", "ListTasks", "DescribeTaskDefinition",
    "RegisterTaskDefinition", "DeregisterTaskDefinition", "ListTaskDefinitions", "RunTask", "StopTask", "StartTask",
    "ExecuteCommand", "PutClusterCapacityProviders", "DeleteClusterCapacityProviders", "DescribeClusters",
    "ListClusters",
)
LOGS_ACTIONS = ("CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogStreams", "DescribeLogGroups",
                "ListTagsLogGroup")


@dataclass(frozen=True)
class DeliveryRoleProps:
    naming: Naming
    origin: Origin
    role_name: str
    policy_name: str
    repository: str              # "owner/name" of the repository whose workflows may assume the role
    state_bucket: str
    parameter_root: str          # "/petclinic": the parameter hierarchy a deployment may read


def _allow(actions, resource) -> dict:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource}


class DeliveryRole(Construct):
    def __init__(self, scope: Construct, id: str, props: DeliveryRoleProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        github = DataAwsIamOpenidConnectProvider(self, "github", url=f"https://{TOKEN_HOST}")
        self.role = origin.carry(IamRole(
            self, "Default",
            name=props.role_name,
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": github.arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{TOKEN_HOST}:aud": "sts.amazonaws.com"},
                              "StringLike": {f"{TOKEN_HOST}:sub": f"repo:{props.repository}:*"}}}]}),
            tags=naming.tags_for(Purpose="github-actions-ci-cd"),
        ), "role")
        origin.carry(IamRolePolicy(
            self, "policy",
            name=props.policy_name,
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [
                _allow([f"ecr:{a}" for a in ECR_ACTIONS], "*"),
                _allow([f"ecs:{a}" for a in ECS_ACTIONS], "*"),
                _allow([f"logs:{a}" for a in LOGS_ACTIONS], "arn:aws:logs:*:*:log-group:/ecs/*"),
                _allow(["cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*"),
                _allow(["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:DescribeParameters"],
                       f"arn:aws:ssm:*:*:parameter{props.parameter_root}/*"),
                _allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                       "arn:aws:secretsmanager:*:*:secret:rds!cluster-*"),
                _allow(["kms:Decrypt", "kms:DescribeKey"], "arn:aws:kms:*:*:key/*"),
                _allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
                       [f"arn:aws:s3:::{props.state_bucket}", f"arn:aws:s3:::{props.state_bucket}/*"]),
            ]}),
        ), "policy")
