"""Live readers for the application layers: ECS, load balancers, ECR, application autoscaling,
API Gateway (REST), WAFv2."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.drift.live.base import Aws, Missing, first, reader, tags_of


def _cluster_of(a: Mapping[str, Any]) -> str:
    return a.get("cluster") or a["id"].split("/")[-2]


@reader("aws_ecs_cluster")
def ecs_cluster(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    found = aws.call("ecs", "describe_clusters", clusters=[a.get("arn") or a["id"]], include=["TAGS", "SETTINGS"])
    c = first([c for c in found.get("clusters") or [] if c.get("status") != "INACTIVE"], a["id"])
    return {"name": c["clusterName"], "tags_all": tags_of(c.get("tags"), "key", "value")}


@reader("aws_ecs_service")
def ecs_service(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    found = aws.call("ecs", "describe_services", cluster=_cluster_of(a), services=[a.get("name") or a["id"]],
                     include=["TAGS"])
    s = first([s for s in found.get("services") or [] if s.get("status") != "INACTIVE"], a["id"])
    return {"name": s["serviceName"], "desired_count": s.get("desiredCount"), "launch_type": s.get("launchType"),
            "task_definition": s.get("taskDefinition"), "tags_all": tags_of(s.get("tags"), "key", "value")}


@reader("aws_ecs_task_definition")
def ecs_task_definition(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    t = aws.call("ecs", "describe_task_definition", taskDefinition=a.get("arn") or a["id"])["taskDefinition"]
    if t.get("status") == "INACTIVE":
        raise Missing(f"{t['taskDefinitionArn']} is deregistered")
    return {"family": t["family"], "revision": t.get("revision"), "cpu": t.get("cpu"), "memory": t.get("memory"),
            "network_mode": t.get("networkMode"), "requires_compatibilities": t.get("requiresCompatibilities") or []}


@reader("aws_lb")
def load_balancer(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    lb = first(aws.call("elbv2", "describe_load_balancers", LoadBalancerArns=[a.get("arn") or a["id"]])
               .get("LoadBalancers"), a["id"])
    return {"name": lb["LoadBalancerName"], "internal": lb.get("Scheme") == "internal",
            "load_balancer_type": lb.get("Type"), "security_groups": lb.get("SecurityGroups") or [],
            "subnets": [z["SubnetId"] for z in lb.get("AvailabilityZones") or []]}


@reader("aws_lb_target_group")
def target_group(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    g = first(aws.call("elbv2", "describe_target_groups", TargetGroupArns=[a.get("arn") or a["id"]])
              .get("TargetGroups"), a["id"])
    return {"name": g["TargetGroupName"], "port": g.get("Port"), "protocol": g.get("Protocol"),
            "vpc_id": g.get("VpcId"), "target_type": g.get("TargetType"),
            "health_check": [{"path": g.get("HealthCheckPath"), "interval": g.get("HealthCheckIntervalSeconds"),
                              "healthy_threshold": g.get("HealthyThresholdCount"),
                              "unhealthy_threshold": g.get("UnhealthyThresholdCount"),
                              "matcher": (g.get("Matcher") or {}).get("HttpCode")}]}


@reader("aws_lb_listener")
def listener(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    item = first(aws.call("elbv2", "describe_listeners", ListenerArns=[a.get("arn") or a["id"]]).get("Listeners"), a["id"])
    return {"port": item.get("Port"), "protocol": item.get("Protocol"), "load_balancer_arn": item.get("LoadBalancerArn")}


@reader("aws_lb_listener_rule")
def listener_rule(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    rule = first(aws.call("elbv2", "describe_rules", RuleArns=[a.get("arn") or a["id"]]).get("Rules"), a["id"])
    priority = rule.get("Priority")
    return {"priority": int(priority) if priority and priority != "default" else priority}


@reader("aws_ecr_repository")
def ecr_repository(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = first(aws.call("ecr", "describe_repositories", repositoryNames=[a.get("name") or a["id"]])
              .get("repositories"), a["id"])
    return {"name": r["repositoryName"], "image_tag_mutability": r.get("imageTagMutability"),
            "image_scanning_configuration": [{"scan_on_push": (r.get("imageScanningConfiguration") or {})
                                              .get("scanOnPush", False)}]}


@reader("aws_ecr_repository_policy")
def ecr_repository_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    p = aws.call("ecr", "get_repository_policy", repositoryName=a.get("repository") or a["id"])
    return {"policy": p.get("policyText")}


@reader("aws_ecr_lifecycle_policy")
def ecr_lifecycle_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    p = aws.call("ecr", "get_lifecycle_policy", repositoryName=a.get("repository") or a["id"])
    return {"policy": p.get("lifecyclePolicyText")}


@reader("aws_appautoscaling_target")
def scalable_target(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    t = first(aws.call("application-autoscaling", "describe_scalable_targets", ServiceNamespace=a["service_namespace"],
                       ResourceIds=[a["resource_id"]], ScalableDimension=a["scalable_dimension"])
              .get("ScalableTargets"), a["resource_id"])
    return {"min_capacity": t.get("MinCapacity"), "max_capacity": t.get("MaxCapacity")}


@reader("aws_appautoscaling_policy")
def scaling_policy(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    p = first(aws.call("application-autoscaling", "describe_scaling_policies", ServiceNamespace=a["service_namespace"],
                       ResourceId=a["resource_id"], PolicyNames=[a["name"]]).get("ScalingPolicies"), a["name"])
    live: dict[str, Any] = {"policy_type": p.get("PolicyType")}
    target = p.get("TargetTrackingScalingPolicyConfiguration")
    if target:
        live["target_tracking_scaling_policy_configuration"] = [{"target_value": target.get("TargetValue")}]
    return live


@reader("aws_api_gateway_rest_api")
def rest_api(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = aws.call("apigateway", "get_rest_api", restApiId=a["id"])
    return {"name": r["name"], "description": r.get("description", ""), "tags_all": r.get("tags") or {}}


@reader("aws_api_gateway_resource")
def api_resource(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = aws.call("apigateway", "get_resource", restApiId=a["rest_api_id"], resourceId=a["id"])
    return {"path_part": r.get("pathPart"), "parent_id": r.get("parentId"), "path": r.get("path")}


@reader("aws_api_gateway_method")
def api_method(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    m = aws.call("apigateway", "get_method", restApiId=a["rest_api_id"], resourceId=a["resource_id"],
                 httpMethod=a["http_method"])
    return {"authorization": m.get("authorizationType"), "api_key_required": m.get("apiKeyRequired", False)}


@reader("aws_api_gateway_integration")
def api_integration(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    i = aws.call("apigateway", "get_integration", restApiId=a["rest_api_id"], resourceId=a["resource_id"],
                 httpMethod=a["http_method"])
    return {"type": i.get("type"), "uri": i.get("uri", ""), "integration_http_method": i.get("httpMethod", "")}


@reader("aws_api_gateway_integration_response")
def api_integration_response(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    r = aws.call("apigateway", "get_integration_response", restApiId=a["rest_api_id"], resourceId=a["resource_id"],
                 httpMethod=a["http_method"], statusCode=a["status_code"])
    return {"selection_pattern": r.get("selectionPattern", "")}


@reader("aws_api_gateway_method_response")
def api_method_response(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    aws.call("apigateway", "get_method_response", restApiId=a["rest_api_id"], resourceId=a["resource_id"],
             httpMethod=a["http_method"], statusCode=a["status_code"])
    return {}


@reader("aws_api_gateway_stage")
def api_stage(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    s = aws.call("apigateway", "get_stage", restApiId=a["rest_api_id"], stageName=a["stage_name"])
    return {"deployment_id": s.get("deploymentId"), "xray_tracing_enabled": s.get("tracingEnabled", False),
            "description": s.get("description", ""), "tags_all": s.get("tags") or {}}


@reader("aws_api_gateway_deployment")
def api_deployment(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    d = aws.call("apigateway", "get_deployment", restApiId=a["rest_api_id"], deploymentId=a["id"])
    return {"description": d.get("description", "")}


@reader("aws_api_gateway_method_settings")
def api_method_settings(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    s = aws.call("apigateway", "get_stage", restApiId=a["rest_api_id"], stageName=a["stage_name"])
    settings = (s.get("methodSettings") or {}).get(a["method_path"])
    if settings is None:
        raise Missing(f"no method settings {a['method_path']} on stage {a['stage_name']}")
    return {"settings": [{"metrics_enabled": settings.get("metricsEnabled"), "logging_level": settings.get("loggingLevel"),
                          "throttling_burst_limit": settings.get("throttlingBurstLimit"),
                          "throttling_rate_limit": settings.get("throttlingRateLimit")}]}


@reader("aws_api_gateway_usage_plan")
def usage_plan(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    p = aws.call("apigateway", "get_usage_plan", usagePlanId=a["id"])
    return {"name": p["name"], "description": p.get("description", "")}


@reader("aws_wafv2_web_acl")
def web_acl(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    acl = aws.call("wafv2", "get_web_acl", Name=a["name"], Scope=a["scope"], Id=a["id"])["WebACL"]
    live: dict[str, Any] = {"name": acl["Name"], "description": acl.get("Description", "")}
    if a.get("rule") is not None:   # the rules compare by name: their statements nest too deep to read back
        names = sorted(r["Name"] for r in acl.get("Rules") or [])
        if names != sorted(r.get("name") for r in a["rule"]):
            live["rule"] = [{"name": n} for n in names]
    return live


@reader("aws_wafv2_web_acl_association")
def web_acl_association(aws: Aws, a: Mapping[str, Any]) -> dict[str, Any]:
    found = aws.call("wafv2", "get_web_acl_for_resource", ResourceArn=a["resource_arn"]).get("WebACL")
    if not found:
        raise Missing(f"no web ACL on {a['resource_arn']}")
    return {"web_acl_arn": found.get("ARN")}
