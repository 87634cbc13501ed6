"""A Python Lambda function with what it needs to run: its execution role (AWS managed policies
attached, inline policies given by the caller), its log group, and the zip package handed to Terraform
as a cdktf file asset. Optionally: a place in a VPC (a security group with the given egress rules), a
secret it reads (created empty, readable by its role alone, its ARN in an environment variable), and an
SNS topic that invokes it.

Every name and tag is the caller's (from its `Naming`); each resource declares its original address
through `props.origin` by its part name (`logs`, `security_group`, `function`, `sns_invoke`,
`subscription`, and the ids of the role, rules and policies given). It writes no policy of its own but
the secret's read: the caller states every permission. It knows nothing about layers or environments.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.origin import Origin, created
from modules.packaging import BuiltPackage

LAMBDA_TRUST_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
]})


@dataclass(frozen=True)
class InlinePolicy:
    id: str
    name: str
    statements: tuple[Mapping, ...]
    origin: Origin | None = None       # where it was in the original state; None: the function's origin

    def document(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in self.statements]})


@dataclass(frozen=True)
class FunctionCode:
    package: BuiltPackage
    handler: str
    runtime: str
    timeout: int
    memory_size: int | None = None     # None: Lambda's default

    def __post_init__(self) -> None:
        if not 1 <= self.timeout <= 900:
            raise ValueError(f"FunctionCode.timeout must be 1..900 seconds (got {self.timeout})")
        if self.memory_size is not None and not 128 <= self.memory_size <= 10240:
            raise ValueError(f"FunctionCode.memory_size must be 128..10240 MB (got {self.memory_size})")


@dataclass(frozen=True)
class FunctionRole:
    id: str                            # the role's construct id and part name ("execution_role")
    name: str
    tags: Mapping[str, str]
    managed_policy_arns: Mapping[str, str] = field(default_factory=dict)   # attachment id -> ARN
    inline_policies: Sequence[InlinePolicy] = ()


@dataclass(frozen=True)
class EgressRule:
    """One egress rule of the function's group: to IPv4 CIDRs, or (`peer_group`) to another group."""

    id: str
    description: str
    protocol: str
    port: int
    cidr_blocks: tuple[str, ...] = ()
    peer_group: str | None = None       # a security group id instead of CIDRs
    new_reason: str = ""                # set: the rule has no deployed counterpart (why it is new)

    def __post_init__(self) -> None:
        if bool(self.cidr_blocks) == (self.peer_group is not None):
            raise ValueError(f"EgressRule {self.id}: give either cidr_blocks or peer_group")


@dataclass(frozen=True)
class FunctionVpc:
    vpc_id: str
    subnet_ids: Sequence[str]
    security_group_name: str
    security_group_description: str
    security_group_tags: Mapping[str, str]
    egress_rules: Sequence[EgressRule]


@dataclass(frozen=True)
class FunctionSecret:
    """A secret the function reads, created empty (operators set its value), and its role's policy
    that may read it (`GetSecretValue` on that one secret)."""

    id: str
    name: str
    description: str
    tags: Mapping[str, str]
    variable: str                      # the environment variable that carries its ARN
    policy_id: str
    policy_name: str
    statement_id: str                  # the Sid of the read statement
    origin: Origin                     # where the secret and its policy were (or that they are new)


@dataclass(frozen=True)
class PackagedFunctionProps:
    origin: Origin
    function_name: str
    function_tags: Mapping[str, str]
    code: FunctionCode
    role: FunctionRole
    log_retention_days: int
    log_tags: Mapping[str, str]
    environment: Mapping[str, str]     # settings that are not secret
    vpc: FunctionVpc | None = None
    secret: FunctionSecret | None = None
    invoked_by_topic_arn: str | None = None
    publish: bool = False              # publish a version on each change (for an alias)
    active_tracing: bool = False       # X-Ray Active (the role needs X-Ray write rights); else PassThrough

    def __post_init__(self) -> None:
        ids = [self.role.id, *(p.id for p in self.role.inline_policies), *self.role.managed_policy_arns,
               *(r.id for r in (self.vpc.egress_rules if self.vpc else ())),
               *((self.secret.id, self.secret.policy_id) if self.secret else ())]
        if len(set(ids)) != len(ids):
            raise ValueError(f"PackagedFunctionProps: role, policy, rule and secret ids must be unique (got {ids})")
        if self.secret and self.secret.variable in self.environment:
            raise ValueError(f"PackagedFunctionProps.environment: {self.secret.variable} is set by the construct")
        plain_secrets = sorted(k for k in self.environment if secret_url_variable(k))
        if plain_secrets:
            raise ValueError(f"PackagedFunctionProps.environment: {', '.join(plain_secrets)} would put a webhook URL in "
                             "the function's plain configuration (and the state): it is a secret; give the function a "
                             "FunctionSecret and let it read the URL from there")


def secret_url_variable(name: str) -> bool:
    """An environment variable that would carry a webhook URL itself (a credential: whoever has it
    posts to the channel), not the ARN of the secret holding it."""
    return "WEBHOOK_URL" in name.upper()


class PackagedFunction(Construct):
    """Exposes `function`, `role`, `log_group`, `asset`, and `security_group` / `secret` when asked for."""

    def __init__(self, scope: Construct, id: str, props: PackagedFunctionProps):
        super().__init__(scope, id)
        self.secret = self._secret(props.secret) if props.secret else None
        self._role(props)
        self.log_group = props.origin.carry(CloudwatchLogGroup(
            self, "logs", name=f"/aws/lambda/{props.function_name}", retention_in_days=props.log_retention_days,
            tags=dict(props.log_tags)), "logs")
        self.security_group = self._security_group(props.origin, props.vpc) if props.vpc else None
        # A content-addressed copy in the stack folder: Terraform reads it relative to the stack.
        self.asset = TerraformAsset(self, "package", path=str(props.code.package.path), type=AssetType.FILE,
                                    asset_hash=props.code.package.short_hash)
        self.function = self._function(props)
        if props.invoked_by_topic_arn:
            self._subscribe(props.origin, props.invoked_by_topic_arn)

    @property
    def arn(self) -> str:
        return self.function.arn

    @property
    def function_name(self) -> str:
        return self.function.function_name

    @property
    def invoke_arn(self) -> str:
        return self.function.invoke_arn

    @property
    def role_arn(self) -> str:
        return self.role.arn

    @property
    def security_group_id(self) -> str | None:
        """None when the function is not in a VPC."""
        return self.security_group.id if self.security_group else None

    def _secret(self, secret: FunctionSecret) -> SecretsmanagerSecret:
        return secret.origin.carry(SecretsmanagerSecret(
            self, secret.id, name=secret.name, description=secret.description, tags=dict(secret.tags)), secret.id)

    def _role(self, props: PackagedFunctionProps) -> None:
        role, origin = props.role, props.origin
        self.role = origin.carry(IamRole(self, role.id, name=role.name, assume_role_policy=LAMBDA_TRUST_POLICY,
                                         tags=dict(role.tags)), role.id)
        self.policy_attachments = [
            origin.carry(IamRolePolicyAttachment(self, key, policy_arn=arn, role=self.role.name), key)
            for key, arn in role.managed_policy_arns.items()
        ]
        policies = list(role.inline_policies)
        if props.secret:
            policies.append(InlinePolicy(props.secret.policy_id, props.secret.policy_name, (
                {"Sid": props.secret.statement_id, "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                 "Resource": [self.secret.arn]},), origin=props.secret.origin))
        self.inline_policies = {
            p.id: (p.origin or origin).carry(IamRolePolicy(self, p.id, name=p.name, role=self.role.id,
                                                           policy=p.document()), p.id)
            for p in policies
        }

    def _security_group(self, origin: Origin, vpc: FunctionVpc) -> SecurityGroup:
        group = origin.carry(SecurityGroup(
            self, "security_group", name=vpc.security_group_name, description=vpc.security_group_description,
            vpc_id=vpc.vpc_id, tags=dict(vpc.security_group_tags)), "security_group")
        for rule in vpc.egress_rules:
            peer = {"source_security_group_id": rule.peer_group} if rule.peer_group is not None \
                else {"cidr_blocks": list(rule.cidr_blocks)}
            made = SecurityGroupRule(
                self, rule.id, type="egress", security_group_id=group.id, description=rule.description,
                protocol=rule.protocol, from_port=rule.port, to_port=rule.port, **peer)
            if rule.new_reason:
                created(made, rule.new_reason)
            else:
                origin.carry(made, rule.id)
        return group

    def _function(self, props: PackagedFunctionProps) -> LambdaFunction:
        code, vpc = props.code, props.vpc
        variables = dict(props.environment)
        if props.secret:
            variables[props.secret.variable] = self.secret.arn
        return props.origin.carry(LambdaFunction(
            self, "Default",
            function_name=props.function_name,
            role=self.role.arn,
            handler=code.handler,
            runtime=code.runtime,
            timeout=code.timeout,
            memory_size=code.memory_size,
            filename=self.asset.path,
            source_code_hash=code.package.source_code_hash,
            vpc_config=LambdaFunctionVpcConfig(subnet_ids=vpc.subnet_ids, security_group_ids=[self.security_group.id])
            if vpc else None,
            environment=LambdaFunctionEnvironment(variables=variables),
            tags=dict(props.function_tags),
            # PassThrough is the provider's default: left unset so the as-deployed output does not change.
            publish=True if props.publish else None,
            tracing_config=LambdaFunctionTracingConfig(mode="Active") if props.active_tracing else None,
            depends_on=[*self.policy_attachments, *self.inline_policies.values(), self.log_group],
        ), "function")

    def _subscribe(self, origin: Origin, topic_arn: str) -> None:
        permission = origin.carry(LambdaPermission(
            self, "sns_invoke", statement_id="AllowExecutionFromSNS", action="lambda:InvokeFunction",
            function_name=self.function.function_name, principal="sns.amazonaws.com", source_arn=topic_arn),
            "sns_invoke")
        origin.carry(SnsTopicSubscription(self, "subscription", topic_arn=topic_arn, protocol="lambda",
                                          endpoint=self.function.arn, depends_on=[permission]), "subscription")
