"""Security groups of the workloads: the ECS tasks and the Aurora cluster, and the rules between them.

ECS tasks may reach Aurora on the database port and the VPC interface endpoints on HTTPS; Aurora
admits the database port from the ECS tasks (and from a Lambda security group when one is given).
An ALB security group, when known, may reach the tasks on their port.

Each resource declares its place in the original `security` module (`props.origin`).

Holds no ALB or endpoint security group: those belong to the constructs that own the ALB and the
endpoints; their ids come in as props.
"""
from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin, created

HTTPS = 443


@dataclass(frozen=True)
class WorkloadSecurityGroupsProps:
    naming: Naming
    origin: Origin
    vpc_id: str
    endpoints_security_group_id: str
    database_port: int = 3306
    task_port: int = 8080
    # An ALB security group id that may be known only when Terraform plans (a remote-state read):
    # the ingress rule then exists only when the id is not empty.
    alb_security_group_id: str | None = None
    lambda_security_group_id: str | None = None


class WorkloadSecurityGroups(Construct):
    def __init__(self, scope: Construct, id: str, props: WorkloadSecurityGroupsProps):
        super().__init__(scope, id)
        self.props = props
        origin, naming = props.origin, props.naming
        self.ecs = origin.carry(SecurityGroup(
            self, "ecs",
            name=naming.name("ecs-security-group"),
            description="Security group for ECS tasks",
            vpc_id=props.vpc_id,
            tags=naming.tags_for("ecs-security-group", Tier="app"),
        ), "ecs")
        self.aurora = origin.carry(SecurityGroup(
            self, "aurora",
            name=naming.name("aurora-security-group"),
            description="Security group for Aurora MySQL cluster",
            vpc_id=props.vpc_id,
            tags=naming.tags_for("aurora-security-group", Tier="db"),
        ), "rds")
        port = props.database_port
        origin.carry(VpcSecurityGroupIngressRule(
            self, "aurora_from_ecs",
            security_group_id=self.aurora.id, referenced_security_group_id=self.ecs.id,
            description="Allow Aurora port from ECS task SG",
            from_port=port, to_port=port, ip_protocol="tcp",
        ), "rds_in_from_ecs")
        if props.lambda_security_group_id:
            origin.carry(VpcSecurityGroupIngressRule(
                self, "aurora_from_lambda",
                security_group_id=self.aurora.id, referenced_security_group_id=props.lambda_security_group_id,
                description="Allow Aurora port from Lambda GenAI SG",
                from_port=port, to_port=port, ip_protocol="tcp",
            ), "rds_in_from_lambda", 0)
        origin.carry(VpcSecurityGroupEgressRule(
            self, "ecs_to_aurora",
            security_group_id=self.ecs.id, referenced_security_group_id=self.aurora.id,
            description="Allow outbound to Aurora port from ECS",
            from_port=port, to_port=port, ip_protocol="tcp",
        ), "ecs_out_to_rds")
        origin.carry(VpcSecurityGroupEgressRule(
            self, "ecs_to_endpoints_https",
            security_group_id=self.ecs.id, referenced_security_group_id=props.endpoints_security_group_id,
            description="Allow HTTPS (443) outbound to VPCE SG",
            from_port=HTTPS, to_port=HTTPS, ip_protocol="tcp",
        ), "ecs_out_to_vpce_443", 0)
        if props.alb_security_group_id is not None:
            alb = props.alb_security_group_id
            rule = VpcSecurityGroupIngressRule(
                self, "ecs_from_alb",
                count=Fn.length_of(Fn.compact([alb])),  # 1 when the id is not empty
                security_group_id=self.ecs.id, referenced_security_group_id=alb,
                description=f"Allow {props.task_port}/tcp from the ALB SG",
                from_port=props.task_port, to_port=props.task_port, ip_protocol="tcp",
            )
            created(rule, "the original's ALB -> ECS rule never had an instance: its ALB id was always empty")

    @property
    def ecs_security_group_id(self) -> str:
        return self.ecs.id

    @property
    def aurora_security_group_id(self) -> str:
        return self.aurora.id
