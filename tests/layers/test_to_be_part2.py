"""Issue 36's design switches, each way on the synthesized JSON: `staging` (profile to-be) has the
switch on, `dev` (as-deployed) has it off and keeps the deployed resources."""
from __future__ import annotations

import json

from tests.helpers import ref, resource, resources_of_type

GENAI = "06-lambda-genai"
FUNCTION = "aws_lambda_function.genai"
XRAY_WRITE = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


def test_genai_tracing_on_in_to_be_with_xray_rights(synthesized):
    stack = synthesized("staging").stack(GENAI)
    assert resource(stack, FUNCTION)["tracing_config"] == {"mode": "Active"}
    attachments = resources_of_type(stack, "aws_iam_role_policy_attachment").values()
    assert [a["role"] for a in attachments if a["policy_arn"] == XRAY_WRITE] == [
        ref("aws_iam_role.genai_execution_role", "name")]


def test_genai_tracing_off_as_deployed(synthesized):
    stack = synthesized("dev").stack(GENAI)
    assert "tracing_config" not in resource(stack, FUNCTION)
    assert all(a["policy_arn"] != XRAY_WRITE
               for a in resources_of_type(stack, "aws_iam_role_policy_attachment").values())


def test_master_secret_rotates_every_30_days_in_to_be(synthesized):
    rotations = resources_of_type(synthesized("staging").stack("03-database"), "aws_secretsmanager_secret_rotation")
    assert [(r["secret_id"], r["rotation_rules"]) for r in rotations.values()] == [
        ("${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}", {"automatically_after_days": 30})]


def test_master_secret_rotation_left_to_rds_as_deployed(synthesized):
    assert resources_of_type(synthesized("dev").stack("03-database"), "aws_secretsmanager_secret_rotation") == {}


def cloud_map_services(env: str, synthesized) -> dict[str, dict]:
    return resources_of_type(synthesized(env).stack("05-cloud-map"), "aws_service_discovery_service")


def test_cloud_map_takes_the_health_ecs_reports_in_to_be(synthesized):
    services = cloud_map_services("staging", synthesized)
    assert sorted(s["name"] for s in services.values()) == ["admin", "customers", "vets", "visits"]
    assert all(s["health_check_custom_config"] == {} for s in services.values())


def test_cloud_map_has_no_health_check_as_deployed(synthesized):
    services = cloud_map_services("dev", synthesized)
    assert len(services) == 4 and all("health_check_custom_config" not in s for s in services.values())


def parameter_types(env: str, synthesized) -> dict[str, str]:
    parameters = resources_of_type(synthesized(env).stack("04-parameter-store"), "aws_ssm_parameter")
    return {p["name"].split("/", 2)[2]: p["type"] for p in parameters.values()}


def test_database_parameters_are_secure_strings_in_to_be(synthesized):
    types = parameter_types("staging", synthesized)
    assert sorted(k for k, v in types.items() if v == "SecureString") == sorted([
        "staging/db/url", "staging/db/username", "staging/db/secrets-manager-name",
        "staging/customers/db/url", "staging/vets/db/url", "staging/visits/db/url"])
    assert types["staging/customers/server.port"] == "String"


def test_every_parameter_is_a_string_as_deployed(synthesized):
    types = parameter_types("dev", synthesized)
    assert any("/db/" in name for name in types) and set(types.values()) == {"String"}


def alarm_actions(env: str, synthesized) -> list[list[str]]:
    alarms = resources_of_type(synthesized(env).stack("07-application"), "aws_cloudwatch_metric_alarm")
    assert alarms, f"{env}: 07-application has no alarm"
    return [a.get("alarm_actions", []) for a in alarms.values()]


def test_application_alarms_notify_the_alerts_topic_in_to_be(synthesized):
    topic = "arn:aws:sns:ap-northeast-1:${data.aws_caller_identity.current.account_id}:petclinic-staging-alerts"
    assert all(actions == [topic] for actions in alarm_actions("staging", synthesized))


def test_application_alarms_keep_the_env_files_actions_as_deployed(synthesized):
    dev_topic = "arn:aws:sns:us-west-2:897722691159:petclinic-dev-alerts"
    assert all(actions == [dev_topic] for actions in alarm_actions("dev", synthesized))
    assert "data" not in synthesized("dev").stack("07-application") or "aws_caller_identity" not in \
        synthesized("dev").stack("07-application")["data"]


def task_definitions(env: str, synthesized) -> dict[str, dict]:
    return resources_of_type(synthesized(env).stack("07-application"), "aws_ecs_task_definition")


def test_each_service_has_its_own_task_role_in_to_be(synthesized):
    stack = synthesized("staging").stack("07-application")
    definitions = task_definitions("staging", synthesized)
    roles = {d["task_role_arn"] for d in definitions.values()}
    assert len(roles) == len(definitions) == 4
    assert all(d["task_role_arn"] != d["execution_role_arn"] for d in definitions.values())
    policies = resources_of_type(stack, "aws_iam_role_policy")
    customers = json.loads(next(p["policy"] for p in policies.values() if "customers" in p["name"]))
    actions = {a for s in customers["Statement"] for a in s["Action"]}
    assert {"ssm:GetParameters", "xray:PutTraceSegments", "cloudwatch:PutMetricData"} <= actions
    reads = next(s["Resource"] for s in customers["Statement"] if s["Sid"] == "ReadOwnParameters")
    assert all(r.endswith(("/petclinic/staging/customers/*", "/petclinic/staging/db/*", "/petclinic/common/*"))
               for r in reads) and len(reads) == 3


def test_tasks_run_under_the_execution_role_as_deployed(synthesized):
    definitions = task_definitions("dev", synthesized)
    assert definitions and all(d["task_role_arn"] == d["execution_role_arn"] for d in definitions.values())


def commands(env: str, synthesized) -> list[object]:
    return [json.loads(d["container_definitions"])[0].get("command")
            for d in task_definitions(env, synthesized).values()]


def test_containers_run_their_entry_point_in_to_be(synthesized):
    assert commands("staging", synthesized) == [None] * 4


def test_the_deployed_self_test_stays_as_deployed(synthesized):
    found = commands("dev", synthesized)
    assert len(found) == 4 and all("get-login-password" in " ".join(c) for c in found)


def permissions(env: str, synthesized) -> list[dict]:
    return [p for layer in ("08-api-gateway", "09-aws-native")
            for p in resources_of_type(synthesized(env).stack(layer), "aws_lambda_permission").values()]


def test_the_api_invokes_an_alias_with_provisioned_executions_in_to_be(synthesized):
    stack = synthesized("staging").stack(GENAI)
    assert resource(stack, FUNCTION)["publish"] is True
    assert resource(stack, "aws_lambda_alias.live_alias")["function_version"] == "${aws_lambda_function.genai.version}"
    config = resource(stack, "aws_lambda_provisioned_concurrency_config.provisioned_concurrency")
    assert (config["qualifier"], config["provisioned_concurrent_executions"]) == (
        "${aws_lambda_alias.live_alias.name}", 1)
    assert stack["output"]["lambda_function_invoke_arn"]["value"] == "${aws_lambda_alias.live_alias.invoke_arn}"
    found = permissions("staging", synthesized)
    assert len(found) == 2 and all(p["qualifier"] == "live" for p in found)


def test_the_api_invokes_the_function_itself_as_deployed(synthesized):
    stack = synthesized("dev").stack(GENAI)
    assert "publish" not in resource(stack, FUNCTION)
    assert not resources_of_type(stack, "aws_lambda_alias")
    assert not resources_of_type(stack, "aws_lambda_provisioned_concurrency_config")
    found = permissions("dev", synthesized)
    assert len(found) == 2 and all("qualifier" not in p for p in found)


def genai_methods(env: str, synthesized) -> list[dict]:
    api = resources_of_type(synthesized(env).stack("08-api-gateway"), "aws_api_gateway_method")
    native = resources_of_type(synthesized(env).stack("09-aws-native"), "aws_api_gateway_method")
    found = [m for name, m in api.items() if "genai" in name and m["http_method"] != "OPTIONS"]
    return found + [m for m in native.values() if m["http_method"] != "OPTIONS"]


def test_the_ai_routes_require_a_key_kept_in_secrets_manager_in_to_be(synthesized):
    stack = synthesized("staging").stack("08-api-gateway")
    methods = genai_methods("staging", synthesized)
    assert len(methods) == 3 and all(m["api_key_required"] is True for m in methods)
    plan = next(iter(resources_of_type(stack, "aws_api_gateway_usage_plan").values()))
    assert plan["api_stages"] == [{"api_id": "${aws_api_gateway_rest_api.api_gateway.id}",
                                   "stage": "${aws_api_gateway_stage.api_gateway_stage.stage_name}"}]
    key = "aws_api_gateway_api_key.genai_api_key_key"
    assert "value" not in resource(stack, key)   # generated by API Gateway, never in the repository
    versions = resources_of_type(stack, "aws_secretsmanager_secret_version").values()
    assert [v["secret_string"] for v in versions] == [f"${{{key}.value}}"]
    assert all(key not in json.dumps(o) for o in stack["output"].values())


def test_the_ai_routes_are_open_as_deployed(synthesized):
    stack = synthesized("dev").stack("08-api-gateway")
    methods = genai_methods("dev", synthesized)
    assert methods and all(not m.get("api_key_required") for m in methods)
    assert not resources_of_type(stack, "aws_api_gateway_api_key")


def test_failed_async_invocations_land_in_a_queue_in_to_be(synthesized):
    stack = synthesized("staging").stack(GENAI)
    config = resource(stack, "aws_lambda_function_event_invoke_config.async_invocations")
    assert config["maximum_retry_attempts"] == 2
    assert config["destination_config"]["on_failure"]["destination"] == "${aws_sqs_queue.failure_queue.arn}"
    send = json.loads(resource(stack, "aws_iam_role_policy.failure_queue_send")["policy"])["Statement"]
    assert send == [{"Sid": "SendFailedInvocations", "Effect": "Allow", "Action": ["sqs:SendMessage"],
                     "Resource": ["${aws_sqs_queue.failure_queue.arn}"]}]


def test_no_failure_queue_as_deployed(synthesized):
    stack = synthesized("dev").stack(GENAI)
    assert not resources_of_type(stack, "aws_sqs_queue")
    assert not resources_of_type(stack, "aws_lambda_function_event_invoke_config")


def test_each_service_reads_its_own_database_url_in_to_be(synthesized):
    parameters = {p["name"]: p["value"] for p in resources_of_type(
        synthesized("staging").stack("04-parameter-store"), "aws_ssm_parameter").values()}
    for service in ("customers", "vets", "visits"):
        url = parameters[f"/petclinic/staging/{service}/db/url"]
        assert f":3306/petclinic_{service}?" in url, url
    url_sources = {d["family"]: next(s["valueFrom"] for s in json.loads(d["container_definitions"])[0]["secrets"]
                                     if s["name"] == "SPRING_DATASOURCE_URL")
                   for d in task_definitions("staging", synthesized).values() if "admin" not in d["family"]}
    assert sorted(url_sources.values()) == [f"/petclinic/staging/{s}/db/url" for s in ("customers", "vets", "visits")]


def test_the_services_share_one_database_as_deployed(synthesized):
    names = [p["name"] for p in resources_of_type(
        synthesized("dev").stack("04-parameter-store"), "aws_ssm_parameter").values()]
    assert names and not [n for n in names if n.endswith("/db/url") and "/dev/db/url" not in n]


def execution_role_policy(env: str, synthesized) -> tuple[list[str], list[dict]]:
    stack = synthesized(env).stack("02-security")
    managed = [a["policy_arn"] for a in resources_of_type(stack, "aws_iam_role_policy_attachment").values()]
    policy = json.loads(resource(stack, "aws_iam_role_policy.ecs_task_execution_parameter_store_read")["policy"])
    return managed, policy["Statement"]


def task_value_froms(env: str, synthesized) -> set[str]:
    return {s["valueFrom"] for d in task_definitions(env, synthesized).values()
            for c in json.loads(d["container_definitions"]) for s in c.get("secrets", [])}


def test_the_execution_role_reads_exactly_what_the_tasks_reference_in_to_be(synthesized):
    """A84/A85 and §8.1's least privilege: the narrowed role's parameters and secrets are the task
    definitions' references, one for one (a secret's ARN ends in '-' and six characters)."""
    managed, statements = execution_role_policy("staging", synthesized)
    assert not [a for a in managed if a.endswith("/AmazonSSMReadOnlyAccess")]
    parameters, secrets, keys = statements
    lookups = synthesized("staging").stack("07-application")["data"]["aws_secretsmanager_secret"]
    referenced_parameters, referenced_secrets = set(), set()
    for source in task_value_froms("staging", synthesized):
        if source.startswith("/"):
            referenced_parameters.add(source)
        else:   # ${data.aws_secretsmanager_secret.<id>.arn}:<key>::
            referenced_secrets.add(lookups[source.split(".")[2]]["name"])
    assert parameters["Action"] == ["ssm:GetParameters"]
    assert {r.split(":parameter", 1)[1] for r in parameters["Resource"]} == referenced_parameters
    assert secrets["Action"] == ["secretsmanager:GetSecretValue"]
    assert {r.split(":secret:", 1)[1] for r in secrets["Resource"]} == {f"{n}-??????" for n in referenced_secrets}
    assert len(referenced_secrets) == 3 and "rds!cluster-*" not in str(secrets["Resource"])
    assert keys["Action"] == ["kms:Decrypt"] and keys["Condition"]["StringEquals"]["kms:ViaService"] == [
        "ssm.ap-northeast-1.amazonaws.com", "secretsmanager.ap-northeast-1.amazonaws.com"]


def test_the_execution_role_keeps_ssm_read_only_as_deployed(synthesized):
    managed, statements = execution_role_policy("dev", synthesized)
    assert "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess" in managed
    assert [r.split(":parameter", 1)[1] for r in statements[0]["Resource"]] == ["/petclinic-dev/*"]
    assert statements[1]["Resource"].endswith(":secret:rds!cluster-*") and statements[2]["Resource"].endswith(":key/*")


def test_each_service_logs_in_as_its_own_user_in_to_be(synthesized):
    """03 creates each service's secret with no value in Terraform; 07's task reads its user and
    password from that secret, looked up by the same name, and never the master user's."""
    database = synthesized("staging").stack("03-database")
    secrets = {b["name"] for b in resources_of_type(database, "aws_secretsmanager_secret").values()}
    assert secrets == {f"petclinic-staging-{s}-db" for s in ("customers", "vets", "visits")}
    assert not resources_of_type(database, "aws_secretsmanager_secret_version")
    lookups = synthesized("staging").stack("07-application")["data"]["aws_secretsmanager_secret"]
    for definition in task_definitions("staging", synthesized).values():
        reads = {s["name"]: s["valueFrom"] for s in json.loads(definition["container_definitions"])[0]["secrets"]}
        if "admin" in definition["family"]:
            assert reads == {}
            continue
        service = definition["family"].rsplit("-", 1)[1]
        lookup = f"{service}_db_secret"
        assert lookups[lookup]["name"] == f"petclinic-staging-{service}-db"
        assert reads == {"SPRING_DATASOURCE_URL": f"/petclinic/staging/{service}/db/url",
                         "SPRING_DATASOURCE_USERNAME": f"${{data.aws_secretsmanager_secret.{lookup}.arn}}:username::",
                         "SPRING_DATASOURCE_PASSWORD": f"${{data.aws_secretsmanager_secret.{lookup}.arn}}:password::"}


def test_the_services_log_in_as_the_master_user_as_deployed(synthesized):
    assert not resources_of_type(synthesized("dev").stack("03-database"), "aws_secretsmanager_secret")
    assert "aws_secretsmanager_secret" not in (synthesized("dev").stack("07-application").get("data") or {})
    assert task_value_froms("dev", synthesized) == {
        "/petclinic-seoul/dev/db/url", "/petclinic-seoul/dev/db/username",
        "${data.terraform_remote_state.database.outputs.master_user_secret_name}:password::"}
