"""The launcher's UpdateMethod for moto (tools/e2e/moto_launch.py): a method's settings updated in
place through boto3, as the provider sends them, and a path it does not know refused as AWS does."""
from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tools.e2e import moto_launch


@pytest.fixture
def method():
    moto_launch.add_update_method()
    with mock_aws():
        client = boto3.client("apigateway", region_name="ap-northeast-2")
        api = client.create_rest_api(name="api")["id"]
        root = client.get_resources(restApiId=api)["items"][0]["id"]
        client.put_method(restApiId=api, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                          requestParameters={"method.request.path.proxy": True})
        yield client, {"restApiId": api, "resourceId": root, "httpMethod": "ANY"}


def test_update_method_changes_the_settings_in_place(method):
    client, ids = method
    client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
        {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"},
        {"op": "add", "path": "/requestParameters/method.request.header.x-id", "value": "false"},
        {"op": "remove", "path": "/requestParameters/method.request.path.proxy"}])
    read = client.get_method(**ids)
    assert read["apiKeyRequired"] is True and read["authorizationType"] == "AWS_IAM"
    assert read["requestParameters"] == {"method.request.header.x-id": False}
    client.update_method(**ids, patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "false"}])
    assert client.get_method(**ids)["apiKeyRequired"] is False


def test_update_method_refuses_a_path_it_does_not_know(method):
    client, ids = method
    with pytest.raises(ClientError, match="BadRequestException"):
        client.update_method(**ids, patchOperations=[{"op": "replace", "path": "/nothing", "value": "x"}])


def test_a_functions_tracing_mode_is_kept_when_its_configuration_is_updated():
    import io
    import json
    import zipfile

    moto_launch.keep_lambda_tracing()
    moto_launch.keep_lambda_tracing()     # once is enough: a second call does not wrap it again
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        client = boto3.client("lambda", region_name="ap-northeast-2")
        client.create_function(FunctionName="fn", Runtime="python3.12", Role=role, Handler="index.handler",
                               Code={"ZipFile": code.getvalue()})
        assert client.get_function_configuration(FunctionName="fn")["TracingConfig"] == {"Mode": "PassThrough"}
        client.update_function_configuration(FunctionName="fn", TracingConfig={"Mode": "Active"})
        assert client.get_function_configuration(FunctionName="fn")["TracingConfig"] == {"Mode": "Active"}
