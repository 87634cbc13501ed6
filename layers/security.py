"""Layer 02-security: workload security groups, shared IAM policies, the team's CLI users and the
ECS task execution role. Reads 01-network, and 07-application when ALB integration is on.

The 07 read closes a cycle (07 needs this layer's groups): it is declared with the switch
`security.alb_integration`, so `tools.graph` deploys this layer first with the switch off, then
again once 07 exists. With it on, the ALB -> ECS rule appears once 07 exports `alb_security_group_id`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity

from layers.base import LayerStack
from layers.contracts import application, network
from layers.contracts.security import OUTPUTS
from modules.access_policies import AccessPolicies, AccessPoliciesProps
from modules.nacl_rules import TIERS, TierCidrs, nacl_rules
from modules.network_acls import NetworkAcls, NetworkAclsProps
from modules.origin import Origin
from modules.task_execution_role import MASTER_SECRET_PATTERN, ExactReads, TaskExecutionRole, TaskExecutionRoleProps
from modules.team_access import TeamAccess, TeamAccessProps
from modules.workload_security_groups import WorkloadSecurityGroups, WorkloadSecurityGroupsProps

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
ALB_INTEGRATION = "security.alb_integration"


class SecurityStack(LayerStack):
    layer = "02-security"
    outputs = OUTPUTS
    deployed_layer_tag = "01-network"

    def build(self) -> None:
        env = self.env
        net = self.read(network.OUTPUTS)
        alb_security_group_id = None
        if env.security.alb_integration:
            app = self.read(application.OUTPUTS, switch=ALB_INTEGRATION)
            alb_security_group_id = Fn.try_([app.string("alb_security_group_id"), ""])
        self.vpce_security_group_id = Fn.try_([net.string("vpce_security_group_id"), ""])
        security_groups = Origin("module.security_groups")
        iam = Origin("module.iam_roles")
        self.groups = WorkloadSecurityGroups(self, "sg", WorkloadSecurityGroupsProps(
            naming=self.naming,
            origin=security_groups,
            vpc_id=net.string("vpc_id"),
            endpoints_security_group_id=self.vpce_security_group_id,
            database_port=env.security.database_port,
            task_port=env.security.ecs_task_port,
            alb_security_group_id=alb_security_group_id,
        ))
        self.policies = AccessPolicies(self, "policies", AccessPoliciesProps(
            naming=self.naming, origin=security_groups, region=env.region))
        if env.security.team_admin_group:
            TeamAccess(self, "team", TeamAccessProps(
                naming=self.naming, origin=iam, members=env.security.team_members,
                group_policy_arn=ADMINISTRATOR_ACCESS))
        if env.security.network_acls:
            self._network_acls(net)
        caller = DataAwsCallerIdentity(self, "current")
        self.execution_role = TaskExecutionRole(self, "ecs_task_execution", TaskExecutionRoleProps(
            naming=self.naming_for("02-security/task-execution"), origin=iam, region=env.region,
            account_id=caller.account_id, parameter_prefixes=[env.name_prefix],
            ssm_read_only=not env.security.narrow_execution_role, exact_reads=self._task_reads()))

    def _task_reads(self) -> ExactReads | None:
        """As deployed (None): the name prefix (a glob that matches no parameter: they live under
        <root>/<environment>) and every master secret. Narrowed: exactly the parameters and secrets
        07's task definitions reference (`application.task_database_reads`), nothing wider."""
        env = self.env
        if not env.security.narrow_execution_role:
            return None
        reads = [application.task_database_reads(env, s) for s in application.database_services(env)]
        parameters = {r.url_parameter for r in reads} | {r.username_parameter for r in reads if r.username_parameter}
        secrets = {r.user_secret_name or MASTER_SECRET_PATTERN for r in reads}
        return ExactReads(tuple(sorted(parameters)), tuple(sorted(secrets)))

    def _network_acls(self, net: Any) -> None:
        env = self.env
        cidrs = TierCidrs(env.network.vpc_cidr, env.network.public_subnet_cidrs,
                          env.network.private_app_subnet_cidrs, env.network.private_db_subnet_cidrs)
        service_ports = {s.port for s in env.application.services.values()} | {env.security.ecs_task_port}
        NetworkAcls(self, "nacl", NetworkAclsProps(
            naming=self.naming, vpc_id=net.string("vpc_id"),
            subnet_ids={tier: net.values(f"{tier}_subnet_ids") for tier in TIERS},
            rules=nacl_rules(cidrs, sorted(service_ports), env.security.database_port)))

    def output_values(self) -> Mapping[str, Any]:
        return {
            "ecs_security_group_id": self.groups.ecs_security_group_id,
            "aurora_security_group_id": self.groups.aurora_security_group_id,
            # The ALB security group belongs to 07-application; this layer never had one.
            "alb_security_group_id": "",
            "vpce_security_group_id": self.vpce_security_group_id,
            "rds_secret_access_policy_arn": self.policies.rds_secret_access_arn,
            "parameter_store_access_policy_arn": self.policies.parameter_store_access_arn,
            "cloudwatch_logs_access_policy_arn": self.policies.cloudwatch_logs_access_arn,
            "ecs_task_execution_role_arn": self.execution_role.arn,
        }
