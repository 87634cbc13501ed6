"""What a replacement or a destroy costs the running platform, in words, by resource type.

The kinds (worst last): reboot, manual-step, access-changed, downtime, data-lost. A type not listed
is recreated without a lasting effect worth a runbook line (a CloudWatch alarm, a dashboard)."""
from __future__ import annotations

RISK_ORDER = ("none", "reboot", "manual-step", "access-changed", "downtime", "data-lost")

# type -> (risk kind, what is lost or interrupted)
DATA = {
    "aws_rds_cluster": "the database", "aws_rds_cluster_instance": "a database instance (and its buffer cache)",
    "aws_db_instance": "the database", "aws_s3_bucket": "the bucket's objects",
    "aws_secretsmanager_secret": "the secret's value", "aws_ecr_repository": "the repository's images",
    "aws_cloudwatch_log_group": "the log group's events", "aws_kms_key": "data encrypted with the key",
    "aws_ssm_parameter": "the parameter's value", "aws_instance": "the instance's root volume",
    "aws_cloudtrail": "the trail's configuration (its logs stay in S3)",
}
DOWNTIME = {
    "aws_ecs_service": "the service", "aws_ecs_cluster": "every service of the cluster", "aws_lb": "the load balancer",
    "aws_lb_listener": "the listener's traffic", "aws_lb_target_group": "the target group's traffic",
    "aws_cloudfront_distribution": "the frontend", "aws_api_gateway_rest_api": "the API",
    "aws_api_gateway_stage": "the API stage", "aws_nat_gateway": "outbound traffic of its AZ",
    "aws_subnet": "everything placed in the subnet", "aws_vpc": "the whole network",
    "aws_route_table": "the subnets' routes", "aws_lambda_function": "the function",
    "aws_service_discovery_private_dns_namespace": "service discovery",
}
ACCESS = {
    "aws_security_group_rule": "the traffic the rule admits", "aws_security_group": "the group's rules",
    "aws_vpc_security_group_ingress_rule": "the traffic the rule admits",
    "aws_vpc_security_group_egress_rule": "the traffic the rule lets out",
    "aws_iam_role": "what the role's users may do", "aws_iam_role_policy": "the permissions it grants",
    "aws_iam_policy": "the permissions it grants", "aws_iam_role_policy_attachment": "the permissions it grants",
    "aws_lambda_permission": "the caller's right to invoke", "aws_wafv2_web_acl": "the web ACL's protection",
    "aws_network_acl_rule": "the traffic the rule admits", "aws_route": "the route's traffic",
}
# Replaced without an outage: a revision is immutable, so a change is a new one, and the ECS service
# that names it rolls its tasks (its deployment starts new tasks before it stops the old ones).
ROLLED = {"aws_ecs_task_definition": "a new revision; the service that runs it rolls its tasks onto it "
                                     "(new tasks up before the old ones stop)"}
MANUAL = {"aws_acm_certificate": "a new certificate to validate (DNS record) before HTTPS works"}
REBOOT = {"aws_rds_cluster_parameter_group": "a parameter that applies only after a reboot",
          "aws_db_parameter_group": "a parameter that applies only after a reboot"}


def assess(action: str, rtype: str, address: str) -> tuple[str, str]:
    """(risk kind, words) of one Terraform action on one resource; ("none", "") when harmless."""
    if rtype in REBOOT and action in ("update", "replace", "maybe-replace"):
        return "reboot", f"{address}: {REBOOT[rtype]}: reboot the instances after apply"
    if action == "create":
        if rtype in MANUAL:
            return "manual-step", f"{address}: {MANUAL[rtype]}"
        return "none", ""
    if action not in ("replace", "maybe-replace", "destroy"):
        return "none", ""
    if rtype in ROLLED and action != "destroy":
        return "none", f"{address} is replaced: {ROLLED[rtype]}"
    verb = {"destroy": "destroyed", "replace": "replaced", "maybe-replace": "possibly replaced"}[action]
    if rtype in DATA:
        return "data-lost", f"{address} is {verb}; lost: {DATA[rtype]}"
    if rtype in DOWNTIME:
        return "downtime", f"{address} is {verb}; down until the new one is up: {DOWNTIME[rtype]}"
    if rtype in ACCESS:
        when = "from then on" if action == "destroy" else "between the destroy and the create"
        return "access-changed", f"{address} is {verb}; gone {when}: {ACCESS[rtype]}"
    if rtype in MANUAL:
        return "manual-step", f"{address} is {verb}: {MANUAL[rtype]}"
    return "none", ""


def worst(kinds: list[str]) -> str:
    return max(kinds, key=RISK_ORDER.index, default="none")


RUNBOOK = {
    "data-lost": "Back up what is lost first (snapshot, export, copy), and confirm the backup restores.",
    "downtime": "Announce a maintenance window; apply outside business hours and watch the health checks.",
    "access-changed": "Tell the users of the access that changes; check the access logs for who still relies on it.",
    "manual-step": "Do the manual step before applying (see the line above).",
    "reboot": "Reboot the database instances one at a time after the apply (the reader first).",
}
