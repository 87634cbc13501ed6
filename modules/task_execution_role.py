"""The role ECS assumes to start tasks: pull images, write logs, read the task's parameters and the
database's AWS-managed secret.

Holds no task role (what the application itself may do lives with the application).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

ECS_TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
SSM_READ_ONLY_POLICY = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"


@dataclass(frozen=True)
class TaskExecutionRoleProps:
    name_prefix: str
    region: str
    account_id: str
    # Parameter-hierarchy prefixes (without leading slash) the tasks may read.
    parameter_prefixes: Sequence[str]


class TaskExecutionRole(Construct):
    def __init__(self, scope: Construct, id: str, props: TaskExecutionRoleProps):
        super().__init__(scope, id)
        name = f"{props.name_prefix}-ecs-task-execution-role"
        self.role = IamRole(
            self, "Default",
            name=name,
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}},
            ]}),
            tags={"Name": name, "Component": "iam", "Purpose": "ecs-task-execution", "ManagedBy": "terraform"},
        )
        IamRolePolicyAttachment(self, "managed_policy", role=self.role.name, policy_arn=ECS_TASK_EXECUTION_POLICY)
        IamRolePolicyAttachment(self, "ssm_read_only", role=self.role.name, policy_arn=SSM_READ_ONLY_POLICY)
        def arn(service: str) -> str:
            return f"arn:aws:{service}:{props.region}:{props.account_id}"

        IamRolePolicy(
            self, "parameter_store_read",
            name=f"{props.name_prefix}-parameter-store-read",
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                 "Resource": [arn("ssm") + f":parameter/{p}/*" for p in props.parameter_prefixes]},
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                 "Resource": arn("secretsmanager") + ":secret:rds!cluster-*"},
                {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn("kms") + ":key/*"},
            ]}),
        )

    @property
    def arn(self) -> str:
        return self.role.arn
