"""Function tests: the genai sources on `sys.path` as the Lambda runtime sees them (top-level
modules), fake credentials and region, and stubbed clients. No cdktf, no network, no real AWS."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

GENAI = Path(__file__).resolve().parents[2] / "functions" / "genai"
sys.path.insert(0, str(GENAI))

CLUSTER_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:petclinic-test-aurora-cluster"
SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-test-AbCdEf"
MODEL_ID = "anthropic.claude-3-sonnet-20240229-v1:0"


@pytest.fixture(autouse=True)
def aws_test_environment(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-west-2", "AWS_REGION": "us-west-2",
                        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                        "AWS_EC2_METADATA_DISABLED": "true", "BEDROCK_MODEL_ID": MODEL_ID, "LOG_LEVEL": "INFO",
                        "DB_CLUSTER_ARN": CLUSTER_ARN, "DB_SECRET_ARN": SECRET_ARN}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DB_NAME", raising=False)
    import aws_clients
    aws_clients.reset()
    yield
    aws_clients.reset()


class FakeContext:
    aws_request_id = "req-0001"


def streaming(payload: dict):
    from botocore.response import StreamingBody
    data = json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def claude_reply(text: str) -> dict:
    return {"body": streaming({"content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}),
            "contentType": "application/json"}
