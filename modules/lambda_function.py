"""A Python Lambda function inside a VPC, with what it needs to run: its execution role (AWS managed
policies attached, inline policies given by the caller), its log group, a security group with the
given egress rules, and the zip package handed to Terraform as a cdktf file asset.

Names come from `props.naming`: the function is `<prefix>-<function_suffix>`, its role, security
group and log-group tag `<prefix>-<stem>-execution-role`, `-sg`, `-logs`. Each resource declares its
original address through `props.origin` by its part name (`execution_role`, `logs`, `security_group`,
`function`, and the ids of the rules and policies given).

It writes no policy of its own: the caller states every permission (least privilege is the caller's
decision, and tested there). It knows nothing about layers or environments.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionEnvironment,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin
from modules.packaging import BuiltPackage

LAMBDA_TRUST_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
]})


@dataclass(frozen=True)
class EgressRule:
    id: str
    description: str
    protocol: str
    port: int
    cidr_blocks: tuple[str, ...]


@dataclass(frozen=True)
class InlinePolicy:
    id: str
    name: str          # below the name prefix: <prefix>-<name>
    statements: tuple[Mapping, ...]

    def document(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in self.statements]})


@dataclass(frozen=True)
class VpcLambdaFunctionProps:
    naming: Naming
    origin: Origin
    function_suffix: str            # the function is named <prefix>-<function_suffix>
    stem: str                       # role, security group and log tag: <prefix>-<stem>-...
    service_tag: str                # the `Service` tag of the function and its log group
    security_group_description: str
    package: BuiltPackage
    handler: str
    runtime: str
    timeout: int
    memory_size: int
    log_retention_days: int
    vpc_id: str
    subnet_ids: Sequence[str]
    egress_rules: Sequence[EgressRule]
    managed_policy_arns: Mapping[str, str]
    inline_policies: Sequence[InlinePolicy]
    environment: Mapping[str, str]

    def __post_init__(self) -> None:
        if not 1 <= self.timeout <= 900:
            raise ValueError(f"VpcLambdaFunctionProps.timeout must be 1..900 seconds (got {self.timeout})")
        if not 128 <= self.memory_size <= 10240:
            raise ValueError(f"VpcLambdaFunctionProps.memory_size must be 128..10240 MB (got {self.memory_size})")
        ids = [p.id for p in self.inline_policies] + [r.id for r in self.egress_rules] + list(self.managed_policy_arns)
        if len(set(ids)) != len(ids):
            raise ValueError(f"VpcLambdaFunctionProps: policy and rule ids must be unique (got {ids})")


class VpcLambdaFunction(Construct):
    def __init__(self, scope: Construct, id: str, props: VpcLambdaFunctionProps):
        super().__init__(scope, id)
        origin, naming = props.origin, props.naming
        function_name = naming.name(props.function_suffix)
        role_name, security_group_name = naming.name(props.stem, "execution-role"), naming.name(props.stem, "sg")
        self.role = origin.carry(IamRole(self, "execution_role", name=role_name, assume_role_policy=LAMBDA_TRUST_POLICY,
                                         tags=naming.tags_for(Name=role_name, Type="iam-role")), "execution_role")
        self.policy_attachments = [
            origin.carry(IamRolePolicyAttachment(self, key, policy_arn=arn, role=self.role.name), key)
            for key, arn in props.managed_policy_arns.items()
        ]
        self.inline_policies = {
            p.id: origin.carry(IamRolePolicy(self, p.id, name=naming.name(p.name), role=self.role.id,
                                             policy=p.document()), p.id)
            for p in props.inline_policies
        }
        self.log_group = origin.carry(CloudwatchLogGroup(
            self, "logs", name=f"/aws/lambda/{function_name}", retention_in_days=props.log_retention_days,
            tags=naming.tags_for(props.stem, "logs", Service=props.service_tag)), "logs")
        self.security_group = origin.carry(SecurityGroup(
            self, "security_group", name=security_group_name, description=props.security_group_description,
            vpc_id=props.vpc_id, tags=naming.tags_for(Name=security_group_name)), "security_group")
        for rule in props.egress_rules:
            origin.carry(SecurityGroupRule(
                self, rule.id, type="egress", security_group_id=self.security_group.id,
                description=rule.description, protocol=rule.protocol,
                from_port=rule.port, to_port=rule.port, cidr_blocks=list(rule.cidr_blocks)), rule.id)
        # A content-addressed copy in the stack folder: Terraform reads it relative to the stack.
        self.asset = TerraformAsset(self, "package", path=str(props.package.path), type=AssetType.FILE,
                                    asset_hash=props.package.short_hash)
        self.function = origin.carry(LambdaFunction(
            self, "Default",
            function_name=function_name,
            role=self.role.arn,
            handler=props.handler,
            runtime=props.runtime,
            timeout=props.timeout,
            memory_size=props.memory_size,
            filename=self.asset.path,
            source_code_hash=props.package.source_code_hash,
            vpc_config=LambdaFunctionVpcConfig(subnet_ids=props.subnet_ids,
                                               security_group_ids=[self.security_group.id]),
            environment=LambdaFunctionEnvironment(variables=dict(props.environment)),
            tags=naming.tags_for(Name=function_name, Service=props.service_tag),
            depends_on=[*self.policy_attachments, *self.inline_policies.values(), self.log_group],
        ), "function")
