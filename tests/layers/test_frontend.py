"""Design properties of 11-frontend, on the session's shared synthesis: the bucket is private and
readable only through the distribution's origin access identity, `/api/*` goes to the API Gateway
stage over HTTPS and is never cached, client-side routes reach `index.html` (the routing function is
run with node where it is installed), alarms notify the alerts topic, and the layer, which had no
backend, now has the S3 backend of every layer. State keeping is `tests/test_state_kept.py`'s."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from settings import load_environment
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS
from tests.helpers import addresses, moves, policy, ref, resource, resources_of_type

LAYER = "11-frontend"
BUCKET = "aws_s3_bucket.site_bucket"
DISTRIBUTION = "aws_cloudfront_distribution.cdn"
IDENTITY = "aws_cloudfront_origin_access_identity.site_identity"
ORIGINAL = Path(__file__).resolve().parent.parent / "fixtures" / "original"


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_the_stack_holds_exactly_the_resources_of_the_original_plan(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    original = json.loads((ORIGINAL / env / f"{LAYER}.json").read_text())["instances"]
    moved = moves(stack)
    assert len(original) == 14 and {i["address"] for i in original} == set(moved)
    assert addresses(stack) == set(moved.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_bucket_is_private_encrypted_and_readable_only_through_the_identity(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    # The site bucket's own resources (with `frontend.access_log_bucket` the log bucket has its own:
    # tests/layers/test_to_be_monitoring.py; with `frontend.origin_access = "control"` the policy
    # names the distribution instead of the identity, tested there too).
    stack = {"resource": {t: {k: r for k, r in rs.items() if k.startswith("site_")}
                          for t, rs in stack["resource"].items()}}
    (block,) = resources_of_type(stack, "aws_s3_bucket_public_access_block").values()
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                           "restrict_public_buckets"))
    (sse,) = resources_of_type(stack, "aws_s3_bucket_server_side_encryption_configuration").values()
    assert sse["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"
    (versioning,) = resources_of_type(stack, "aws_s3_bucket_versioning").values()
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    (bucket_policy,) = resources_of_type(stack, "aws_s3_bucket_policy").values()
    (statement,) = policy(bucket_policy["policy"])["Statement"]
    if load_environment(env).frontend.origin_access == "identity":
        assert statement == {
            "Sid": "AllowCloudFrontAccess", "Effect": "Allow", "Principal": {"AWS": ref(IDENTITY, "iam_arn")},
            "Action": "s3:GetObject", "Resource": ref(BUCKET, "arn") + "/*"}
    else:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"} and statement["Action"] == "s3:GetObject"
    cors = [rule for c in resources_of_type(stack, "aws_s3_bucket_cors_configuration").values() for rule in c["cors_rule"]]
    assert [r["allowed_methods"] for r in cors] == [["GET", "HEAD"]]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_api_paths_go_to_the_stage_over_https_uncached(synthesized, env):
    distribution = resource(synthesized(env).stack(LAYER), DISTRIBUTION)
    origins = {o["origin_id"]: o for o in distribution["origin"]}
    api = origins["API-Gateway"]
    assert api["custom_origin_config"]["origin_protocol_policy"] == "https-only"
    assert api["custom_origin_config"]["origin_ssl_protocols"] == ["TLSv1.2"]
    # The stage's name: `v1` as deployed, the environment's label with stage_named_for_environment (A46).
    settings = load_environment(env)
    assert api["origin_path"] == (f"/{settings.environment}" if settings.api_gateway.stage_named_for_environment else "/v1")
    assert "data.terraform_remote_state.api_gateway.outputs.api_gateway_invoke_url" in api["domain_name"]
    (behaviour,) = distribution["ordered_cache_behavior"]
    assert behaviour["path_pattern"] == "/api/*" and behaviour["target_origin_id"] == "API-Gateway"
    assert (behaviour["min_ttl"], behaviour["default_ttl"], behaviour["max_ttl"]) == (0, 0, 0)
    assert "Authorization" in behaviour["forwarded_values"]["headers"]
    (s3,) = [o for key, o in origins.items() if key != "API-Gateway"]
    if load_environment(env).frontend.origin_access == "identity":
        assert s3["s3_origin_config"]["origin_access_identity"] == ref(IDENTITY, "cloudfront_access_identity_path")
    assert distribution["default_cache_behavior"]["target_origin_id"] == s3["origin_id"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_client_side_routes_are_answered_with_the_index(synthesized, env):
    stack = synthesized(env).stack(LAYER)
    distribution = resource(stack, DISTRIBUTION)
    assert {(e["error_code"], e["response_code"], e["response_page_path"]) for e in distribution["custom_error_response"]} \
        == {(403, 200, "/index.html"), (404, 200, "/index.html")}
    (association,) = distribution["default_cache_behavior"]["function_association"]
    assert association == {"event_type": "viewer-request",
                           "function_arn": ref("aws_cloudfront_function.cdn_spa_routing", "arn")}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_routing_function_appends_index_html_where_a_file_name_is_missing(synthesized):
    code = resource(synthesized("dev").stack(LAYER), "aws_cloudfront_function.cdn_spa_routing")["code"]
    cases = {"/": "/index.html", "/owners/": "/owners/index.html", "/owners/1": "/owners/1/index.html",
             "/scripts/app.js": "/scripts/app.js", "/index.html": "/index.html"}
    script = code + "\nconst cases = " + json.dumps(list(cases)) + ";\n" + \
        "console.log(JSON.stringify(cases.map(u => handler({request: {uri: u}}).uri)));\n"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == list(cases.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_error_rate_alarms_watch_the_distribution_and_notify_the_alerts_topic(synthesized, env):
    settings = load_environment(env)
    alarms = resources_of_type(synthesized(env).stack(LAYER), "aws_cloudwatch_metric_alarm")
    assert {a["metric_name"] for a in alarms.values()} == {"4xxErrorRate", "5xxErrorRate"}
    for alarm in alarms.values():
        assert alarm["dimensions"] == {"DistributionId": ref(DISTRIBUTION), "Region": "Global"}
        assert alarm["alarm_actions"] == [f"arn:aws:sns:{settings.region}:${{data.aws_caller_identity.current."
                                          f"account_id}}:{settings.name_prefix}-alerts"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_layer_gets_the_s3_backend_and_reads_the_api_stage_by_its_original_key(synthesized, env):
    settings = load_environment(env)
    stack = synthesized(env).stack(LAYER)
    backend = stack["terraform"]["backend"]
    assert list(backend) == ["s3"]
    assert backend["s3"] == {"bucket": settings.state.bucket, "key": f"{settings.environment}/11-frontend/terraform.tfstate",
                             "region": settings.state.region, "encrypt": True, "use_lockfile": True}
    reads = stack["data"]["terraform_remote_state"]
    assert {n: r["config"]["key"] for n, r in reads.items()} == {
        "api_gateway": f"{settings.environment}/08-api-gateway/terraform.tfstate"}
