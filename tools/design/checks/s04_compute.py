"""Checks of §4 of the design: the ECS cluster, the four services and their task definitions (A21–A33)."""
from __future__ import annotations

from typing import Callable

from tools.design.checks import check
from tools.design.checks.finders import SERVICES, containers, ecs_service, pointed
from tools.design.checks.fixtures_s03_s06 import APP
from tools.design.checks.fixtures_s03_s06_compute import COMPUTE, container
from tools.design.checks.primitives import added, changed, every, expect, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed


@check("A21", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_ecs_cluster.cluster", name="petclinic-cluster")])
def cluster_name(stacks: Stacks) -> Verdict:
    wanted = f"petclinic-{stacks.environment() or 'dev'}-cluster"
    return every(stacks.resources("aws_ecs_cluster"), "aws_ecs_cluster", lambda c: expect(c, "name", wanted))


def _services(stacks: Stacks, judge: Callable[[str, Block], Verdict], keys: tuple[str, ...] = SERVICES) -> Verdict:
    """Each design service found by its key, then judged; a service not found fails."""
    parts = []
    for key in keys:
        service = ecs_service(stacks, key)
        parts.append(judge(key, service) if service else failed(f"no aws_ecs_service named for {key}"))
    return combine(parts)


def _task(stacks: Stacks, service: Block) -> Block | Verdict:
    tasks = pointed(stacks, service, "task_definition", "aws_ecs_task_definition")
    return tasks[0] if tasks else failed(f"{service.where} task_definition points at no aws_ecs_task_definition")


@check("A22", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_ecs_task_definition.vets", requires_compatibilities=["EC2"]),
                                           changed(COMPUTE, APP, "aws_ecs_service.admin", capacity_provider_strategy=None, launch_type="EC2")])
def fargate(stacks: Stacks) -> Verdict:
    def judge(service: Block) -> Verdict:
        task = _task(stacks, service)
        if isinstance(task, Verdict):
            return task
        strategy = service.body.get("capacity_provider_strategy") or []
        providers = sorted({str(s.get("capacity_provider")) for s in strategy})
        runs = (expect(service, "launch_type", "FARGATE") if not strategy else
                passed(f"{service.where} capacity providers {providers}") if set(providers) <= {"FARGATE", "FARGATE_SPOT"}
                else failed(f"{service.where} capacity providers {providers}, expected FARGATE/FARGATE_SPOT only"))
        return combine([runs, expect(task, "requires_compatibilities", ["FARGATE"])])
    return every(stacks.resources("aws_ecs_service"), "aws_ecs_service", judge)


@check("A23", passing=[COMPUTE], failing=[without(COMPUTE, APP, "aws_ecs_cluster_capacity_providers.cluster"),
                                           changed(COMPUTE, APP, "aws_ecs_service.visits", capacity_provider_strategy=None,
                                                   launch_type="FARGATE")])
def capacity_providers(stacks: Stacks) -> Verdict:
    def cluster_has_both(cluster: Block) -> Verdict:
        attached = [cp for cp in stacks.resources("aws_ecs_cluster_capacity_providers")
                    if any(c.where == cluster.where for c in pointed(stacks, cp, "cluster_name", "aws_ecs_cluster"))]
        names = sorted({str(n) for cp in attached for n in cp.body.get("capacity_providers", [])})
        if {"FARGATE", "FARGATE_SPOT"} <= set(names):
            return passed(f"{attached[0].where} capacity_providers = {names}")
        return failed(f"{cluster.where} capacity providers = {names or '(none: no aws_ecs_cluster_capacity_providers)'}, "
                      "expected FARGATE and FARGATE_SPOT")

    def service_uses_them(service: Block) -> Verdict:
        strategy = service.body.get("capacity_provider_strategy") or []
        if strategy:
            return passed(f"{service.where} capacity_provider_strategy = "
                          f"{sorted(str(s.get('capacity_provider')) for s in strategy)}")
        return failed(f"{service.where} launch_type = {show(service.body.get('launch_type', 'FARGATE'))}, no capacity provider strategy")
    return combine([every(stacks.resources("aws_ecs_cluster"), "aws_ecs_cluster", cluster_has_both),
                    every(stacks.resources("aws_ecs_service"), "aws_ecs_service", service_uses_them)])


def _size(stacks: Stacks, key: str) -> Verdict:
    def judge(_: str, service: Block) -> Verdict:
        task = _task(stacks, service)
        if isinstance(task, Verdict):
            return task
        return combine([expect(service, "desired_count", 1),
                        expect_number(task, "cpu", 256), expect_number(task, "memory", 512)])
    return _services(stacks, judge, (key,))


def expect_number(block: Block, path: str, wanted: int) -> Verdict:
    value = block.body.get(path)
    try:
        ok = int(value) == wanted
    except (TypeError, ValueError):
        ok = False
    return passed(f"{block.where} {path} = {value}") if ok else failed(f"{block.where} {path} = {show(value)}, expected {wanted}")


def _sized(key: str, claim_id: str) -> None:
    check(claim_id, passing=[COMPUTE], failing=[
        changed(COMPUTE, APP, f"aws_ecs_task_definition.{key}", memory="1024"),
        changed(COMPUTE, APP, f"aws_ecs_service.{key}", desired_count=2),
        without(COMPUTE, APP, f"aws_ecs_service.{key}")])(lambda stacks: _size(stacks, key))


for _key, _claim in zip(SERVICES, ("A24", "A25", "A26", "A27")):
    _sized(_key, _claim)


@check("A28", passing=[COMPUTE], failing=[without(COMPUTE, APP, "aws_appautoscaling_policy.vets"),
                                           changed(COMPUTE, APP, "aws_appautoscaling_policy.admin",
                                                   target_tracking_scaling_policy_configuration={
                                                       "predefined_metric_specification": {
                                                           "predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                                                       "target_value": 50})])
def cpu_autoscaling(stacks: Stacks) -> Verdict:
    def judge(key: str, service: Block) -> Verdict:
        targets = [t for t in stacks.resources("aws_appautoscaling_target")
                   if any(s.where == service.where for s in pointed(stacks, t, "resource_id", "aws_ecs_service"))]
        policies = [p for p in stacks.resources("aws_appautoscaling_policy")
                    if any(t.where in {x.where for x in targets}
                           for t in pointed(stacks, p, "resource_id", "aws_appautoscaling_target"))]
        cpu = [p for p in policies if p.body.get("target_tracking_scaling_policy_configuration", {}).get(
            "predefined_metric_specification", {}).get("predefined_metric_type") == "ECSServiceAverageCPUUtilization"]
        if not cpu:
            return failed(f"{service.where} has no CPU target-tracking policy (targets: "
                          f"{', '.join(t.where for t in targets) or 'none'})")
        return combine([expect(p, "target_tracking_scaling_policy_configuration.target_value", 70) for p in cpu])
    return _services(stacks, judge)


@check("A29", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_lb_target_group.vets", health_check={"path": "/actuator/health"}),
                                           changed(COMPUTE, APP, "aws_ecs_service.customers", load_balancer=None)])
def health_check_paths(stacks: Stacks) -> Verdict:
    def judge(key: str, service: Block) -> Verdict:
        groups = pointed(stacks, service, "load_balancer", "aws_lb_target_group")
        if not groups:
            return failed(f"{service.where} is behind no aws_lb_target_group")
        wanted = "/admin/actuator/health" if key == "admin" else f"/api/{key}/actuator/health"
        return combine([expect(group, "health_check.path", wanted) for group in groups])
    return _services(stacks, judge)


_REPLACED = ("api-gateway", "config-server", "discovery-server", "genai")


@check("A30", passing=[COMPUTE], failing=[
    added(COMPUTE, (APP, "aws_ecs_service.config", {"name": "petclinic-dev-config-server"})),
    without(without(without(without(COMPUTE, APP, "aws_ecs_service.customers"), APP, "aws_ecs_service.vets"),
                    APP, "aws_ecs_service.visits"), APP, "aws_ecs_service.admin")])
def replaced_services_not_on_ecs(stacks: Stacks) -> Verdict:
    services = stacks.resources("aws_ecs_service")
    if not services:
        return failed("found no aws_ecs_service")
    names = [str(s.body.get("name", "")) for s in services] + [
        str(t.body.get("family", "")) for t in stacks.resources("aws_ecs_task_definition")]
    legacy = sorted({n for n in names for r in _REPLACED if r in n})
    if legacy:
        return failed(f"still on ECS: {legacy}")
    return passed(f"the {len(services)} ECS services are {sorted(str(s.body.get('name')) for s in services)}: "
                  "no api-gateway, config-server, discovery-server or genai")


@check("A31", passing=[COMPUTE], failing=[changed(COMPUTE, APP, "aws_ecs_task_definition.visits", network_mode="bridge")])
def awsvpc(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_ecs_task_definition"), "aws_ecs_task_definition",
                 lambda t: expect(t, "network_mode", "awsvpc"))


_SYSLOG = changed(COMPUTE, APP, "aws_ecs_task_definition.vets",
                  container_definitions=container("vets").replace('"awslogs"', '"syslog"'))


@check("A32", passing=[COMPUTE], failing=[_SYSLOG])
def awslogs(stacks: Stacks) -> Verdict:
    def judge(task: Block) -> Verdict:
        found = containers(task)
        if not found:
            return failed(f"{task.where} has no container definitions it can read")
        drivers = [str(c.get("logConfiguration", {}).get("logDriver")) for c in found]
        if all(d == "awslogs" for d in drivers):
            return passed(f"{task.where} log driver awslogs")
        return failed(f"{task.where} log drivers {drivers}, expected awslogs")
    return every(stacks.resources("aws_ecs_task_definition"), "aws_ecs_task_definition", judge)


_NO_SECRETS = COMPUTE
for _service in SERVICES:
    _NO_SECRETS = changed(_NO_SECRETS, APP, f"aws_ecs_task_definition.{_service}", container_definitions=container("admin"))


@check("A33", passing=[COMPUTE], failing=[
    changed(COMPUTE, "04-parameter-store", "aws_ssm_parameter.db_url", name="/petclinic-seoul/dev/db/url"),
    _NO_SECRETS])
def injected_from_parameters_and_secrets(stacks: Stacks) -> Verdict:
    parameters = {str(p.body.get("name")): p for p in stacks.resources("aws_ssm_parameter")}
    parts, sources = [], set()
    for task in stacks.resources("aws_ecs_task_definition"):
        for definition in containers(task):
            for secret in definition.get("secrets", []) or []:
                source, name = str(secret.get("valueFrom", "")), secret.get("name")
                refs = [r.block for r in stacks.refs(task.layer, source)]
                if any(b.type in ("aws_rds_cluster", "aws_secretsmanager_secret") for b in refs):
                    sources.add("Secrets Manager")
                    parts.append(passed(f"{task.where} {name} <- {refs[0].where} (Secrets Manager)"))
                elif source.split(":parameter", 1)[-1] in parameters:
                    sources.add("Parameter Store")
                    parts.append(passed(f"{task.where} {name} <- {parameters[source.split(':parameter', 1)[-1]].where}"))
                else:
                    parts.append(failed(f"{task.where} {name} valueFrom {source}: no stack creates that parameter or secret"))
    missing = {"Parameter Store", "Secrets Manager"} - sources
    if missing:
        parts.append(failed(f"no container takes a value from {' or '.join(sorted(missing))}"))
    return combine(parts)
