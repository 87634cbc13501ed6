"""Checks of claims of §6.2, §11.2 and §13.2 that design-vs-original.md did not list: discovery by
plain DNS (D03), the Cloud Map namespace attached to the platform's VPC (D04), and only the VPC
endpoints the platform needs (D19)."""
from __future__ import annotations

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import plus, referenced_resources
from tools.design.checks.finders import genai_functions
from tools.design.checks.primitives import changed, every, fixture, remote_state
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, failed, passed

MAP, NET, AI = "05-cloud-map", "01-network", "06-lambda-genai"
NAMESPACE = "aws_service_discovery_private_dns_namespace.ns"
CLOUD_MAP = fixture(
    (NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}), (NET, "output.vpc_id", "${aws_vpc.vpc.id}"),
    remote_state(MAP, "network", NET),
    (MAP, NAMESPACE, {"name": "petclinic.local", "vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"}),
    *[(MAP, f"aws_service_discovery_service.{s}", {"name": s, "dns_config": {
        "namespace_id": "${aws_service_discovery_private_dns_namespace.ns.id}", "dns_records": [{"ttl": 60, "type": "A"}]}})
      for s in ("customers", "vets", "visits", "admin")])
NOTHING = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))


@check("D03", passing=[CLOUD_MAP], failing=[
    changed(CLOUD_MAP, MAP, "aws_service_discovery_service.vets", dns_config=None),
    changed(CLOUD_MAP, MAP, "aws_service_discovery_service.visits", dns_config={
        "namespace_id": "${aws_service_discovery_private_dns_namespace.ns.id}", "dns_records": [{"ttl": 60, "type": "SRV"}]}),
    NOTHING])
def discovery_by_dns(stacks: Stacks) -> Verdict:
    def judge(service: Block) -> Verdict:
        config = service.body.get("dns_config") or {}
        config = config[0] if isinstance(config, list) and config else config
        namespaces = referenced_resources(stacks, service.layer, config.get("namespace_id"), "aws_service_discovery_private_dns_namespace")
        types = [r.get("type") for r in config.get("dns_records", []) or []]
        if not namespaces:
            return failed(f"{service.where} has no dns_config in a private DNS namespace")
        if "A" not in types:
            return failed(f"{service.where} dns_records types = {types}, expected an A record (a plain DNS query answers)")
        return passed(f"{service.where} {service.body.get('name')}.{namespaces[0].body.get('name')} -> A records")
    return every(stacks.resources("aws_service_discovery_service"), "aws_service_discovery_service", judge)


@check("D04", passing=[CLOUD_MAP], failing=[changed(CLOUD_MAP, MAP, NAMESPACE, vpc="vpc-0123456789abcdef0"), NOTHING])
def namespace_in_the_vpc(stacks: Stacks) -> Verdict:
    def judge(namespace: Block) -> Verdict:
        vpcs = referenced_resources(stacks, namespace.layer, namespace.body.get("vpc"), "aws_vpc")
        if not vpcs:
            return failed(f"{namespace.where} vpc = {namespace.body.get('vpc')}: not the platform's aws_vpc")
        return passed(f"{namespace.where} vpc -> {vpcs[0].where}")
    return every(stacks.resources("aws_service_discovery_private_dns_namespace"), "aws_service_discovery_private_dns_namespace", judge)


# §8.2's list, the endpoints the design needs; ssmmessages and ec2messages serve features that may be
# on (ECS Exec, a debug host's Session Manager), so they are allowed while those features exist.
DESIGN_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager", "kms", "monitoring", "xray")
ENDPOINTS = fixture(*[(NET, f"aws_vpc_endpoint.{s.replace('.', '_')}", {"service_name": f"com.amazonaws.us-west-2.{s}",
                                                                         "vpc_endpoint_type": "Interface"}) for s in DESIGN_ENDPOINTS])
EXEC_ENDPOINT = {"service_name": "com.amazonaws.us-west-2.ssmmessages", "vpc_endpoint_type": "Interface"}


GENAI_ENDPOINTS = ("bedrock-runtime", "rds-data")   # the GenAI function's APIs, when it has no way out but them
VPC_GENAI = ("aws_lambda_function.genai", {"function_name": "petclinic-dev-genai-function",
                                               "environment": {"variables": {"BEDROCK_MODEL_ID": "m"}},
                                               "vpc_config": {"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"]}})


def _service(endpoint: Block) -> str:
    name = str(endpoint.body.get("service_name", ""))
    for service in DESIGN_ENDPOINTS + GENAI_ENDPOINTS + ("ssmmessages", "ec2messages"):
        if name.endswith(f".{service}"):
            return service
    return name


BEDROCK_ENDPOINT = {"service_name": "com.amazonaws.us-west-2.bedrock-runtime", "vpc_endpoint_type": "Interface"}


@check("D19", passing=[ENDPOINTS, plus(plus(ENDPOINTS, NET, "aws_vpc_endpoint.ssmmessages", EXEC_ENDPOINT),
                                       "07-application", "aws_ecs_service.vets", {"enable_execute_command": True}),
                       plus(plus(ENDPOINTS, NET, "aws_vpc_endpoint.bedrock_runtime", BEDROCK_ENDPOINT), AI, *VPC_GENAI)],
       failing=[plus(ENDPOINTS, NET, "aws_vpc_endpoint.ssmmessages", EXEC_ENDPOINT),
                plus(ENDPOINTS, NET, "aws_vpc_endpoint.bedrock_runtime", BEDROCK_ENDPOINT),
                plus(ENDPOINTS, NET, "aws_vpc_endpoint.sqs", {"service_name": "com.amazonaws.us-west-2.sqs",
                                                              "vpc_endpoint_type": "Interface"}), NOTHING])
def only_needed_endpoints(stacks: Stacks) -> Verdict:
    endpoints = [e for e in stacks.resources("aws_vpc_endpoint") if e.body.get("vpc_endpoint_type") == "Interface"]
    if not endpoints:
        return failed("found no Interface aws_vpc_endpoint")
    execute = [s.where for s in stacks.resources("aws_ecs_service") if s.body.get("enable_execute_command")]
    hosts = [i.where for i in stacks.resources("aws_instance")]
    in_vpc = [f.where for f in genai_functions(stacks) if f.body.get("vpc_config")]
    needed = {"ssmmessages": execute + hosts, "ec2messages": hosts, **{s: in_vpc for s in GENAI_ENDPOINTS}}
    extra = []
    for endpoint in endpoints:
        service = _service(endpoint)
        if service in DESIGN_ENDPOINTS:
            continue
        users = needed.get(service, [])
        if not users:
            extra.append(f"{endpoint.where} ({service})")
    if extra:
        return failed(f"Interface endpoints outside §8.2 that nothing on needs (each is billed per hour and AZ): {', '.join(extra)}")
    return passed(f"{len(endpoints)} Interface endpoints: §8.2's, plus those ECS Exec, a debug host or the GenAI "
                  "function in the VPC uses while on")
