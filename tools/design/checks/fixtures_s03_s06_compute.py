"""Small stacks for the checks of §4–§6: the four ECS services as designed (task definitions, target
groups, listener rules, scaling, Cloud Map), the parameters, the database and the GenAI Lambda."""
from __future__ import annotations

import json

from tools.design.checks.fixtures_s03_s06 import APP, DB, MAP, NET, PARAMS, network_blocks
from tools.design.checks.primitives import BlockSpec, fixture, remote_state

ALB_HOST = "dev.petclinic.example.com"   # the name the ALB's certificate covers

PORTS = {"customers": 8080, "vets": 8080, "visits": 8080, "admin": 9090}
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def path_of(key: str) -> str:
    return "/admin" if key == "admin" else f"/api/{key}"


def container(key: str) -> str:
    definition = {"name": key, "portMappings": [{"containerPort": PORTS[key]}],
                  "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{key}"}}}
    if key != "admin":
        definition["secrets"] = [
            {"name": "SPRING_DATASOURCE_URL", "valueFrom": "/petclinic/dev/db/url"},
            {"name": "SPRING_DATASOURCE_PASSWORD",
             "valueFrom": "${data.terraform_remote_state.database.outputs.master_user_secret_arn}:password::"}]
    return json.dumps([definition])


def service_blocks(key: str) -> list[BlockSpec]:
    return [
        (APP, f"aws_ecs_task_definition.{key}", {
            "cpu": "256", "memory": "512", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"],
            "container_definitions": container(key)}),
        (APP, f"aws_lb_target_group.{key}", {"port": PORTS[key], "target_type": "ip",
                                             "health_check": {"path": f"{path_of(key)}/actuator/health"}}),
        (APP, f"aws_ecs_service.{key}", {
            "name": f"petclinic-dev-{key}", "desired_count": 1, "cluster": "${aws_ecs_cluster.cluster.id}",
            "task_definition": f"${{aws_ecs_task_definition.{key}.arn}}",
            "capacity_provider_strategy": [{"capacity_provider": "FARGATE", "base": 1, "weight": 1},
                                           {"capacity_provider": "FARGATE_SPOT", "weight": 1}],
            "load_balancer": [{"target_group_arn": f"${{aws_lb_target_group.{key}.arn}}", "container_port": PORTS[key]}],
            "network_configuration": {"assign_public_ip": False,
                                      "subnets": "${values(data.terraform_remote_state.network.outputs.private_app_subnet_ids)}"},
            "service_registries": {"registry_arn": f"${{data.terraform_remote_state.cloud_map.outputs.service_arns[\"{key}\"]}}"}}),
        (APP, f"aws_appautoscaling_target.{key}", {
            "resource_id": f"service/${{aws_ecs_cluster.cluster.name}}/${{aws_ecs_service.{key}.name}}",
            "min_capacity": 1, "max_capacity": 4}),
        (APP, f"aws_appautoscaling_policy.{key}", {
            "policy_type": "TargetTrackingScaling", "resource_id": f"${{aws_appautoscaling_target.{key}.resource_id}}",
            "target_tracking_scaling_policy_configuration": {
                "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                "target_value": 70}}),
        (APP, f"aws_lb_listener_rule.{key}", {
            "listener_arn": "${aws_lb_listener.https.arn}",
            "action": [{"type": "forward", "target_group_arn": f"${{aws_lb_target_group.{key}.arn}}"}],
            "condition": [{"path_pattern": {"values": [path_of(key), f"{path_of(key)}/*"]}}]}),
        (MAP, f"aws_service_discovery_service.{key}", {
            "name": key, "dns_config": {"namespace_id": "${aws_service_discovery_private_dns_namespace.ns.id}"},
            "health_check_custom_config": {"failure_threshold": 1}}),
        (PARAMS, f"aws_ssm_parameter.{key}_port", {"name": f"/petclinic/dev/{key}/server.port", "type": "String",
                                                    "value": str(PORTS[key])}),
    ]


def compute_blocks() -> list[BlockSpec]:
    return [
        *network_blocks(), remote_state(APP, "network", NET), remote_state(APP, "cloud_map", MAP),
        remote_state(APP, "database", DB), remote_state(MAP, "network", NET), remote_state(PARAMS, "database", DB),
        (APP, "aws_ecs_cluster.cluster", {"name": "petclinic-dev-cluster"}),
        (APP, "aws_ecs_cluster_capacity_providers.cluster", {"cluster_name": "${aws_ecs_cluster.cluster.name}",
                                                             "capacity_providers": ["FARGATE", "FARGATE_SPOT"]}),
        (APP, "aws_lb.alb", {"internal": False, "load_balancer_type": "application",
                             "subnets": "${values(data.terraform_remote_state.network.outputs.public_subnet_ids)}"}),
        (APP, "aws_lb_listener.http", {"load_balancer_arn": "${aws_lb.alb.arn}", "port": 80, "protocol": "HTTP",
                                       "default_action": [{"type": "redirect", "redirect": {
                                           "port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}]}),
        (APP, "aws_lb_listener.https", {"load_balancer_arn": "${aws_lb.alb.arn}", "port": 443, "protocol": "HTTPS",
                                        "certificate_arn": "${aws_acm_certificate_validation.alb.certificate_arn}",
                                        "default_action": [{"type": "fixed-response"}]}),
        # The ALB's certificate for its name, and the name (an alias of the ALB) API Gateway calls.
        (APP, "aws_acm_certificate.alb", {"domain_name": ALB_HOST, "validation_method": "DNS"}),
        (APP, "aws_acm_certificate_validation.alb", {"certificate_arn": "${aws_acm_certificate.alb.arn}"}),
        (APP, "aws_route53_record.alb_alias", {"zone_id": "Z0EXAMPLE", "name": ALB_HOST, "type": "A", "alias": {
            "name": "${aws_lb.alb.dns_name}", "zone_id": "${aws_lb.alb.zone_id}", "evaluate_target_health": True}}),
        (MAP, "aws_service_discovery_private_dns_namespace.ns", {
            "name": "petclinic.local", "vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"}),
        (MAP, "output.service_arns", {k: f"${{aws_service_discovery_service.{k}.arn}}" for k in PORTS}),
        (DB, "aws_rds_cluster.aurora", {"cluster_identifier": "petclinic-dev-aurora-cluster", "database_name": "petclinic",
                                        "master_username": "petclinic", "manage_master_user_password": True, "port": 3306}),
        (DB, "output.cluster_endpoint", "${aws_rds_cluster.aurora.endpoint}"),
        (DB, "output.cluster_arn", "${aws_rds_cluster.aurora.arn}"),
        (DB, "output.master_user_secret_arn", "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}"),
        (PARAMS, "aws_ssm_parameter.db_url", {
            "name": "/petclinic/dev/db/url", "type": "SecureString",
            "value": "jdbc:mysql://${data.terraform_remote_state.database.outputs.cluster_endpoint}:3306/petclinic"
                     "?useSSL=false&allowPublicKeyRetrieval=true"}),
        (PARAMS, "aws_ssm_parameter.db_username", {"name": "/petclinic/dev/db/username", "type": "SecureString",
                                                   "value": "petclinic"}),
        (PARAMS, "aws_ssm_parameter.db_secret", {
            "name": "/petclinic/dev/db/secrets-manager-name", "type": "SecureString",
            "value": "${data.terraform_remote_state.database.outputs.master_user_secret_arn}"}),
        *[block for key in PORTS for block in service_blocks(key)],
    ]


COMPUTE = fixture(*compute_blocks())
