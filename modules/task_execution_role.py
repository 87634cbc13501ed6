"""The role ECS assumes to start tasks: pull images, write logs, read the task's parameters and the
database's AWS-managed secret.

Each resource declares its place in the original `iam` module (`props.origin`).

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

from modules.naming import Naming
from modules.origin import Origin

ECS_TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
SSM_READ_ONLY_POLICY = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"


@dataclass(frozen=True)
class TaskExecutionRoleProps:
    naming: Naming
    origin: Origin
    region: str
    account_id: str
    # Parameter-hierarchy prefixes (without leading slash) the tasks may read.
    parameter_prefixes: Sequence[str]
    ssm_read_only: bool = True   # the deployed AmazonSSMReadOnlyAccess attachment (every parameter of the account)


class TaskExecutionRole(Construct):
    def __init__(self, scope: Construct, id: str, props: TaskExecutionRoleProps):
        super().__init__(scope, id)
        origin, naming = props.origin, props.naming
        self.role = origin.carry(IamRole(
            self, "Default",
            name=naming.name("ecs-task-execution-role"),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}},
            ]}),
            tags=naming.tags_for("ecs-task-execution-role", Purpose="ecs-task-execution"),
        ), "ecs_task_execution")
        origin.carry(IamRolePolicyAttachment(self, "managed_policy", role=self.role.name,
                                             policy_arn=ECS_TASK_EXECUTION_POLICY), "ecs_task_execution")
        if props.ssm_read_only:
            origin.carry(IamRolePolicyAttachment(self, "ssm_read_only", role=self.role.name,
                                                 policy_arn=SSM_READ_ONLY_POLICY), "ecs_ssm_readonly")
        def arn(service: str) -> str:
            return f"arn:aws:{service}:{props.region}:{props.account_id}"

        origin.carry(IamRolePolicy(
            self, "parameter_store_read",
            name=naming.name("parameter-store-read"),
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                 "Resource": [arn("ssm") + f":parameter/{p}/*" for p in props.parameter_prefixes]},
                {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                 "Resource": arn("secretsmanager") + ":secret:rds!cluster-*"},
                {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn("kms") + ":key/*"},
            ]}),
        ), "parameter_store_read")

    @property
    def arn(self) -> str:
        return self.role.arn
