"""Layer 06-lambda-genai: the PetClinic AI assistant (`functions/genai`) as a VPC Lambda function,
with its execution role, log group and security group. Reads 01-network (VPC, private app subnets)
and 03-database (cluster ARN, master secret ARN) under the original data-source names.

The role is narrowed to what the function does: `bedrock:InvokeModel` on the one configured
foundation model, `rds-data:ExecuteStatement` on the one cluster, and `secretsmanager:GetSecretValue`
on the assistant's own database secret (the original allowed every model, transactions and batch
statements on every `<prefix>-*` cluster, and three secret name patterns). Policy names stay as deployed.

The function runs its statements as a read-only database user (SELECT on the seven PetClinic tables),
not as the cluster's master user: this layer creates that user's secret, empty; the one-time step
`tools/genai_db_user.py` (docs/genai.md) creates the user
on the cluster and writes the secret's value, so no password is in Terraform.

The zip is built by the app during synthesis (`modules/packaging.py`); it replaces the original's
`archive_file` data source. Addresses: the original declared everything at the root, under the
names `GENAI_ORIGIN` maps the construct's parts to.
"""
from __future__ import annotations

import json
from dataclasses import replace
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lambda_alias import LambdaAlias
from cdktf_cdktf_provider_aws.lambda_function_event_invoke_config import (
    LambdaFunctionEventInvokeConfig,
    LambdaFunctionEventInvokeConfigDestinationConfig,
    LambdaFunctionEventInvokeConfigDestinationConfigOnFailure,
)
from cdktf_cdktf_provider_aws.lambda_provisioned_concurrency_config import LambdaProvisionedConcurrencyConfig
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

from layers.base import LayerStack
from layers.outputs import RemoteOutputs
from layers.contracts import database, lambda_genai, network
from layers.contracts.lambda_genai import LIVE_ALIAS, OUTPUTS
from modules.database_user_secret import DatabaseUserSecret, DatabaseUserSecretProps
from modules.lambda_function import (
    EgressRule,
    FunctionCode,
    FunctionRole,
    FunctionVpc,
    InlinePolicy,
    PackagedFunction,
    PackagedFunctionProps,
)
from modules.origin import Origin, created
from modules.packaging import build_package, read_requirements

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_SOURCES = ROOT / "functions" / "genai"
BUILD_DIR = ROOT / "build" / "lambda"
LOCK_FILE = ROOT / "Pipfile.lock"
HANDLER = "lambda_function.lambda_handler"  # module and function name in functions/genai
ANYWHERE = "0.0.0.0/0"
HTTPS, DNS = 443, 53
STEM = "lambda-genai"   # role, security group and log tag: <prefix>-lambda-genai-...; the Service tag
READONLY_SECRET_NAME = ("genai", "db-readonly")  # petclinic-<env>-genai-db-readonly

ASYNC_RETRIES, ASYNC_EVENT_AGE_SECONDS = 2, 3600   # Lambda's retry maximum; failed events wait an hour at most
FAILURE_RETENTION_SECONDS = 14 * 24 * 3600         # SQS's maximum: two weeks to look at a failure
XRAY_WRITE_POLICY = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
AWS_MANAGED_POLICIES = {
    "basic_execution": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "vpc_execution": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
}

# The original root-module names of the function's parts.
GENAI_ORIGIN = Origin(names={
    "execution_role": "lambda_execution_role",
    "basic_execution": "lambda_basic_execution",
    "vpc_execution": "lambda_vpc_execution",
    "bedrock_invoke": "bedrock_invoke_policy",
    "rds_data_api": "rds_data_api_policy",
    "logs": "lambda_logs",
    "security_group": "lambda_sg",
    "https_outbound": "lambda_https_outbound",
    "mysql_outbound": "lambda_mysql_outbound",
    "dns_udp_outbound": "lambda_dns_udp_outbound",
    "dns_tcp_outbound": "lambda_dns_tcp_outbound",
    "function": "genai_function",
})
DEPLOYED_EGRESS = ("https_outbound", "mysql_outbound", "dns_udp_outbound", "dns_tcp_outbound")


class LambdaGenaiStack(LayerStack):
    layer = "06-lambda-genai"
    outputs = OUTPUTS

    def build(self) -> None:
        env, settings = self.env, self.env.lambda_genai
        net = self.read(network.OUTPUTS)
        db = self.read(database.OUTPUTS)
        cluster_arn = db.string("cluster_arn")
        self.readonly_db_secret = DatabaseUserSecret(self, "readonly_db_secret", DatabaseUserSecretProps(
            naming=self.naming,
            name_parts=READONLY_SECRET_NAME,
            description="Credentials of the GenAI assistant's read-only database user (SELECT on the PetClinic "
                        "tables); written by tools/genai_db_user.py",
            reason="the assistant ran its statements as the cluster's master user; it now has a read-only user",
        ))
        secret_arn = self.readonly_db_secret.arn
        package = build_package(FUNCTION_SOURCES, BUILD_DIR / "genai.zip",
                                read_requirements(FUNCTION_SOURCES / "requirements.txt"), LOCK_FILE)
        naming = self.naming
        function_name, role_name = lambda_genai.function_name(naming), naming.name(STEM, "execution-role")
        security_group_name = naming.name(STEM, "sg")
        # With the design's egress the deployed rules are not made, so not carried either.
        origin = replace(GENAI_ORIGIN, names={k: v for k, v in GENAI_ORIGIN.names.items() if k not in DEPLOYED_EGRESS}) \
            if settings.private_egress else GENAI_ORIGIN
        self.genai = PackagedFunction(self, "genai", PackagedFunctionProps(
            origin=origin,
            function_name=function_name,
            function_tags=naming.tags_for(Name=function_name, Service=STEM),
            code=FunctionCode(package=package, handler=HANDLER, runtime=settings.runtime,
                              timeout=settings.timeout_seconds, memory_size=settings.memory_mb),
            role=FunctionRole(
                id="execution_role", name=role_name, tags=naming.tags_for(Name=role_name, Type="iam-role"),
                managed_policy_arns=AWS_MANAGED_POLICIES,
                inline_policies=[
                    InlinePolicy("bedrock_invoke", naming.name("lambda-bedrock-invoke-policy"), (
                        {"Sid": "InvokeTheConfiguredModel", "Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                         "Resource": [self.foundation_model_arn()]},
                    )),
                    InlinePolicy("rds_data_api", naming.name("lambda-rds-data-api-policy"), (
                        {"Sid": "RunStatementsOnTheCluster", "Effect": "Allow",
                         "Action": ["rds-data:ExecuteStatement"], "Resource": [cluster_arn]},
                        {"Sid": "ReadTheReadOnlyUserSecret", "Effect": "Allow",
                         "Action": ["secretsmanager:GetSecretValue"], "Resource": [secret_arn]},
                    )),
                ]),
            log_retention_days=settings.log_retention_days,
            log_tags=naming.tags_for(STEM, "logs", Service=STEM),
            vpc=FunctionVpc(
                vpc_id=net.string("vpc_id"),
                subnet_ids=net.values("private_app_subnet_ids"),
                security_group_name=security_group_name,
                security_group_description="Lambda GenAI function security group",
                security_group_tags=naming.tags_for(Name=security_group_name),
                egress_rules=self._egress_rules(net, db)),
            environment={"BEDROCK_MODEL_ID": settings.bedrock_model_id, "LOG_LEVEL": settings.log_level,
                         "DB_CLUSTER_ARN": cluster_arn, "DB_SECRET_ARN": secret_arn},
            active_tracing=settings.xray_tracing,
            publish=settings.provisioned_concurrency > 0,
        ))
        if settings.failure_queue:
            self._failure_queue()
        self.alias = self._provisioned_alias() if settings.provisioned_concurrency > 0 else None
        if settings.xray_tracing:
            # Active tracing sends segments from the function's role: it needs X-Ray write rights.
            created(IamRolePolicyAttachment(self, "xray_write", policy_arn=XRAY_WRITE_POLICY,
                                            role=self.genai.role.name),
                    "X-Ray active tracing on the GenAI function (A113); the original did not trace it")
        self.package = package

    def _egress_rules(self, net: RemoteOutputs, db: RemoteOutputs) -> list[EgressRule]:
        """The function's egress. As deployed: 443 and DNS to anywhere (Bedrock and the RDS Data API
        through the NAT gateways) and 3306 to the VPC. With `lambda_genai.private_egress` (§3.4, A20):
        3306 to Aurora's group only, and 443 to the interface endpoints' group only: bedrock-runtime and
        rds-data are endpoints then (settings check), and DNS goes to the VPC's resolver, which
        security groups do not filter."""
        env = self.env
        if env.lambda_genai.private_egress:
            reason = "the design's Lambda egress (§3.4): the original sent 443/53 anywhere and 3306 to the VPC"
            return [
                EgressRule("mysql_to_aurora", "MySQL (3306) to the Aurora cluster security group", "tcp",
                           env.security.database_port, peer_group=db.string("security_group_id"), new_reason=reason),
                EgressRule("https_to_endpoints", "HTTPS (443) to the VPC endpoints (bedrock-runtime, rds-data)",
                           "tcp", HTTPS, peer_group=net.string("vpce_security_group_id"), new_reason=reason),
            ]
        return [
            EgressRule("https_outbound", "HTTPS outbound for Bedrock API", "tcp", HTTPS, (ANYWHERE,)),
            EgressRule("mysql_outbound", "MySQL/Aurora database access within VPC", "tcp",
                       env.security.database_port, (str(env.network.vpc_cidr),)),
            EgressRule("dns_udp_outbound", "DNS resolution (UDP)", "udp", DNS, (ANYWHERE,)),
            EgressRule("dns_tcp_outbound", "DNS resolution (TCP)", "tcp", DNS, (ANYWHERE,)),
        ]

    def _failure_queue(self) -> None:
        """The design's "automatic retry, DLQ" (§6.3, A61): API Gateway invokes the function synchronously
        (the caller sees the error; the function retries Bedrock itself, boundedly), so the queue only
        catches asynchronous invocations (events, `aws lambda invoke --invocation-type Event`) that still
        fail after Lambda's two retries."""
        reason = "a destination for failed asynchronous invocations (A61); the original had none"
        name = self.naming.name("genai-failures")
        queue = created(SqsQueue(self, "failure_queue", name=name, sqs_managed_sse_enabled=True,
                                 message_retention_seconds=FAILURE_RETENTION_SECONDS,
                                 tags=self.naming.tags_for(Name=name, Service=STEM)), reason)
        created(IamRolePolicy(self, "failure_queue_send", name=self.naming.name("lambda-genai-failure-queue"),
                              role=self.genai.role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
                                  {"Sid": "SendFailedInvocations", "Effect": "Allow", "Action": ["sqs:SendMessage"],
                                   "Resource": [queue.arn]}]})), reason)
        created(LambdaFunctionEventInvokeConfig(
            self, "async_invocations", function_name=self.genai.function.function_name,
            maximum_retry_attempts=ASYNC_RETRIES, maximum_event_age_in_seconds=ASYNC_EVENT_AGE_SECONDS,
            destination_config=LambdaFunctionEventInvokeConfigDestinationConfig(
                on_failure=LambdaFunctionEventInvokeConfigDestinationConfigOnFailure(destination=queue.arn))), reason)

    def _provisioned_alias(self) -> LambdaAlias:
        """The alias `live` on the latest published version, with its provisioned executions."""
        function = self.genai.function
        reason = "provisioned concurrency against cold starts (A62); the original invoked $LATEST"
        alias = created(LambdaAlias(self, "live_alias", name=LIVE_ALIAS, function_name=function.function_name,
                                    function_version=function.version), reason)
        created(LambdaProvisionedConcurrencyConfig(
            self, "provisioned_concurrency", function_name=function.function_name, qualifier=alias.name,
            provisioned_concurrent_executions=self.env.lambda_genai.provisioned_concurrency), reason)
        return alias

    def foundation_model_arn(self) -> str:
        return f"arn:aws:bedrock:{self.env.region}::foundation-model/{self.env.lambda_genai.bedrock_model_id}"

    def output_values(self) -> Mapping[str, Any]:
        function = self.genai
        return {
            "lambda_function_arn": function.arn,
            "lambda_function_name": function.function_name,
            # With provisioned executions the API invokes the alias that holds them.
            "lambda_function_invoke_arn": self.alias.invoke_arn if self.alias else function.invoke_arn,
            "lambda_execution_role_arn": self.genai.role_arn,
            "lambda_security_group_id": self.genai.security_group_id,
        }
