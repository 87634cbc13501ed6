"""Layer 07-application: only its declared outputs, for the layers that read them (08, 09).

PLACEHOLDER until the 07-application port lands: the helper porting 07 replaces this file with the
stack itself (and its own `OUTPUTS`). The names are the original layer's (reference inventory), the
shapes those of its `outputs.tf`.
"""
from __future__ import annotations

from layers.outputs import LayerOutputs, Output, Shape

OUTPUTS = LayerOutputs("07-application", "application", (
    Output("alb_dns_name", Shape.STRING, "ALB DNS name (the application's address)"),
    Output("alb_zone_id", Shape.STRING, "ALB hosted zone id (for Route 53)"),
    Output("alb_arn", Shape.STRING, "ALB ARN"),
    Output("alb_arn_suffix", Shape.STRING, "ALB ARN suffix (CloudWatch metrics)"),
    Output("target_group_arn", Shape.STRING, "The ALB's default target group ARN"),
    Output("target_group_arns", Shape.MAP, "Per service: target group ARN and ARN suffix"),
    Output("ecr_repositories", Shape.MAP, "Per service: ECR repository URL, ARN and name"),
    Output("ecs_cluster_name", Shape.STRING, "ECS cluster name"),
    Output("ecs_cluster_arn", Shape.STRING, "ECS cluster ARN"),
    Output("ecs_services", Shape.MAP, "Per service: ECS service name and id, task definition ARN, desired count"),
    Output("application_url", Shape.STRING, "Application URL (http://<alb dns name>)"),
    Output("health_check_url", Shape.STRING, "Health check URL"),
    Output("deployment_info", Shape.OBJECT, "ECR URLs, cluster name, service names and ALB DNS name"),
    Output("debug_infrastructure", Shape.OBJECT, "Bastion host: enabled, public IP"),
))
