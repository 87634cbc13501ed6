"""Checks of §6.1 and §6.2 of the design: the Parameter Store hierarchy and values, and Cloud Map
(A48–A56)."""
from __future__ import annotations

import re

from tools.design.checks import check
from tools.design.checks.finders import SERVICES, containers, ecs_service, pointed
from tools.design.checks.fixtures_s03_s06 import MAP, PARAMS
from tools.design.checks.fixtures_s03_s06_compute import COMPUTE
from tools.design.checks.primitives import changed, every, expect, show, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

_DB_KEYS = ("db/url", "db/username", "db/secrets-manager-name")
_JDBC = re.compile(r"^jdbc:mysql://(?P<host>.+):3306/(?P<db>[A-Za-z0-9_]+)(\?.*)?$")


def _parameter(stacks: Stacks, suffix: str) -> Block | Verdict:
    """The one aws_ssm_parameter named <root>/<environment>/<suffix>, whatever its root (§6.1's layout;
    a service's own `<root>/<env>/<service>/db/url`, §7.3, is another parameter)."""
    pattern = re.compile(r"^/[^/]+/[^/]+/" + re.escape(suffix) + "$")
    found = [p for p in stacks.resources("aws_ssm_parameter") if pattern.match(str(p.body.get("name", "")))]
    if len(found) == 1:
        return found[0]
    return failed(f"expected one aws_ssm_parameter named .../{suffix}, found {len(found)}"
                  + (f": {', '.join(p.where for p in found)}" if found else ""))


@check("A48", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_url", name="/petclinic-seoul/dev/db/url"),
                                           without(COMPUTE, PARAMS, "aws_ssm_parameter.vets_port")])
def parameter_hierarchy(stacks: Stacks) -> Verdict:
    root = f"/petclinic/{stacks.environment() or 'dev'}/"
    names = {str(p.body.get("name")): p for p in stacks.resources("aws_ssm_parameter")}
    wanted = [root + key for key in _DB_KEYS] + [f"{root}{svc}/server.port" for svc in SERVICES]
    missing = [name for name in wanted if name not in names]
    if missing:
        near = sorted(n for n in names if any(n.endswith(name.removeprefix(root)) for name in missing))
        return failed(f"no aws_ssm_parameter {', '.join(missing)} (found instead: {', '.join(near) or 'nothing alike'})")
    return passed(f"{len(wanted)} parameters under {root}: " + ", ".join(names[n].where for n in wanted))


def _container_port(stacks: Stacks, key: str) -> int | None:
    service = ecs_service(stacks, key)
    tasks = pointed(stacks, service, "task_definition", "aws_ecs_task_definition") if service else []
    ports = [m.get("containerPort") for t in tasks for c in containers(t) for m in c.get("portMappings", []) or []]
    return int(ports[0]) if ports and str(ports[0]).isdigit() else None


@check("A49", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.admin_port", value="8080"),
                                           changed(COMPUTE, PARAMS, "aws_ssm_parameter.visits_port", value="9000")])
def server_ports(stacks: Stacks) -> Verdict:
    parts = []
    for key in SERVICES:
        parameter = _parameter(stacks, f"{key}/server.port")
        if isinstance(parameter, Verdict):
            parts.append(parameter)
            continue
        wanted = 9090 if key == "admin" else 8080   # the reading: admin on §3.4's 9090
        serves = _container_port(stacks, key)
        value = str(parameter.body.get("value"))
        if value == str(wanted) and serves in (wanted, None):
            parts.append(passed(f"{parameter.where} = {value}" + (f" (the container serves {serves})" if serves else "")))
        else:
            parts.append(failed(f"{parameter.where} = {value}, expected {wanted}"
                                + (f"; the {key} container serves {serves}" if serves else "")))
    return combine(parts)


@check("A50", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_url", value="jdbc:mysql://db.example.com:3306/petclinic"),
                                           changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_username", value="admin")])
def db_url_and_username(stacks: Stacks) -> Verdict:
    url, username = _parameter(stacks, "db/url"), _parameter(stacks, "db/username")
    parts = [v for v in (url, username) if isinstance(v, Verdict)]
    if isinstance(url, Block):
        value = str(url.body.get("value", ""))
        match = _JDBC.match(value)
        cluster = [r for r in stacks.refs(url.layer, match["host"]) if r.block.type == "aws_rds_cluster"] if match else []
        if match and match["db"] == "petclinic" and cluster and cluster[0].attribute == "endpoint":
            parts.append(passed(f"{url.where} = jdbc:mysql://<{cluster[0].block.where} endpoint>:3306/petclinic"))
        else:
            parts.append(failed(f"{url.where} = {value}, expected jdbc:mysql://<the Aurora writer endpoint>:3306/petclinic"))
    if isinstance(username, Block):
        parts.append(expect(username, "value", "petclinic"))
    return combine(parts)


@check("A51", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_secret", value="petclinic-secret")])
def secret_arn_parameter(stacks: Stacks) -> Verdict:
    parameter = _parameter(stacks, "db/secrets-manager-name")
    if isinstance(parameter, Verdict):
        return parameter
    value = parameter.body.get("value")
    for ref in stacks.refs(parameter.layer, value):
        if ref.block.type == "aws_rds_cluster" and ref.attribute.startswith("master_user_secret"):
            return passed(f"{parameter.where} = the ARN of {ref.block.where}'s master user secret")
        if ref.block.type == "aws_secretsmanager_secret" and ref.attribute in ("arn", "id"):
            return passed(f"{parameter.where} = the ARN of {ref.block.where}")
    return failed(f"{parameter.where} = {show(value)}, expected the ARN of the database's secret")


@check("A52", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_username", type="String")])
def secure_strings(stacks: Stacks) -> Verdict:
    sensitive = [p for p in stacks.resources("aws_ssm_parameter") if "/db/" in str(p.body.get("name", ""))]
    return every(sensitive, "database parameters (…/db/…)", lambda p: expect(p, "type", "SecureString"))


@check("A53", passing=[COMPUTE], failing=[changed(COMPUTE, PARAMS, "aws_ssm_parameter.db_url", tier="Advanced")])
def standard_tier(stacks: Stacks) -> Verdict:
    return every(stacks.resources("aws_ssm_parameter"), "aws_ssm_parameter",
                 lambda p: expect(p, "tier", "Standard", absent_means="Standard"))


@check("A54", passing=[COMPUTE], failing=[changed(COMPUTE, MAP, "aws_service_discovery_private_dns_namespace.ns", name="petclinic-seoul.local"),
                                           changed(COMPUTE, MAP, "aws_service_discovery_private_dns_namespace.ns", vpc=None)])
def cloud_map_namespace(stacks: Stacks) -> Verdict:
    def judge(namespace: Block) -> Verdict:
        vpcs = pointed(stacks, namespace, "vpc", "aws_vpc")
        return combine([expect(namespace, "name", "petclinic.local"),
                        passed(f"{namespace.where} vpc -> {vpcs[0].where}") if vpcs
                        else failed(f"{namespace.where} is tied to no aws_vpc of the stacks")])
    return every(stacks.resources("aws_service_discovery_private_dns_namespace"),
                 "aws_service_discovery_private_dns_namespace", judge)


def _registries(stacks: Stacks) -> dict[str, list[Block]] | Verdict:
    found = {}
    for key in SERVICES:
        service = ecs_service(stacks, key)
        if service is None:
            return failed(f"no aws_ecs_service named for {key}")
        found[key] = pointed(stacks, service, "service_registries", "aws_service_discovery_service")
    return found


@check("A55", passing=[COMPUTE], failing=[changed(COMPUTE, "07-application", "aws_ecs_service.visits", service_registries=None),
                                           changed(COMPUTE, MAP, "aws_service_discovery_service.vets", name="vets-service")])
def services_registered(stacks: Stacks) -> Verdict:
    registries = _registries(stacks)
    if isinstance(registries, Verdict):
        return registries
    return combine([
        every(found, f"Cloud Map service registered for {key}", lambda s, key=key: expect(s, "name", key))
        for key, found in registries.items()])


@check("A56", passing=[COMPUTE], failing=[changed(COMPUTE, MAP, "aws_service_discovery_service.admin", health_check_custom_config=None)])
def cloud_map_health(stacks: Stacks) -> Verdict:
    registries = _registries(stacks)
    if isinstance(registries, Verdict):
        return registries

    def judge(service: Block) -> Verdict:
        if service.body.get("health_check_custom_config") is not None:
            return passed(f"{service.where} health_check_custom_config (ECS reports task health)")
        return failed(f"{service.where} has no health_check_custom_config: ECS task health is not reported to Cloud Map")
    return combine([every(found, f"Cloud Map service registered for {key}", judge) for key, found in registries.items()])
