"""Pricing rules of compute: Fargate services (desired tasks x task size, on demand and Spot),
Aurora Serverless v2 (ACUs, storage, I/O), Lambda (requests, GB-seconds, provisioned concurrency,
the Bedrock tokens of the AI function) and EC2 instances."""
from __future__ import annotations

from tools.cost.charges import SECONDS_PER_HOUR, Charge, Context, Unpriced
from tools.cost.stacks import Instance

DEFAULT_LAMBDA_MEMORY_MB = 128  # the provider's default when memory_size is not set


def ecs_service(i: Instance, ctx: Context) -> list[Charge]:
    strategy = i.body.get("capacity_provider_strategy") or []
    if i.body.get("launch_type", "FARGATE") != "FARGATE" and not strategy:
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: launch type {i.body.get('launch_type')} has no price")
    definition = ctx.referenced(i, i.body.get("task_definition"))
    if definition is None:
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: its task definition is not in the layer")
    vcpu = float(definition.body["cpu"]) / 1024
    memory = float(definition.body["memory"]) / 1024
    tasks = i.body.get("desired_count", 1)
    tasks = tasks if isinstance(tasks, (int, float)) else 1
    floor = _scaling_floor(i, ctx)
    hours, why = ctx.figure("task_hours")
    if floor > tasks:
        tasks, why = floor, f"{why}; the autoscaling target's min_capacity {floor:g} is above the desired count"
    weights = {s.get("capacity_provider"): float(s.get("weight", 0)) for s in strategy}
    spot = weights.get("FARGATE_SPOT", 0) / sum(weights.values()) if sum(weights.values()) else 0.0
    assumption = f"{tasks:g} desired tasks x {vcpu:g} vCPU / {memory:g} GB ({definition.address}); {why}"
    charges = []
    for share, label, discount in ((1 - spot, "on demand", None), (spot, "Spot", "fargate_spot_discount")):
        if share:
            task_hours = tasks * hours * share
            charges += [Charge(f"vCPU-hours, {label}", task_hours * vcpu, "fargate_vcpu_hour", "fixed", "ECS Fargate",
                               assumption, discount),
                        Charge(f"GB-hours, {label}", task_hours * memory, "fargate_gb_hour", "fixed", "ECS Fargate",
                               assumption, discount)]
    network = i.body.get("network_configuration") or {}
    if isinstance(network, list):
        network = network[0] if network else {}
    if network.get("assign_public_ip"):
        charges.append(Charge("public IPv4 address-hours", tasks * hours, "public_ipv4_hour", "fixed", "Public IPv4",
                              f"assign_public_ip: one address per running task; {why}"))
    return charges


def _scaling_floor(service: Instance, ctx: Context) -> float:
    """The min_capacity of an autoscaling target on this service: ECS never runs fewer tasks."""
    reference = f"${{{service.address}.name}}"
    floors = [t.body.get("min_capacity") for t in ctx.stacks.of_type("aws_appautoscaling_target")
              if t.layer == service.layer and reference in str(t.body.get("resource_id", ""))]
    return max((f for f in floors if isinstance(f, (int, float))), default=0)


def rds_cluster(i: Instance, ctx: Context) -> list[Charge]:
    storage, storage_why = ctx.figure("aurora_storage_gb")
    io, io_why = ctx.figure("aurora_io_million")
    return [Charge("storage GB-month", storage, "aurora_storage_gb_month", "usage", "Aurora Serverless v2",
                   storage_why),
            Charge("million I/O requests", io, "aurora_io_million", "usage", "Aurora Serverless v2",
                   f"{io_why}; backups within the retention period up to the volume's size are free")]


def rds_cluster_instance(i: Instance, ctx: Context) -> list[Charge]:
    if i.body.get("instance_class") != "db.serverless":
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: instance class {i.body.get('instance_class')} has no price")
    acu, why = ctx.figure("aurora_acu")
    cluster = ctx.referenced(i, i.body.get("cluster_identifier"))
    scaling = (cluster.body.get("serverlessv2_scaling_configuration") or {}) if cluster else {}
    low, high = scaling.get("min_capacity", 0), scaling.get("max_capacity", acu)
    used = min(max(acu, low), high)
    if used != acu:
        why = f"{why}; held to the cluster's {low:g}-{high:g} ACU"
    return [Charge(f"ACU-hours at {used:g} ACU", used * ctx.hours, "aurora_acu_hour", "usage", "Aurora Serverless v2",
                   why)]


def _memory_gb(function: Instance) -> float:
    return float(function.body.get("memory_size") or DEFAULT_LAMBDA_MEMORY_MB) / 1024


def _model(function: Instance) -> str | None:
    variables = (function.body.get("environment") or {}).get("variables") or {}
    return variables.get("BEDROCK_MODEL_ID")


def lambda_function(i: Instance, ctx: Context) -> list[Charge]:
    model = _model(i)
    prefix, service = ("genai", "Lambda (AI)") if model else ("other_lambda", "Lambda (other)")
    calls, calls_why = ctx.figure(f"{prefix}_invocations")
    duration, duration_why = ctx.figure(f"{prefix}_duration_ms")
    memory = _memory_gb(i)
    charges = [Charge("million requests", calls / 1e6, "lambda_million_requests", "usage", service, calls_why),
               Charge(f"GB-seconds at {memory * 1024:g} MB", calls * duration / 1000 * memory, "lambda_gb_second",
                      "usage", service, f"{calls_why}; {duration_why}")]
    if model:
        for direction in ("input", "output"):
            tokens, why = ctx.figure(f"genai_{direction}_tokens")
            charges.append(Charge(f"million {direction} tokens ({model})", calls * tokens / 1e6,
                                  f"bedrock_{direction}_million:{model}", "usage", service, f"{calls_why}; {why}"))
    return charges


def provisioned_concurrency(i: Instance, ctx: Context) -> list[Charge]:
    function = ctx.referenced(i, i.body.get("function_name"))
    if function is None:
        raise Unpriced(f"{i.type} at {i.layer}/{i.address}: its function is not in the layer")
    concurrency = float(i.body.get("provisioned_concurrent_executions", 0))
    memory = _memory_gb(function)
    service = "Lambda (AI)" if _model(function) else "Lambda (other)"
    return [Charge(f"GB-seconds configured ({concurrency:g} x {memory * 1024:g} MB)",
                   concurrency * memory * ctx.hours * SECONDS_PER_HOUR, "lambda_provisioned_gb_second", "fixed",
                   service, f"configured all month on {function.address}")]


def ec2_instance(i: Instance, ctx: Context) -> list[Charge]:
    size = i.body.get("instance_type")
    volume, why = ctx.figure("ebs_gb_per_instance")
    charges = [Charge(f"{size} instance-hours", ctx.hours, f"ec2_{str(size).replace('.', '_')}_hour", "fixed", "EC2"),
               Charge("gp3 GB-month (root volume)", volume, "ebs_gp3_gb_month", "fixed", "EC2", why)]
    if i.body.get("associate_public_ip_address"):
        charges.append(Charge("public IPv4 address-hours", ctx.hours, "public_ipv4_hour", "fixed", "EC2"))
    return charges
