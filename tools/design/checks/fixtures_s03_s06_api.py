"""A small API Gateway as designed (§5.2, §6.3, §11.2): a Regional REST API with /api/<svc>/{proxy+}
and /admin/{proxy+} proxied to the ALB (over HTTPS, at the name its certificate covers), /api/genai/{proxy+} to the GenAI Lambda, stage "dev" with
throttling, metrics and logs, and an API key on the AI route."""
from __future__ import annotations

from tools.design.checks.fixtures_s03_s06 import AI, API, APP, DB
from tools.design.checks.fixtures_s03_s06_compute import ALB_HOST, HAIKU, compute_blocks
from tools.design.checks.primitives import BlockSpec, fixture, remote_state

_REST = "${aws_api_gateway_rest_api.api.id}"


def _route(name: str, parent: str, part: str, target: str) -> list[BlockSpec]:
    """A resource, its {proxy+} child and an ANY method with its integration on the child."""
    alb = f"https://{ALB_HOST}"   # the ALB's HTTPS listener, at the name its certificate covers
    lambda_arn = "${data.terraform_remote_state.lambda_genai.outputs.lambda_function_invoke_arn}"
    return [
        (API, f"aws_api_gateway_resource.{name}", {"rest_api_id": _REST, "parent_id": parent, "path_part": part}),
        (API, f"aws_api_gateway_resource.{name}_proxy", {"rest_api_id": _REST, "path_part": "{proxy+}",
                                                         "parent_id": f"${{aws_api_gateway_resource.{name}.id}}"}),
        (API, f"aws_api_gateway_method.{name}", {"rest_api_id": _REST, "http_method": "ANY", "authorization": "NONE",
                                                 "api_key_required": target == "lambda",
                                                 "resource_id": f"${{aws_api_gateway_resource.{name}_proxy.id}}"}),
        (API, f"aws_api_gateway_integration.{name}", {
            "rest_api_id": _REST, "resource_id": f"${{aws_api_gateway_resource.{name}_proxy.id}}",
            "type": "AWS_PROXY" if target == "lambda" else "HTTP_PROXY",
            "uri": lambda_arn if target == "lambda" else f"{alb}/{name}/{{proxy}}"}),
    ]


def api_blocks() -> list[BlockSpec]:
    root = "${aws_api_gateway_rest_api.api.root_resource_id}"
    return [
        remote_state(API, "application", APP), remote_state(API, "lambda_genai", AI), remote_state(AI, "database", DB),
        (APP, "output.alb_dns_name", "${aws_lb.alb.dns_name}"),
        (AI, "output.lambda_function_invoke_arn", "${aws_lambda_function.genai.invoke_arn}"),
        (AI, "output.lambda_function_arn", "${aws_lambda_function.genai.arn}"),
        (AI, "aws_lambda_function.genai", {
            "function_name": "petclinic-dev-genai-function", "runtime": "python3.11", "memory_size": 512, "timeout": 60,
            "role": "${aws_iam_role.genai.arn}", "publish": True,
            "environment": {"variables": {"BEDROCK_MODEL_ID": HAIKU,
                                          "DB_CLUSTER_ARN": "${data.terraform_remote_state.database.outputs.cluster_arn}",
                                          "DB_SECRET_ARN": "${data.terraform_remote_state.database.outputs.master_user_secret_arn}"}},
            "vpc_config": {"subnet_ids": "${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}",
                           "security_group_ids": ["${aws_security_group.genai.id}"]},
            "dead_letter_config": {"target_arn": "${aws_sqs_queue.genai_dlq.arn}"}}),
        remote_state(AI, "network", "01-network"),
        (AI, "aws_security_group.genai", {"name": "genai"}),
        (AI, "aws_sqs_queue.genai_dlq", {"name": "genai-dlq"}),
        (AI, "aws_lambda_function_event_invoke_config.genai", {
            "function_name": "${aws_lambda_function.genai.function_name}", "maximum_retry_attempts": 2}),
        (AI, "aws_lambda_provisioned_concurrency_config.genai", {
            "function_name": "${aws_lambda_function.genai.function_name}", "qualifier": "${aws_lambda_function.genai.version}",
            "provisioned_concurrent_executions": 1}),
        (AI, "aws_iam_role.genai", {"name": "genai"}),
        (AI, "aws_iam_role_policy.genai_bedrock", {
            "role": "${aws_iam_role.genai.id}",
            "policy": '{"Statement": [{"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": "*"}]}'}),
        (API, "aws_api_gateway_rest_api.api", {"name": "petclinic-dev-api", "endpoint_configuration": {"types": ["REGIONAL"]}}),
        (API, "aws_api_gateway_resource.api", {"rest_api_id": _REST, "parent_id": root, "path_part": "api"}),
        *[block for svc in ("customers", "vets", "visits") for block in
          _route(f"api_{svc}", "${aws_api_gateway_resource.api.id}", svc, "alb")],
        *_route("admin", root, "admin", "alb"),
        *_route("api_genai", "${aws_api_gateway_resource.api.id}", "genai", "lambda"),
        (API, "aws_cloudwatch_log_group.access", {"name": "/aws/apigateway/petclinic-dev-api"}),
        (API, "aws_api_gateway_stage.stage", {
            "rest_api_id": _REST, "stage_name": "dev",
            "access_log_settings": {"destination_arn": "${aws_cloudwatch_log_group.access.arn}", "format": "{}"}}),
        (API, "aws_api_gateway_method_settings.all", {
            "rest_api_id": _REST, "stage_name": "${aws_api_gateway_stage.stage.stage_name}", "method_path": "*/*",
            "settings": {"metrics_enabled": True, "logging_level": "INFO", "throttling_rate_limit": 1000,
                         "throttling_burst_limit": 2000}}),
        (API, "aws_api_gateway_api_key.genai", {"name": "genai"}),
        (API, "aws_api_gateway_usage_plan.genai", {"api_stages": [{"api_id": _REST, "stage": "${aws_api_gateway_stage.stage.stage_name}"}]}),
        (API, "aws_api_gateway_usage_plan_key.genai", {"key_id": "${aws_api_gateway_api_key.genai.id}", "key_type": "API_KEY",
                                                       "usage_plan_id": "${aws_api_gateway_usage_plan.genai.id}"}),
    ]


PLATFORM = fixture(*compute_blocks(), *api_blocks())
