"""Design properties of 08-api-gateway (design document §5.2 and §11.2), on the session's shared
synthesis: every service route present with the right integration, no method with an authorization
other than the intended one, stage throttling, the WAF on the stage, CORS answers, and a deployment
that is replaced when, and only when, the API definition changes. State keeping is checked for every
layer by `tests/test_state_kept.py` and `tests/test_equivalence.py`."""
from __future__ import annotations

import json

import pytest
from cdktf import App

from layers.api_gateway import ApiGatewayStack, api_definition
from synthesis.checks import SYNTHESIS_CHECKS, cross_layer_outputs
from modules.api_definition import ApiDefinition, Route, Service
from settings import load_environment
from tests.conftest import ENVIRONMENTS
from tests.helpers import ref, resource, resources_of_type

LAYER = "08-api-gateway"
ALB = "${data.terraform_remote_state.application.outputs.alb_dns_name}"
LAMBDA_INVOKE_ARN = "${data.terraform_remote_state.lambda_genai.outputs.lambda_function_invoke_arn}"
API = "aws_api_gateway_rest_api.api_gateway"
STAGE = "aws_api_gateway_stage.api_gateway_stage"
DEPLOYMENT = "aws_api_gateway_deployment.api_gateway_deployment"

# The design document's routing (§11.2), as facts: path -> (integration type, ALB path or None).
SERVICE_ROUTES = {
    "/api/customers": ("HTTP_PROXY", "/api/customers"),
    "/api/customers/{proxy+}": ("HTTP_PROXY", "/api/customers/{proxy}"),
    "/api/vets": ("HTTP_PROXY", "/api/vets"),
    "/api/vets/{proxy+}": ("HTTP_PROXY", "/api/vets/{proxy}"),
    "/api/visits": ("HTTP_PROXY", "/api/visits"),
    "/api/visits/{proxy+}": ("HTTP_PROXY", "/api/visits/{proxy}"),
    "/admin": ("HTTP_PROXY", "/admin"),
    "/admin/{proxy+}": ("HTTP_PROXY", "/admin/{proxy}"),
    "/api/genai": ("AWS_PROXY", None),
    "/api/genai/{proxy+}": ("AWS_PROXY", None),
}


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def stack(request, synthesized) -> dict:
    return synthesized(request.param).stack(LAYER)


def alb_origin(stack: dict) -> str:
    """Where the environment's HTTP integrations call the ALB: as deployed http://<its DNS name>; with
    `api_gateway.https_to_alb` (to-be) https://<the name its certificate covers>, which the deployment
    names in its triggers (tests/layers/test_to_be_part1.py checks that name against the settings)."""
    (deployment,) = resources_of_type(stack, "aws_api_gateway_deployment").values()
    return deployment["triggers"].get("alb_origin", f"http://{ALB}")


@pytest.fixture(scope="module")
def dev(synthesized) -> dict:
    return synthesized("dev").stack(LAYER)


def paths(stack: dict) -> dict[str, str]:
    """resource address -> its full path, followed through `parent_id` references."""
    resources = resources_of_type(stack, "aws_api_gateway_resource")
    root = ref(API, "root_resource_id")

    def path_of(name: str) -> str:
        r = resources[name]
        parent = "" if r["parent_id"] == root else path_of(r["parent_id"][2:-1].split(".")[1])
        return f"{parent}/{r['path_part']}"

    return {f"aws_api_gateway_resource.{n}": path_of(n) for n in resources}


def methods_by_path(stack: dict) -> dict[tuple[str, str], tuple[dict, dict]]:
    """(path, http method) -> (method config, integration config)."""
    by_id = {ref(address): path for address, path in paths(stack).items()}
    by_id[ref(API, "root_resource_id")] = "/"
    methods = resources_of_type(stack, "aws_api_gateway_method")
    integrations = resources_of_type(stack, "aws_api_gateway_integration")
    found = {}
    for name, method in methods.items():
        linked = [i for i in integrations.values()
                  if i["resource_id"] == method["resource_id"] and i["http_method"] == ref(f"aws_api_gateway_method.{name}", "http_method")]
        assert len(linked) == 1, f"method {name} has {len(linked)} integrations"
        found[(by_id[method["resource_id"]], method["http_method"])] = (method, linked[0])
    return found


def test_every_service_route_goes_where_the_design_says(stack):
    routes = methods_by_path(stack)
    for path, (kind, alb_path) in SERVICE_ROUTES.items():
        method, integration = routes[(path, "ANY")]
        assert integration["type"] == kind, path
        if kind == "HTTP_PROXY":
            assert integration["uri"] == f"{alb_origin(stack)}{alb_path}", path
            assert integration["integration_http_method"] == "ANY", path
            assert integration["connection_type"] == "INTERNET", path
        else:
            assert integration["uri"] == LAMBDA_INVOKE_ARN, path
            assert integration["integration_http_method"] == "POST", path
        if path.endswith("{proxy+}"):
            assert method["request_parameters"] == {"method.request.path.proxy": True}, path


def test_explicit_customer_routes_pass_their_path_variables(dev):
    routes = methods_by_path(dev)
    method, integration = routes[("/api/customers/owners/{ownerId}/pets/{petId}", "ANY")]
    assert method["request_parameters"] == {"method.request.path.ownerId": True, "method.request.path.petId": True}
    assert integration["request_parameters"] == {"integration.request.path.ownerId": "method.request.path.ownerId",
                                                 "integration.request.path.petId": "method.request.path.petId"}
    assert integration["uri"] == f"http://{ALB}/api/customers/owners/{{ownerId}}/pets/{{petId}}"
    assert routes[("/api/customers/petTypes", "GET")][1]["integration_http_method"] == "GET"
    assert routes[("/api/customers/owners/{ownerId}", "GET")][1]["integration_http_method"] == "GET"


def test_catch_alls_go_to_the_alb(dev):
    routes = methods_by_path(dev)
    assert routes[("/", "ANY")][1]["uri"] == f"http://{ALB}/"
    assert routes[("/{proxy+}", "ANY")][1]["uri"] == f"http://{ALB}/{{proxy}}"


def test_no_method_has_another_authorization_than_none(stack):
    # The design document (§5.2): no authentication in this phase; only the AI routes ask for an API
    # key, where the switch aws_native.require_api_key is on (§6.3, tests/layers/test_to_be_part2.py).
    for name, method in resources_of_type(stack, "aws_api_gateway_method").items():
        assert method["authorization"] == "NONE", name
        assert not method.get("api_key_required") or "genai" in name, name
        assert "authorizer_id" not in method, name


def test_every_service_path_answers_a_cors_preflight(dev):
    routes = methods_by_path(dev)
    preflighted = {path for (path, verb) in routes if verb == "OPTIONS"}
    assert preflighted == set(SERVICE_ROUTES) | {"/api", "/{proxy+}"}
    for (path, verb), (_, integration) in routes.items():
        if verb == "OPTIONS":
            assert integration["type"] == "MOCK", path
    for name, answer in resources_of_type(dev, "aws_api_gateway_integration_response").items():
        assert answer["response_parameters"]["method.response.header.Access-Control-Allow-Origin"] == "'*'", name


def test_the_stage_is_throttled_and_measured(stack):
    settings = resources_of_type(stack, "aws_api_gateway_method_settings")
    (only,) = settings.values()
    assert only["method_path"] == "*/*"
    assert only["stage_name"] == ref(STAGE, "stage_name")
    assert only["settings"]["throttling_rate_limit"] == 1000  # the design's 1000 req/s
    assert only["settings"]["throttling_burst_limit"] == 2000
    assert only["settings"]["metrics_enabled"] is True


def test_the_waf_rate_limits_are_attached_to_the_stage(stack):
    (association,) = resources_of_type(stack, "aws_wafv2_web_acl_association").values()
    (acl_name, acl), = resources_of_type(stack, "aws_wafv2_web_acl").items()
    assert association["resource_arn"] == ref(STAGE, "arn")
    assert association["web_acl_arn"] == ref(f"aws_wafv2_web_acl.{acl_name}", "arn")
    assert acl["scope"] == "REGIONAL"
    limits = {r["name"]: r["statement"]["rate_based_statement"]["limit"] for r in acl["rule"]
              if "rate_based_statement" in r["statement"]}
    assert limits == {"GeneralRateLimit": 1000, "StrictRateLimit": 100}
    blocking = {r["name"] for r in acl["rule"] if "block" in r["action"]}
    assert blocking == {"GeneralRateLimit", "StrictRateLimit", "SQLInjectionProtection", "XSSProtection"}


def test_the_genai_lambda_may_be_invoked_by_this_api_only(dev):
    (permission,) = resources_of_type(dev, "aws_lambda_permission").values()
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"] == ref(API, "execution_arn") + "/*/*"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_cross_layer_output_check_passes_over_all_synthesized_stacks(synthesized, env):
    # 08 reads 06 and 07, 09 reads eight layers (08 among them): every output read is declared.
    synthesis = synthesized(env)
    assert {"08-api-gateway", "09-aws-native"} <= set(synthesis.layers())
    assert cross_layer_outputs(load_environment(env), [], synthesis.outdir / "stacks") == []
    assert all(check(load_environment(env), [], synthesis.outdir / "stacks") == [] for check in SYNTHESIS_CHECKS)


# ---------------------------------------------------------------- the deployment trigger
def test_the_deployment_trigger_is_the_definition_fingerprint_and_no_timestamp(dev):
    deployment = resource(dev, DEPLOYMENT)
    triggers = deployment["triggers"]
    assert triggers["api_definition"] == api_definition(load_environment("dev")).fingerprint()
    assert triggers["alb_dns_name"] == ALB
    assert triggers["lambda_invoke_arn"] == LAMBDA_INVOKE_ARN
    assert "timestamp" not in json.dumps(deployment)
    assert deployment["lifecycle"] == {"create_before_destroy": True}


def test_the_deployment_waits_for_every_route(dev):
    depends = set(resource(dev, DEPLOYMENT)["depends_on"])
    for rtype in ("aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_resource"):
        for name in resources_of_type(dev, rtype):
            assert f"{rtype}.{name}" in depends


SERVICES = (Service("customers", "api", "alb", (Route("owners", ("ANY",)),)),
            Service("admin", "root", "alb"), Service("genai", "api", "lambda"))


def test_the_fingerprint_stays_when_nothing_changes():
    assert ApiDefinition.expand(SERVICES).fingerprint() == ApiDefinition.expand(SERVICES).fingerprint()
    # the order services are listed in is not part of the API
    assert ApiDefinition.expand(SERVICES[::-1]).fingerprint() == ApiDefinition.expand(SERVICES).fingerprint()


@pytest.mark.parametrize("changed", [
    SERVICES + (Service("billing", "api", "alb"),),                                        # a new service
    (Service("customers", "api", "alb", (Route("owners", ("ANY", "GET")),)),) + SERVICES[1:],  # a new method
    (Service("customers", "api", "alb", (Route("owners/{ownerId}", ("ANY",)),)),) + SERVICES[1:],  # a path
    (Service("customers", "api", "lambda"),) + SERVICES[1:],                                # another target
    (Service("customers", "root", "alb", (Route("owners", ("ANY",)),)),) + SERVICES[1:],   # another parent
], ids=["service", "method", "path", "target", "parent"])
def test_the_fingerprint_changes_with_any_route_change(changed):
    assert ApiDefinition.expand(changed).fingerprint() != ApiDefinition.expand(SERVICES).fingerprint()


def test_a_route_change_in_the_environment_data_changes_the_synthesized_trigger(dev, tmp_path):
    env = load_environment("dev")
    customers = env.api_gateway.services["customers"]
    more = customers.model_copy(update={"routes": customers.routes + (customers.routes[0].model_copy(
        update={"path": "owners/{ownerId}/visits"}),)})
    changed = env.model_copy(update={"api_gateway": env.api_gateway.model_copy(
        update={"services": {**env.api_gateway.services, "customers": more}})})
    app = App(outdir=str(tmp_path))
    ApiGatewayStack(app, changed)
    app.synth()
    synthesized = json.loads((tmp_path / "stacks" / LAYER / "cdk.tf.json").read_text())
    before = resource(dev, DEPLOYMENT)["triggers"]["api_definition"]
    after = resource(synthesized, DEPLOYMENT)["triggers"]["api_definition"]
    assert after != before
    assert after == api_definition(changed).fingerprint()


def test_a_new_service_is_one_entry_of_data():
    before = ApiDefinition.expand(SERVICES)
    after = ApiDefinition.expand(SERVICES + (Service("billing", "api", "alb"),))
    added = {r.path for r in after.resources} - {r.path for r in before.resources}
    assert added == {"/api/billing", "/api/billing/{proxy+}"}
    assert len(after.methods) - len(before.methods) == 2
    assert len(after.cors) - len(before.cors) == 2
