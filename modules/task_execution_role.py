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


# The RDS-managed master secret's name (`rds!cluster-<cluster id>-...`) is known only once the cluster exists.
MASTER_SECRET_PATTERN = "rds!cluster-*"


@dataclass(frozen=True)
class ExactReads:
    """What the task definitions reference, exactly: parameter names (`/root/env/db/url`) and secret
    names (a Secrets Manager name, or MASTER_SECRET_PATTERN); a secret's ARN ends in `-` and six
    characters Secrets Manager chooses, matched by `-??????`."""

    parameter_names: tuple[str, ...]
    secret_names: tuple[str, ...]

    def __post_init__(self) -> None:
        bad = [p for p in self.parameter_names if not p.startswith("/") or "*" in p]
        if bad:
            raise ValueError(f"ExactReads.parameter_names: full names without wildcards expected, got {bad}")


@dataclass(frozen=True)
class TaskExecutionRoleProps:
    naming: Naming
    origin: Origin
    region: str
    account_id: str
    # Parameter-hierarchy prefixes (without leading slash) the tasks may read.
    parameter_prefixes: Sequence[str]
    ssm_read_only: bool = True   # the deployed AmazonSSMReadOnlyAccess attachment (every parameter of the account)
    # Given (the narrowed role): the role reads exactly these instead of the prefixes and the master
    # secret, and decrypts only through Parameter Store and Secrets Manager.
    exact_reads: ExactReads | None = None


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
        origin.carry(IamRolePolicy(
            self, "parameter_store_read",
            name=naming.name("parameter-store-read"),
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": read_statements(props)}),
        ), "parameter_store_read")

    @property
    def arn(self) -> str:
        return self.role.arn


def read_statements(props: TaskExecutionRoleProps) -> list[dict]:
    """The parameter, secret and key reads: as deployed (prefix globs, every master secret, every key),
    or exactly what the task definitions reference (`props.exact_reads`)."""
    def arn(service: str) -> str:
        return f"arn:aws:{service}:{props.region}:{props.account_id}"

    reads = props.exact_reads
    if reads is None:
        return [
            {"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
             "Resource": [arn("ssm") + f":parameter/{p}/*" for p in props.parameter_prefixes]},
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
             "Resource": arn("secretsmanager") + ":secret:rds!cluster-*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn("kms") + ":key/*"},
        ]
    secrets = [arn("secretsmanager") + ":secret:" + (name if name == MASTER_SECRET_PATTERN else f"{name}-??????")
               for name in reads.secret_names]
    return [
        # ECS reads the task's parameters with GetParameters, by name.
        {"Effect": "Allow", "Action": ["ssm:GetParameters"],
         "Resource": [arn("ssm") + f":parameter{name}" for name in reads.parameter_names]},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets},
        # SecureString parameters and secrets under AWS-managed keys: decrypted only on their behalf.
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn("kms") + ":key/*",
         "Condition": {"StringEquals": {"kms:ViaService": [f"ssm.{props.region}.amazonaws.com",
                                                           f"secretsmanager.{props.region}.amazonaws.com"]}}},
    ]
