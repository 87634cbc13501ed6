"""Layer 02-security: workload security groups, shared IAM policies, the team's CLI users and the
ECS task execution role. Reads 01-network, and 07-application when ALB integration is on.

The 07 read closes a cycle (07 needs this layer's groups): with `security.alb_integration` off,
this layer deploys first; with it on, the ALB -> ECS rule appears once 07 exports
`alb_security_group_id` (the original's 07 never did, so the rule has never existed).
"""
from __future__ import annotations

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from layers.base import LayerStack, logical_id
from modules.access_policies import AccessPolicies, AccessPoliciesProps
from modules.task_execution_role import TaskExecutionRole, TaskExecutionRoleProps
from modules.team_access import TeamAccess, TeamAccessProps
from modules.workload_security_groups import WorkloadSecurityGroups, WorkloadSecurityGroupsProps
from settings import Environment

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


class SecurityStack(LayerStack):
    layer = "02-security"
    deployed_layer_tag = "01-network"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        network = self.remote_state("network", "01-network")
        alb_security_group_id = None
        if env.security.alb_integration:
            application = self.remote_state("application", "07-application")
            alb_security_group_id = Fn.try_([application.get_string("alb_security_group_id"), ""])
        vpce_security_group_id = Fn.try_([network.get_string("vpce_security_group_id"), ""])

        tags = {**env.tags, "Environment": env.environment, "Region": env.region,
                "Layer": self.layer, "Component": "security"}
        self.groups = WorkloadSecurityGroups(self, "sg", WorkloadSecurityGroupsProps(
            name_prefix=env.name_prefix,
            environment=env.environment,
            vpc_id=network.get_string("vpc_id"),
            endpoints_security_group_id=vpce_security_group_id,
            database_port=env.security.database_port,
            task_port=env.security.ecs_task_port,
            alb_security_group_id=alb_security_group_id,
            tags=tags,
        ))
        self.policies = AccessPolicies(self, "policies", AccessPoliciesProps(
            name_prefix=env.name_prefix, region=env.region, tags=tags))
        TeamAccess(self, "team", TeamAccessProps(
            name_prefix=env.name_prefix, members=env.security.team_members, group_policy_arn=ADMINISTRATOR_ACCESS))
        caller = DataAwsCallerIdentity(self, "current")
        self.execution_role = TaskExecutionRole(self, "ecs_task_execution", TaskExecutionRoleProps(
            name_prefix=env.name_prefix, region=env.region, account_id=caller.account_id,
            parameter_prefixes=[env.name_prefix]))

        self.output("ecs_security_group_id", self.groups.ecs.id, "Security group of the ECS tasks")
        self.output("aurora_security_group_id", self.groups.aurora.id, "Security group of the Aurora cluster")
        # The ALB security group belongs to 07-application; this layer never had one.
        self.output("alb_security_group_id", "", "ALB security group (owned by 07-application; empty here)")
        self.output("vpce_security_group_id", vpce_security_group_id, "Security group of the VPC endpoints")
        self.output("rds_secret_access_policy_arn", self.policies.rds_secret_access.arn,
                    "Policy that reads the database's secrets")
        self.output("parameter_store_access_policy_arn", self.policies.parameter_store_access.arn,
                    "Policy that reads the parameter hierarchy")
        self.output("cloudwatch_logs_access_policy_arn", self.policies.cloudwatch_logs_access.arn,
                    "Policy that writes the workloads' logs")
        self.output("ecs_task_execution_role_arn", self.execution_role.arn, "ECS task execution role")
        self.carry_over_state(original_addresses(env))


def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state."""
    sg, iam = "module.security_groups", "module.iam_roles"
    moves = {
        "aws_security_group.sg_ecs": f"{sg}.aws_security_group.ecs",
        "aws_security_group.sg_aurora": f"{sg}.aws_security_group.rds",
        "aws_vpc_security_group_ingress_rule.sg_aurora_from_ecs": f"{sg}.aws_vpc_security_group_ingress_rule.rds_in_from_ecs",
        "aws_vpc_security_group_egress_rule.sg_ecs_to_aurora": f"{sg}.aws_vpc_security_group_egress_rule.ecs_out_to_rds",
        "aws_vpc_security_group_egress_rule.sg_ecs_to_endpoints_https":
            f"{sg}.aws_vpc_security_group_egress_rule.ecs_out_to_vpce_443[0]",
        "aws_iam_policy.policies_rds_secret_access": f"{sg}.aws_iam_policy.rds_secret_access",
        "aws_iam_policy.policies_parameter_store_access": f"{sg}.aws_iam_policy.parameter_store_access",
        "aws_iam_policy.policies_cloudwatch_logs_access": f"{sg}.aws_iam_policy.cloudwatch_logs_access",
        "aws_iam_group.team": f"{iam}.aws_iam_group.cli_users",
        "aws_iam_group_policy_attachment.team_policy": f"{iam}.aws_iam_group_policy_attachment.cli_admin",
        "aws_iam_group_membership.team_membership": f"{iam}.aws_iam_group_membership.cli_users",
        "aws_iam_role.ecs_task_execution": f"{iam}.aws_iam_role.ecs_task_execution",
        "aws_iam_role_policy_attachment.ecs_task_execution_managed_policy":
            f"{iam}.aws_iam_role_policy_attachment.ecs_task_execution",
        "aws_iam_role_policy_attachment.ecs_task_execution_ssm_read_only":
            f"{iam}.aws_iam_role_policy_attachment.ecs_ssm_readonly",
        "aws_iam_role_policy.ecs_task_execution_parameter_store_read": f"{iam}.aws_iam_role_policy.parameter_store_read",
    }
    for member in env.security.team_members:
        moves[f"aws_iam_user.{logical_id(['team', member])}"] = f'{iam}.aws_iam_user.members["{member}"]'
    return moves
