"""The contract of 06-lambda-genai: the outputs it declares (other layers read them through this declaration)."""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape
from modules.naming import Naming


def function_name(naming: Naming) -> str:
    """The GenAI function's name as 06-lambda-genai makes it: the `FunctionName` the alarms and
    dashboards of other layers watch."""
    return naming.name("genai-function")


# The published alias the API invokes when the function has provisioned concurrency (A62): with it,
# `lambda_function_invoke_arn` is the alias's, and the API layers' permissions name this qualifier.
LIVE_ALIAS = "live"


def invoked_qualifier(provisioned_concurrency: int) -> str | None:
    """The qualifier the API invokes: the alias when executions are provisioned, else none (as deployed)."""
    return LIVE_ALIAS if provisioned_concurrency > 0 else None


OUTPUTS = LayerOutputs("06-lambda-genai", "lambda_genai", (
    Output("lambda_function_arn", Shape.STRING, "Lambda function ARN"),
    Output("lambda_function_name", Shape.STRING, "Lambda function name"),
    Output("lambda_function_invoke_arn", Shape.STRING, "Lambda invoke ARN (for the API Gateway integration)"),
    Output("lambda_execution_role_arn", Shape.STRING, "Lambda execution role ARN"),
    Output("lambda_security_group_id", Shape.STRING, "Lambda function security group ID"),
))
