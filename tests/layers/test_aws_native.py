"""Design properties of 09-aws-native, on the session's shared synthesis: the POST /genai route to
the GenAI Lambda with its permission, the alarms across API Gateway and Lambda, the original's eight
remote-state reads, and the rule that 08 and 09 never hold two different versions of the one Lambda
permission statement they share. State keeping is checked for every layer by
`tests/test_state_kept.py` and `tests/test_equivalence.py`."""
from __future__ import annotations

import copy
import json
import shutil

import pytest

from synthesis.checks import shared_lambda_permissions
from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tests.helpers import ref, resource, resources_of_type

LAYER = "09-aws-native"
API_STATE = "data.terraform_remote_state.api_gateway.outputs"
GENAI_STATE = "data.terraform_remote_state.lambda_genai.outputs"
ROUTE = "aws_api_gateway_resource.genai_route"
METHOD = "aws_api_gateway_method.genai_route_post"
INTEGRATION = "aws_api_gateway_integration.genai_route_integration"
PERMISSION = "aws_lambda_permission.genai_route_permission"
# The original's reads (layer -> data source name), from the reference inventory.
ORIGINAL_READS = {"network": "01-network", "security": "02-security", "database": "03-database",
                  "api_gateway": "08-api-gateway", "parameter_store": "04-parameter-store",
                  "cloud_map": "05-cloud-map", "lambda_genai": "06-lambda-genai", "application": "07-application"}


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def env_stack(request, synthesized) -> tuple[str, dict]:
    return request.param, synthesized(request.param).stack(LAYER)


def test_post_genai_goes_to_the_lambda_at_the_api_root(env_stack):
    env, stack = env_stack
    route, method, integration = resource(stack, ROUTE), resource(stack, METHOD), resource(stack, INTEGRATION)
    assert route["rest_api_id"] == "${" + API_STATE + ".api_gateway_id}"
    assert route["path_part"] == "genai"
    # The API's root from 08's state; the original's literal only while 08's state predates the port.
    literal = load_environment(env).aws_native.genai_parent_resource_id
    assert route["parent_id"] == "${try(" + API_STATE + '.api_gateway_root_resource_id, "' + literal + '")}'
    assert method["http_method"] == "POST" and method["resource_id"] == ref(ROUTE)
    assert method["authorization"] == "NONE" and method["api_key_required"] is False
    assert integration["type"] == "AWS_PROXY" and integration["integration_http_method"] == "POST"
    assert integration["uri"] == "${" + GENAI_STATE + ".lambda_function_invoke_arn}"
    assert integration["http_method"] == ref(METHOD, "http_method")


def test_08_exports_the_root_that_09_hangs_genai_under(synthesized):
    outputs = synthesized("dev").stack("08-api-gateway")["output"]
    assert outputs["api_gateway_root_resource_id"]["value"] == ref("aws_api_gateway_rest_api.api_gateway",
                                                                   "root_resource_id")


def test_the_lambda_may_be_invoked_by_the_08_api_only(env_stack):
    _, stack = env_stack
    permission = resource(stack, PERMISSION)
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["function_name"] == "${" + GENAI_STATE + ".lambda_function_name}"
    assert permission["source_arn"] == "${" + API_STATE + ".api_gateway_execution_arn}/*/*"


def test_alarms_watch_api_client_errors_and_lambda_errors(env_stack):
    env, stack = env_stack
    alarms = {a["metric_name"]: a for a in resources_of_type(stack, "aws_cloudwatch_metric_alarm").values()}
    assert set(alarms) == {"4XXError", "Errors"}
    assert alarms["4XXError"]["namespace"] == "AWS/ApiGateway" and alarms["4XXError"]["threshold"] == 10
    assert alarms["Errors"]["namespace"] == "AWS/Lambda" and alarms["Errors"]["threshold"] == 5
    assert alarms["Errors"]["dimensions"] == {"FunctionName": "${" + GENAI_STATE + ".lambda_function_name}"}
    prefix, region = load_environment(env).name_prefix, load_environment(env).region
    for alarm in alarms.values():  # 12-notification's alerts topic, as deployed
        assert alarm["alarm_actions"] == [
            f"arn:aws:sns:{region}:${{data.aws_caller_identity.current.account_id}}:{prefix}-alerts"]


def test_the_original_eight_remote_state_reads_by_their_original_keys(env_stack):
    env, stack = env_stack
    reads = stack["data"]["terraform_remote_state"]
    environment = load_environment(env).environment
    assert {name: body["config"]["key"] for name, body in reads.items()} == {
        name: f"{environment}/{layer}/terraform.tfstate" for name, layer in ORIGINAL_READS.items()}


def test_08_and_09_declare_the_one_shared_permission_statement_alike(synthesized):
    synthesis = synthesized("dev")
    assert shared_lambda_permissions(None, (), synthesis.outdir / "stacks") == []


def test_the_shared_permission_check_sees_a_difference(synthesized, tmp_path):
    # A checker that cannot see a difference would pass silently: plant one.
    stacks = tmp_path / "stacks"
    shutil.copytree(synthesized("dev").outdir / "stacks", stacks)
    path = stacks / LAYER / "cdk.tf.json"
    changed = copy.deepcopy(json.loads(path.read_text()))
    changed["resource"]["aws_lambda_permission"]["genai_route_permission"]["source_arn"] = "arn:aws:execute-api:*"
    path.write_text(json.dumps(changed))
    problems = shared_lambda_permissions(None, (), stacks)
    assert len(problems) == 1 and "AllowExecutionFromAPIGateway" in problems[0]
    assert "08-api-gateway" in problems[0] and LAYER in problems[0]
