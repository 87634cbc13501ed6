"""Design properties of 07-application (design document §4-§5, as deployed), on the session's shared
synthesis; the facts pinned here come from the design document and the reference plans, not from
the code under test."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from synthesis.checks import task_reads, task_reads_exist
from settings import load_environment
from synthesis import synthesize
from tools.stack_form import read_stack
from tests.conftest import ENVIRONMENTS, REFERENCE_ENVIRONMENTS, ROOT
from tests.helpers import addresses, moves, ref, removed, resource, resources_of_type

LAYER = "07-application"
NETWORK = "data.terraform_remote_state.network.outputs"
# §4.2 of the design document: one task of 0.25 vCPU / 512 MiB per service, these health checks.
HEALTH_PATHS = {"customers": "/api/customers/actuator/health", "vets": "/api/vets/actuator/health",
                "visits": "/api/visits/actuator/health", "admin": "/admin/actuator/health"}
PORTS = {"customers": 8080, "vets": 8080, "visits": 8080, "admin": 9090}
# §5.1: path routing on the listener (the deployed rules also match the bare prefix).
ROUTES = {"customers": ["/api/customers", "/api/customers/*"], "vets": ["/api/vets", "/api/vets/*"],
          "visits": ["/api/visits", "/api/visits/*"], "admin": ["/admin", "/admin/*"]}
LOG_RETENTION = {"dev": 30, "staging": 30, "seoul": 30, "prod": 90}


def stack(synthesized, env: str) -> dict:
    return synthesized(env).stack(LAYER)


def containers(task: dict) -> list[dict]:
    return json.loads(task["container_definitions"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_service_runs_one_quarter_vcpu_half_gib_fargate_task(synthesized, env):
    tasks = resources_of_type(stack(synthesized, env), "aws_ecs_task_definition")
    assert sorted(t["family"] for t in tasks.values()) == sorted(f"{load_environment(env).name_prefix}-{s}"
                                                                 for s in PORTS)
    for task in tasks.values():
        assert (task["cpu"], task["memory"]) == ("256", "512")
        assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
        # With `application.xray_daemon` the daemon stands beside it (tests/layers/test_to_be_monitoring.py).
        container, *sidecars = containers(task)
        assert [s["name"] for s in sidecars] == (["xray-daemon"] if load_environment(env).application.xray_daemon else [])
        assert container["portMappings"] == [{"containerPort": PORTS[container["name"]],
                                              "hostPort": PORTS[container["name"]], "protocol": "tcp"}]
        assert container["logConfiguration"]["logDriver"] == "awslogs"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_services_run_in_private_app_subnets_without_public_ips(synthesized, env):
    services = resources_of_type(stack(synthesized, env), "aws_ecs_service")
    assert len(services) == len(PORTS)
    for service in services.values():
        network = service["network_configuration"]
        assert network["subnets"] == f"${{values({NETWORK}.private_app_subnet_ids)}}"
        assert network["assign_public_ip"] is False
        # As deployed: launch type FARGATE; with the design's capacity providers (to-be profile) a strategy.
        if load_environment(env).application.capacity_providers:
            assert "launch_type" not in service and service["capacity_provider_strategy"]
            assert service["force_new_deployment"] is True
        else:
            assert service["launch_type"] == "FARGATE" and "force_new_deployment" not in service
        # §4.2's one task (the development sizing); prod runs two for §14.3's 99.9 % (claim A132).
        assert service["desired_count"] == (2 if env == "prod" else 1)
        assert "registry_arn" in service["service_registries"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alb_is_internet_facing_in_the_public_subnets_only(synthesized, env):
    (lb,) = resources_of_type(stack(synthesized, env), "aws_lb").values()
    assert lb["internal"] is False and lb["load_balancer_type"] == "application"
    assert lb["subnets"] == f"${{values({NETWORK}.public_subnet_ids)}}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alb_security_group_admits_only_http_and_https(synthesized, env):
    s = stack(synthesized, env)
    alb_sg = ref("aws_security_group.alb_sg")
    ingress = [r for r in resources_of_type(s, "aws_vpc_security_group_ingress_rule").values()
               if r["security_group_id"] == alb_sg]
    assert ingress and {(r["from_port"], r["to_port"], r["ip_protocol"]) for r in ingress} == {
        (80, 80, "tcp"), (443, 443, "tcp")}
    legacy = [r for r in resources_of_type(s, "aws_security_group_rule").values()
              if r["security_group_id"] == alb_sg and r["type"] == "ingress"]
    assert not legacy


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_health_checks_and_routes_lead_each_path_to_its_own_service(synthesized, env):
    s = stack(synthesized, env)
    groups = resources_of_type(s, "aws_lb_target_group")
    for service, path in HEALTH_PATHS.items():
        group = groups[f"{service}_target_group"]
        assert group["health_check"]["path"] == path and group["port"] == PORTS[service]
        assert group["target_type"] == "ip"
    for name, rule in resources_of_type(s, "aws_lb_listener_rule").items():
        service = name.removesuffix("_route")
        # The path rules sit on the HTTPS listener where there is one (the to-be environments).
        listener = "alb_https" if load_environment(env).application.alb.https else "alb_http"
        assert rule["listener_arn"] == ref(f"aws_lb_listener.{listener}", "arn")
        assert rule["condition"][0]["path_pattern"]["values"] == ROUTES[service]
        (target,) = rule["action"][0]["forward"]["target_group"]
        assert target["arn"] == ref(f"aws_lb_target_group.{service}_target_group", "arn")


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_listener_is_plain_http_on_80_forwarding_as_deployed(synthesized, env):
    """The design asks for HTTPS on 443 and a redirect from 80; what is deployed (and kept) is a
    forwarding HTTP listener (docs/design.md)."""
    listeners = resources_of_type(stack(synthesized, env), "aws_lb_listener")
    assert [(l["port"], l["protocol"], l["default_action"][0]["type"]) for l in listeners.values()] == [
        (80, "HTTP", "forward")]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_service_scales_on_cpu_at_seventy_percent(synthesized, env):
    s = stack(synthesized, env)
    targets = resources_of_type(s, "aws_appautoscaling_target")
    policies = resources_of_type(s, "aws_appautoscaling_policy")
    assert len(targets) == len(policies) == len(PORTS)
    for service in PORTS:
        target = targets[f"{service}_scaling"]
        assert (target["min_capacity"], target["max_capacity"]) == ((2 if env == "prod" else 1), 4)
        config = policies[f"{service}_cpu_scaling"]["target_tracking_scaling_policy_configuration"]
        assert config["target_value"] == 70
        assert config["predefined_metric_specification"]["predefined_metric_type"] == "ECSServiceAverageCPUUtilization"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_log_retention_follows_the_environment(synthesized, env):
    groups = resources_of_type(stack(synthesized, env), "aws_cloudwatch_log_group")
    assert {g["retention_in_days"] for g in groups.values()} == {LOG_RETENTION[env]}


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_layer_holds_twenty_eight_alarms_and_one_dashboard(synthesized, env):
    """Six per service (24), three on the web ACL, one on the default target group (the issue's 28)."""
    s = stack(synthesized, env)
    assert len(resources_of_type(s, "aws_cloudwatch_metric_alarm")) == 28
    assert len(resources_of_type(s, "aws_cloudwatch_dashboard")) == 1


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alb_to_task_rules_have_one_owner(synthesized, env):
    """07 owns the ALB -> ECS rules, one per service port; its `alb_security_group_id` stays empty, so
    02-security's count-guarded copy of the 8080 rule is never created (AWS rejects duplicates)."""
    s = stack(synthesized, env)
    alb_sg = ref("aws_security_group.alb_sg")
    from_alb = {r["from_port"] for r in resources_of_type(s, "aws_security_group_rule").values()
                if r["type"] == "ingress" and r.get("source_security_group_id") == alb_sg}
    assert from_alb == set(PORTS.values())
    assert s["output"]["alb_security_group_id"]["value"] == ""
    security = synthesized(env).stack("02-security")
    guarded = resources_of_type(security, "aws_vpc_security_group_ingress_rule").get("sg_ecs_from_alb")
    if load_environment(env).security.alb_integration:
        assert "application" in security["data"]["terraform_remote_state"]
        assert "length(compact(" in guarded["count"] and "alb_security_group_id" in guarded["count"]
    else:
        assert guarded is None


@pytest.mark.parametrize("env", REFERENCE_ENVIRONMENTS)
def test_debug_host_keeps_both_ages_of_the_state(synthesized, env):
    """The bastion was at the root of the original before it moved into module.debug_infrastructure:
    both addresses chain to the same resource; the earlier db_debug objects leave the state unharmed."""
    s = stack(synthesized, env)
    moved = moves(s)
    assert moved["aws_instance.bastion"] == "module.debug_infrastructure.aws_instance.bastion[0]"
    assert moved["module.debug_infrastructure.aws_instance.bastion[0]"] == "aws_instance.debug"
    assert moved["aws_security_group.bastion"] == "module.debug_infrastructure.aws_security_group.bastion[0]"
    assert "aws_instance.debug" in addresses(s)
    leftovers = {"aws_instance.db_debug", "aws_security_group.db_debug",
                 "aws_security_group_rule.aurora_allow_db_debug",
                 "aws_iam_role.db_debug", "aws_iam_instance_profile.db_debug", "aws_iam_role_policy.db_debug_secrets",
                 "aws_iam_role_policy_attachment.db_debug_params", "aws_iam_role_policy_attachment.db_debug_secrets",
                 "aws_iam_role_policy_attachment.db_debug_ssm"}
    assert set(removed(s)) == leftovers and not leftovers & set(moved)
    assert all(r["lifecycle"] == {"destroy": False} for r in s["removed"])
    instance = resource(s, "aws_instance.debug")
    assert instance["subnet_id"] == f"${{values({NETWORK}.public_subnet_ids)[0]}}"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_no_debug_host_outside_development(synthesized, env):
    s = stack(synthesized, env)
    assert not resources_of_type(s, "aws_instance") and not s.get("removed")
    assert s["output"]["debug_infrastructure"]["value"] == {"enabled": False, "bastion_public_ip": None}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tasks_read_what_the_parameter_layer_creates(synthesized, env):
    reads = task_reads(load_environment(env), synthesized(env).outdir / "stacks")
    assert len(reads) == 3 * 3  # three database services, URL + user name + password
    assert all(r.ok for r in reads), [r for r in reads if not r.ok]
    created = {c["name"] for c in resources_of_type(synthesized(env).stack("04-parameter-store"),
                                                    "aws_ssm_parameter").values()}
    own_users = load_environment(env).database.service_users
    for r in reads:
        if r.source.startswith("/"):
            assert r.source in created
        elif own_users:   # the service's own secret, which 03-database creates (empty)
            assert r.source.startswith("${data.aws_secretsmanager_secret.") and "created by 03-database" in r.verdict
        else:
            assert r.source == "${data.terraform_remote_state.database.outputs.master_user_secret_name}:password::"


def test_secret_check_fails_for_a_looked_up_secret_no_stack_creates(synthesized, tmp_path):
    stacks = tmp_path / "stacks"
    shutil.copytree(synthesized("staging").outdir / "stacks", stacks)
    path = stacks / LAYER / "cdk.tf.json"
    path.write_text(path.read_text().replace('"name": "petclinic-staging-vets-db"', '"name": "petclinic-staging-vet-db"'))
    problems = task_reads_exist(load_environment("staging"), [], stacks)
    assert len(problems) == 2 and all("petclinic-staging-vets/vets" in p and "secret petclinic-staging-vet-db "
                                      "looked up by name, which no stack creates" in p for p in problems), problems


def edited_stacks(synthesis, tmp_path: Path, old: str, new: str) -> Path:
    stacks = tmp_path / "stacks"
    shutil.copytree(synthesis.outdir / "stacks", stacks)
    path = stacks / LAYER / "cdk.tf.json"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return stacks


def test_parameter_check_names_an_unknown_parameter_and_its_reader(synthesized, tmp_path):
    env = load_environment("dev")
    stacks = edited_stacks(synthesized("dev"), tmp_path, "/petclinic-seoul/dev/db/url", "/petclinic/dev/db/url")
    (problem,) = task_reads_exist(env, [], stacks)
    assert "petclinic-dev-customers/customers reads SPRING_DATASOURCE_URL from /petclinic/dev/db/url" in problem
    assert "no stack creates" in problem
    declared = env.model_copy(update={"application": env.application.model_copy(
        update={"external_parameters": ("/petclinic/dev/db/url",)})})
    assert task_reads_exist(declared, [], stacks) == []


def test_parameter_check_fails_when_it_cannot_trace_a_secret(synthesized, tmp_path):
    stacks = edited_stacks(synthesized("dev"), tmp_path, "outputs.master_user_secret_name}", "outputs.cluster_arn}")
    problems = task_reads_exist(load_environment("dev"), [], stacks)
    assert problems and all("no secret that stack manages" in p for p in problems)


FIFTH = """
[application.services.billing]
port = 8080
cpu = 512
memory = 1024
paths = ["/api/billing", "/api/billing/*"]
health_check_path = "/api/billing/actuator/health"
priority = 104
desired_count = 1
min_tasks = 1
max_tasks = 2
cpu_target = 70
spring_profiles = "mysql,aws"
database = true
"""


def test_a_fifth_service_is_one_entry_and_changes_nothing_else(synthesized, tmp_path):
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    defaults = envs / "_defaults.toml"
    text = defaults.read_text().replace('services = ["customers", "vets", "visits", "admin"]',
                                        'services = ["customers", "vets", "visits", "admin", "billing"]', 1)
    defaults.write_text(text + FIFTH)
    outdir = tmp_path / "cdktf.out"
    synthesize(load_environment("dev", envs_dir=envs), outdir)
    before, after = synthesized("dev").stack(LAYER), read_stack(outdir / "stacks" / LAYER)
    added = addresses(after) - addresses(before)
    assert addresses(before) <= addresses(after)
    assert sorted(a.split(".")[0] for a in added) == sorted(
        ["aws_ecr_repository", "aws_ecr_repository_policy", "aws_ecr_lifecycle_policy", "aws_cloudwatch_log_group",
         "aws_ecs_task_definition", "aws_ecs_service", "aws_lb_target_group", "aws_lb_listener_rule",
         "aws_appautoscaling_target", "aws_appautoscaling_policy"] + ["aws_cloudwatch_metric_alarm"] * 6)
    assert all(a.split(".")[1].startswith("billing") for a in added)
    # Only the dashboard (one more line per widget) changes; the new service carries no state.
    changed = {a for a in addresses(before) if resource(before, a) != resource(after, a)}
    assert changed == {"aws_cloudwatch_dashboard.dashboard"}
    assert moves(after) == moves(before)
    task = resource(after, "aws_ecs_task_definition.billing_task")
    assert (task["cpu"], task["memory"]) == ("512", "1024")


def test_a_certificate_turns_on_the_designed_https_listener(tmp_path):
    """Opt-in (docs/design.md): 443 serves HTTPS with a TLS 1.2+ policy, 80 redirects
    to it, and the path rules move to it; the deployed HTTP listener is kept (changed in place)."""
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    dev = envs / "dev.toml"
    dev.write_text(dev.read_text() + '\n[application.alb]\ncertificate_arn = '
                   '"arn:aws:acm:us-west-2:897722691159:certificate/0a1b2c3d-1111-2222-3333-444455556666"\n')
    outdir = tmp_path / "cdktf.out"
    synthesize(load_environment("dev", envs_dir=envs), outdir)
    s = read_stack(outdir / "stacks" / LAYER)
    listeners = resources_of_type(s, "aws_lb_listener")
    assert sorted(listeners) == ["alb_http", "alb_https"]
    https, http = listeners["alb_https"], listeners["alb_http"]
    assert (https["port"], https["protocol"]) == (443, "HTTPS")
    assert https["ssl_policy"].startswith("ELBSecurityPolicy-TLS13")
    assert http["default_action"][0]["redirect"] == {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}
    assert moves(s)["module.alb.aws_lb_listener.http_forward[0]"] == "aws_lb_listener.alb_http"
    assert {r["listener_arn"] for r in resources_of_type(s, "aws_lb_listener_rule").values()} == {
        ref("aws_lb_listener.alb_https", "arn")}


def test_capacity_providers_replace_the_launch_type_when_asked(tmp_path):
    """Opt-in (docs/design.md): FARGATE and FARGATE_SPOT on the cluster, and every
    service placed through them instead of launch type FARGATE."""
    envs = tmp_path / "envs"
    shutil.copytree(ROOT / "envs", envs)
    dev = envs / "dev.toml"
    dev.write_text(dev.read_text() + "\n[application.capacity_providers]\nFARGATE = { base = 1, weight = 1 }\n"
                                     "FARGATE_SPOT = { weight = 3 }\n")
    outdir = tmp_path / "cdktf.out"
    synthesize(load_environment("dev", envs_dir=envs), outdir)
    s = json.loads((outdir / "stacks" / LAYER / "cdk.tf.json").read_text())
    (providers,) = resources_of_type(s, "aws_ecs_cluster_capacity_providers").values()
    assert providers["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    for service in resources_of_type(s, "aws_ecs_service").values():
        assert "launch_type" not in service
        assert service["capacity_provider_strategy"] == [
            {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
            {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3}]
        assert service["depends_on"] == ["aws_ecs_cluster_capacity_providers.cluster_capacity_providers"]
        # AWS provider 6.x plans the move of a running service to a strategy only with a forced deployment
        assert service["force_new_deployment"] is True
