"""The Slack notifier: a Lambda function (not in a VPC) subscribed to an SNS topic, its execution
role and log group, and the Secrets Manager secret that holds the Slack webhook URL.

The secret is created empty: operators put the URL in it (`aws secretsmanager put-secret-value`),
so the URL appears in no Terraform configuration, state or function environment. The role may read
that one secret and write its own logs, nothing else. The zip comes from `packaging.py`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction, LambdaFunctionEnvironment
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin
from modules.packaging import BuiltPackage

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LAMBDA_TRUST_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
]})
WEBHOOK_VARIABLE = "SLACK_WEBHOOK_ARN"   # the function reads the secret this names (functions/slack_notifier)


@dataclass(frozen=True)
class SlackNotifierProps:
    naming: Naming
    origin: Origin          # where the original notifier resources were
    new: Origin             # the resources the original did not have (the secret and its read policy)
    stem: str               # <prefix>-<stem> names the function; its role, logs and secret follow it
    package: BuiltPackage
    handler: str
    runtime: str
    timeout: int
    log_retention_days: int
    topic_arn: str
    environment: Mapping[str, str]      # settings that are not secret (channel, environment label, ...)

    def __post_init__(self) -> None:
        if WEBHOOK_VARIABLE in self.environment:
            raise ValueError(f"SlackNotifierProps.environment: {WEBHOOK_VARIABLE} is set by the construct")
        if any("WEBHOOK_URL" in key.upper() for key in self.environment):
            raise ValueError("SlackNotifierProps.environment: the webhook URL is a secret; it belongs in the secret")


class SlackNotifier(Construct):
    def __init__(self, scope: Construct, id: str, props: SlackNotifierProps):
        super().__init__(scope, id)
        carry, naming, stem = props.origin.carry, props.naming, props.stem
        environment = naming.environment
        function_name = naming.name(stem)
        self.secret = props.new.carry(SecretsmanagerSecret(
            self, "webhook_secret", name=naming.name(stem, "webhook-url"),
            description="Slack incoming webhook URL of the alerts notifier (the value is set by operators)",
            tags=naming.tags_for(stem, "webhook-url", Environment=environment)), "webhook_secret")
        self.role = carry(IamRole(self, "role", name=naming.name(stem, "role"), assume_role_policy=LAMBDA_TRUST_POLICY,
                                  tags=naming.tags_for(stem, "role", Environment=environment)), "role")
        basic = carry(IamRolePolicyAttachment(self, "basic_execution", role=self.role.name, policy_arn=BASIC_EXECUTION),
                      "basic_execution")
        read_secret = props.new.carry(IamRolePolicy(self, "read_webhook_secret", name=naming.name(stem, "read-webhook-secret"),
                                                    role=self.role.id, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "ReadTheWebhookSecret", "Effect": "Allow",
                           "Action": ["secretsmanager:GetSecretValue"], "Resource": [self.secret.arn]}],
        })), "read_webhook_secret")
        self.log_group = carry(CloudwatchLogGroup(
            self, "logs", name=f"/aws/lambda/{function_name}", retention_in_days=props.log_retention_days,
            tags=naming.tags_for(stem, "logs", Environment=environment)), "logs")
        # A content-addressed copy in the stack folder: Terraform reads it relative to the stack.
        self.asset = TerraformAsset(self, "package", path=str(props.package.path), type=AssetType.FILE,
                                    asset_hash=props.package.short_hash)
        self.function = carry(LambdaFunction(
            self, "Default",
            function_name=function_name,
            role=self.role.arn,
            handler=props.handler,
            runtime=props.runtime,
            timeout=props.timeout,
            filename=self.asset.path,
            source_code_hash=props.package.source_code_hash,
            environment=LambdaFunctionEnvironment(variables={**props.environment,
                                                             WEBHOOK_VARIABLE: self.secret.arn}),
            tags=naming.tags_for(stem, Environment=environment, Type="notification"),
            depends_on=[basic, read_secret, self.log_group],
        ), "function")
        permission = carry(LambdaPermission(
            self, "sns_invoke", statement_id="AllowExecutionFromSNS", action="lambda:InvokeFunction",
            function_name=self.function.function_name, principal="sns.amazonaws.com", source_arn=props.topic_arn),
            "sns_invoke")
        carry(SnsTopicSubscription(self, "subscription", topic_arn=props.topic_arn, protocol="lambda",
                                   endpoint=self.function.arn, depends_on=[permission]), "subscription")
