"""The small stacks the checks of §3–§6 are tested on: a platform that realizes the claims, built
from a few blocks per concern, which each check's failing fixtures then break one way."""
from __future__ import annotations

from tools.design.checks.primitives import BlockSpec, fixture, remote_state

NET, SEC, DB, PARAMS, MAP, AI, APP, API = ("01-network", "02-security", "03-database", "04-parameter-store",
                                          "05-cloud-map", "06-lambda-genai", "07-application", "08-api-gateway")
_TIERS = {"public": ("10.0.1.0/24", "10.0.2.0/24"), "app": ("10.0.3.0/24", "10.0.4.0/24"),
          "db": ("10.0.5.0/24", "10.0.6.0/24")}


def network_blocks() -> list[BlockSpec]:
    blocks: list[BlockSpec] = [
        (NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True, "enable_dns_support": True}),
        (NET, "aws_internet_gateway.igw", {"vpc_id": "${aws_vpc.vpc.id}"}),
        (NET, "aws_route_table.public", {"vpc_id": "${aws_vpc.vpc.id}"}),
        (NET, "aws_route.public_default", {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "${aws_internet_gateway.igw.id}",
                                           "route_table_id": "${aws_route_table.public.id}"}),
        (NET, "output.public_subnet_ids", {"0": "${aws_subnet.public_0.id}", "1": "${aws_subnet.public_1.id}"}),
        (NET, "output.private_app_subnet_ids", {"0": "${aws_subnet.app_0.id}", "1": "${aws_subnet.app_1.id}"}),
        (NET, "output.private_db_subnet_ids", {"0": "${aws_subnet.db_0.id}", "1": "${aws_subnet.db_1.id}"}),
        (NET, "output.vpc_id", "${aws_vpc.vpc.id}"),
    ]
    for tier, cidrs in _TIERS.items():
        for i, (cidr, az) in enumerate(zip(cidrs, ("us-west-2a", "us-west-2b"))):
            table = "public" if tier == "public" else f"{tier}_{i}"
            blocks.append((NET, f"aws_subnet.{tier}_{i}", {"cidr_block": cidr, "availability_zone": az,
                                                           "vpc_id": "${aws_vpc.vpc.id}"}))
            blocks.append((NET, f"aws_route_table_association.{tier}_{i}", {
                "subnet_id": f"${{aws_subnet.{tier}_{i}.id}}", "route_table_id": f"${{aws_route_table.{table}.id}}"}))
            if tier != "public":
                blocks.append((NET, f"aws_route_table.{table}", {"vpc_id": "${aws_vpc.vpc.id}"}))
        if tier == "public":
            for i in (0, 1):
                blocks.append((NET, f"aws_eip.nat_{i}", {"domain": "vpc"}))
                blocks.append((NET, f"aws_nat_gateway.nat_{i}", {"allocation_id": f"${{aws_eip.nat_{i}.id}}",
                                                                  "subnet_id": f"${{aws_subnet.public_{i}.id}}"}))
                blocks.append((NET, f"aws_route.app_{i}_default", {
                    "destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": f"${{aws_nat_gateway.nat_{i}.id}}",
                    "route_table_id": f"${{aws_route_table.app_{i}.id}}"}))
    return blocks


def placement_blocks() -> list[BlockSpec]:
    """The ALB in the public subnets, an ECS service and the GenAI Lambda in the private app subnets."""
    return [
        remote_state(APP, "network", NET), remote_state(AI, "network", NET),
        (APP, "aws_lb.alb", {"internal": False, "load_balancer_type": "application",
                             "subnets": "${values(data.terraform_remote_state.network.outputs.public_subnet_ids)}"}),
        (APP, "aws_ecs_service.customers", {"name": "petclinic-dev-customers", "network_configuration": {
            "assign_public_ip": False,
            "subnets": "${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}"}}),
        (AI, "aws_lambda_function.genai", {"function_name": "petclinic-dev-genai-function", "vpc_config": {
            "subnet_ids": "${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}",
            "security_group_ids": ["${aws_security_group.lambda.id}"]}}),
        (AI, "aws_security_group.lambda", {"name": "lambda"}),
    ]


NETWORK = fixture(*network_blocks())
PLACED = fixture(*network_blocks(), *placement_blocks())


def security_group_blocks() -> list[BlockSpec]:
    """§3.4 as designed: the four groups, found through their users, with the designed rules."""
    ecs = "${data.terraform_remote_state.security.outputs.ecs_security_group_id}"
    aurora = "${data.terraform_remote_state.security.outputs.aurora_security_group_id}"
    return [
        (SEC, "aws_security_group.ecs", {"name": "ecs"}), (SEC, "aws_security_group.aurora", {"name": "aurora"}),
        (SEC, "output.ecs_security_group_id", "${aws_security_group.ecs.id}"),
        (SEC, "output.aurora_security_group_id", "${aws_security_group.aurora.id}"),
        (SEC, "aws_vpc_security_group_egress_rule.ecs_to_aurora", {
            "security_group_id": "${aws_security_group.ecs.id}", "ip_protocol": "tcp", "from_port": 3306,
            "to_port": 3306, "referenced_security_group_id": "${aws_security_group.aurora.id}"}),
        (SEC, "aws_vpc_security_group_egress_rule.ecs_https", {
            "security_group_id": "${aws_security_group.ecs.id}", "ip_protocol": "tcp", "from_port": 443,
            "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}),
        (SEC, "aws_vpc_security_group_ingress_rule.aurora_from_ecs", {
            "security_group_id": "${aws_security_group.aurora.id}", "ip_protocol": "tcp", "from_port": 3306,
            "to_port": 3306, "referenced_security_group_id": "${aws_security_group.ecs.id}"}),
        remote_state(APP, "security", SEC), remote_state(DB, "security", SEC), remote_state(AI, "security", SEC),
        (DB, "aws_rds_cluster.aurora", {"cluster_identifier": "petclinic-dev-aurora-cluster", "vpc_security_group_ids": [aurora]}),
        (APP, "aws_security_group.alb", {"name": "alb"}),
        (APP, "aws_lb.alb", {"load_balancer_type": "application", "security_groups": ["${aws_security_group.alb.id}"]}),
        (APP, "aws_ecs_service.customers", {"name": "petclinic-dev-customers",
                                            "network_configuration": {"security_groups": [ecs]}}),
        *[(APP, f"aws_vpc_security_group_ingress_rule.alb_{port}", {
            "security_group_id": "${aws_security_group.alb.id}", "ip_protocol": "tcp", "from_port": port,
            "to_port": port, "cidr_ipv4": "0.0.0.0/0"}) for port in (80, 443)],
        (APP, "aws_vpc_security_group_egress_rule.alb_to_ecs", {
            "security_group_id": "${aws_security_group.alb.id}", "ip_protocol": "tcp", "from_port": 8080,
            "to_port": 9090, "referenced_security_group_id": ecs}),
        *[(APP, f"aws_security_group_rule.ecs_from_alb_{port}", {
            "type": "ingress", "security_group_id": ecs, "protocol": "tcp", "from_port": port, "to_port": port,
            "source_security_group_id": "${aws_security_group.alb.id}"}) for port in (8080, 9090)],
        (AI, "aws_security_group.lambda", {"name": "lambda"}),
        (AI, "aws_lambda_function.genai", {"function_name": "petclinic-dev-genai-function",
                                           "vpc_config": {"security_group_ids": ["${aws_security_group.lambda.id}"]}}),
        (AI, "aws_security_group_rule.lambda_to_aurora", {
            "type": "egress", "security_group_id": "${aws_security_group.lambda.id}", "protocol": "tcp",
            "from_port": 3306, "to_port": 3306, "source_security_group_id": aurora}),
        # The interface endpoints' group, and the Lambda's HTTPS to it (Bedrock, the RDS Data API).
        (NET, "aws_security_group.endpoints", {"name": "vpce"}),
        (NET, "output.vpce_security_group_id", "${aws_security_group.endpoints.id}"),
        *[(NET, f"aws_vpc_endpoint.{s.replace('-', '_')}", {
            "service_name": f"com.amazonaws.us-west-2.{s}", "vpc_endpoint_type": "Interface",
            "security_group_ids": ["${aws_security_group.endpoints.id}"]}) for s in ("bedrock-runtime", "rds-data")],
        remote_state(AI, "network", NET),
        (AI, "aws_security_group_rule.lambda_to_endpoints", {
            "type": "egress", "security_group_id": "${aws_security_group.lambda.id}", "protocol": "tcp",
            "from_port": 443, "to_port": 443,
            "source_security_group_id": "${data.terraform_remote_state.network.outputs.vpce_security_group_id}"}),
    ]


GROUPS = fixture(*network_blocks(), *security_group_blocks())
