"""Layer 06-lambda-genai: the PetClinic AI assistant (`functions/genai`) as a VPC Lambda function,
with its execution role, log group and security group. Reads 01-network (VPC, private app subnets)
and 03-database (cluster ARN, master secret ARN) under the original data-source names.

The role is narrowed to what the function does: `bedrock:InvokeModel` on the one configured
foundation model, `rds-data:ExecuteStatement` on the one cluster, and `secretsmanager:GetSecretValue`
on that cluster's secret (the original allowed every model, transactions and batch statements on every
`<prefix>-*` cluster, and three secret name patterns). Policy names stay as deployed.

The zip is built by the app during synthesis (`modules/packaging.py`); it replaces the original's
`archive_file` data source. Addresses: every original root address moves into the `genai` construct
(`ORIGINAL_ADDRESSES` below).
"""
from __future__ import annotations

from pathlib import Path

from cdktf import Fn, Token
from constructs import Construct

from layers.base import LayerStack
from modules.lambda_function import EgressRule, InlinePolicy, VpcLambdaFunction, VpcLambdaFunctionProps
from modules.packaging import build_package, read_requirements
from settings import Environment

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_SOURCES = ROOT / "functions" / "genai"
BUILD_DIR = ROOT / "build" / "lambda"
LOCK_FILE = ROOT / "Pipfile.lock"
HANDLER = "lambda_function.lambda_handler"  # module and function name in functions/genai
ANYWHERE = "0.0.0.0/0"
HTTPS, DNS = 443, 53

AWS_MANAGED_POLICIES = {
    "basic_execution": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "vpc_execution": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
}

# new address -> address in the deployed state (the original declared everything at the root).
ORIGINAL_ADDRESSES = {
    "aws_iam_role.genai_execution_role": "aws_iam_role.lambda_execution_role",
    "aws_iam_role_policy_attachment.genai_basic_execution": "aws_iam_role_policy_attachment.lambda_basic_execution",
    "aws_iam_role_policy_attachment.genai_vpc_execution": "aws_iam_role_policy_attachment.lambda_vpc_execution",
    "aws_iam_role_policy.genai_bedrock_invoke": "aws_iam_role_policy.bedrock_invoke_policy",
    "aws_iam_role_policy.genai_rds_data_api": "aws_iam_role_policy.rds_data_api_policy",
    "aws_cloudwatch_log_group.genai_logs": "aws_cloudwatch_log_group.lambda_logs",
    "aws_security_group.genai_security_group": "aws_security_group.lambda_sg",
    "aws_security_group_rule.genai_https_outbound": "aws_security_group_rule.lambda_https_outbound",
    "aws_security_group_rule.genai_mysql_outbound": "aws_security_group_rule.lambda_mysql_outbound",
    "aws_security_group_rule.genai_dns_udp_outbound": "aws_security_group_rule.lambda_dns_udp_outbound",
    "aws_security_group_rule.genai_dns_tcp_outbound": "aws_security_group_rule.lambda_dns_tcp_outbound",
    "aws_lambda_function.genai": "aws_lambda_function.genai_function",
}


class LambdaGenaiStack(LayerStack):
    layer = "06-lambda-genai"

    def __init__(self, scope: Construct, env: Environment):
        super().__init__(scope, env)
        settings, prefix = env.lambda_genai, env.name_prefix
        network = self.remote_state("network", "01-network")
        database = self.remote_state("database", "03-database")
        cluster_arn = database.get_string("cluster_arn")
        secret_arn = database.get_string("master_user_secret_name")  # holds the secret's ARN
        package = build_package(FUNCTION_SOURCES, BUILD_DIR / "genai.zip",
                                read_requirements(FUNCTION_SOURCES / "requirements.txt"), LOCK_FILE)
        tags = {**env.tags, "Layer": self.layer, "Component": "serverless-ai", "Purpose": "genai-service-replacement"}
        function_name = f"{prefix}-genai-function"
        self.genai = VpcLambdaFunction(self, "genai", VpcLambdaFunctionProps(
            function_name=function_name,
            role_name=f"{prefix}-lambda-genai-execution-role",
            security_group_name=f"{prefix}-lambda-genai-sg",
            security_group_description="Lambda GenAI function security group",
            package=package,
            handler=HANDLER,
            runtime=settings.runtime,
            timeout=settings.timeout_seconds,
            memory_size=settings.memory_mb,
            log_retention_days=settings.log_retention_days,
            vpc_id=network.get_string("vpc_id"),
            subnet_ids=Token.as_list(Fn.values(network.get("private_app_subnet_ids"))),
            egress_rules=[
                EgressRule("https_outbound", "HTTPS outbound for Bedrock API", "tcp", HTTPS, (ANYWHERE,)),
                EgressRule("mysql_outbound", "MySQL/Aurora database access within VPC", "tcp",
                           env.security.database_port, (str(env.network.vpc_cidr),)),
                EgressRule("dns_udp_outbound", "DNS resolution (UDP)", "udp", DNS, (ANYWHERE,)),
                EgressRule("dns_tcp_outbound", "DNS resolution (TCP)", "tcp", DNS, (ANYWHERE,)),
            ],
            managed_policy_arns=AWS_MANAGED_POLICIES,
            inline_policies=[
                InlinePolicy("bedrock_invoke", f"{prefix}-lambda-bedrock-invoke-policy", (
                    {"Sid": "InvokeTheConfiguredModel", "Effect": "Allow", "Action": ["bedrock:InvokeModel"],
                     "Resource": [self.foundation_model_arn()]},
                )),
                InlinePolicy("rds_data_api", f"{prefix}-lambda-rds-data-api-policy", (
                    {"Sid": "RunStatementsOnTheCluster", "Effect": "Allow", "Action": ["rds-data:ExecuteStatement"],
                     "Resource": [cluster_arn]},
                    {"Sid": "ReadTheClusterSecret", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                     "Resource": [secret_arn]},
                )),
            ],
            environment={"BEDROCK_MODEL_ID": settings.bedrock_model_id, "LOG_LEVEL": settings.log_level,
                         "DB_CLUSTER_ARN": cluster_arn, "DB_SECRET_ARN": secret_arn},
            role_tags={**tags, "Name": f"{prefix}-lambda-genai-execution-role", "Type": "iam-role"},
            log_group_tags={**tags, "Name": f"{prefix}-lambda-genai-logs", "Service": "lambda-genai"},
            security_group_tags={**tags, "Name": f"{prefix}-lambda-genai-sg"},
            function_tags={**tags, "Name": function_name, "Service": "lambda-genai"},
        ))
        self.package = package
        self._outputs()
        self.carry_over_state(original_addresses(env))

    def foundation_model_arn(self) -> str:
        return f"arn:aws:bedrock:{self.env.region}::foundation-model/{self.env.lambda_genai.bedrock_model_id}"

    def _outputs(self) -> None:
        genai = self.genai
        self.output("lambda_function_arn", genai.function.arn, "Lambda function ARN")
        self.output("lambda_function_name", genai.function.function_name, "Lambda function name")
        self.output("lambda_function_invoke_arn", genai.function.invoke_arn,
                    "Lambda invoke ARN (for the API Gateway integration)")
        self.output("lambda_execution_role_arn", genai.role.arn, "Lambda execution role ARN")
        self.output("lambda_security_group_id", genai.security_group.id, "Lambda function security group ID")


def original_addresses(env: Environment) -> dict[str, str]:
    """New address -> address in the original state (the same in every environment)."""
    return dict(ORIGINAL_ADDRESSES)
