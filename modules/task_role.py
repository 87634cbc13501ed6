"""One service's ECS task role: what the application in the container may do (§8.1), apart from the
execution role ECS uses to start it. Reads of the service's own Parameter Store paths (and the
environment's shared ones), X-Ray segment writes and CloudWatch metric writes; nothing else.
Resources are new (the original ran every task under its execution role)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

ECS_TASKS_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
PARAMETER_READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
# X-Ray's and CloudWatch's write actions take no resource ARN: "*" is the only form IAM accepts (the
# metric namespace is the application's choice, so it is not pinned by a condition here).
XRAY_WRITES = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
               "xray:GetSamplingTargets"]


@dataclass(frozen=True)
class TaskRoleProps:
    naming: Naming
    service: str
    region: str
    account_id: str
    parameter_paths: Sequence[str]   # full paths without a trailing slash, e.g. /petclinic/prod/customers

    def __post_init__(self) -> None:
        bad = [p for p in self.parameter_paths if not p.startswith("/") or p.endswith("/")]
        if not self.parameter_paths or bad:
            raise ValueError(f"TaskRoleProps.parameter_paths: absolute paths without trailing '/' expected, got {bad}")


class TaskRole(Construct):
    """`role`: the task role of one service."""

    def __init__(self, scope: Construct, id: str, props: TaskRoleProps):
        super().__init__(scope, id)
        naming = props.naming
        origin = Origin.new("the services ran under their execution role; the design gives each a task role (A85)")
        name = naming.name(props.service, "task-role")
        self.role = origin.carry(IamRole(self, "Default", name=name, assume_role_policy=ECS_TASKS_TRUST,
                                         tags=naming.tags_for(Name=name, Type="iam-role")), "task_role")
        parameters = [f"arn:aws:ssm:{props.region}:{props.account_id}:parameter{p}/*" for p in props.parameter_paths]
        origin.carry(IamRolePolicy(self, "policy", name=naming.name(props.service, "task-policy"), role=self.role.id,
                                   policy=json.dumps({"Version": "2012-10-17", "Statement": [
                                       {"Sid": "ReadOwnParameters", "Effect": "Allow", "Action": PARAMETER_READS,
                                        "Resource": parameters},
                                       {"Sid": "WriteTraces", "Effect": "Allow", "Action": XRAY_WRITES,
                                        "Resource": "*"},
                                       {"Sid": "WriteMetrics", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
                                        "Resource": "*"},
                                   ]}, separators=(",", ":"))), "task_policy")

    @property
    def arn(self) -> str:
        return self.role.arn
