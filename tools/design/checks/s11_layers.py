"""Checks of §11.1 of the design: twelve layers, each holding what the document puts in it
(A114, A116–A122, and D06–D10 for the five layers the table left out), and every layer's
remote-state reads answered by the layer they name (A115)."""
from __future__ import annotations

from typing import Mapping

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import REMOTE_IN_TEXT, referenced_resources
from tools.design.checks.primitives import changed, fixture, remote_state
from tools.design.stacks import Stacks
from tools.design.verdict import Verdict, combine, failed, passed

LAYERS = ("01-network", "02-security", "03-database", "04-parameter-store", "05-cloud-map", "06-lambda-genai",
          "07-application", "08-api-gateway", "09-aws-native", "10-monitoring", "11-frontend", "12-notification")

# What each layer holds, by the document's words, as resource types; (claim id, layer, {what: types}),
# any one type of a tuple is enough.
HOLDINGS: tuple[tuple[str, str, Mapping[str, tuple[str, ...]]], ...] = (
    ("A116", "01-network", {"VPC": ("aws_vpc",), "subnets": ("aws_subnet",), "routing": ("aws_route_table",),
                            "internet gateway": ("aws_internet_gateway",), "NAT gateway": ("aws_nat_gateway",),
                            "VPC endpoints": ("aws_vpc_endpoint",)}),
    ("A117", "02-security", {"security groups": ("aws_security_group",), "IAM roles": ("aws_iam_role",),
                             "NACLs": ("aws_network_acl",)}),
    ("A118", "03-database", {"Aurora cluster": ("aws_rds_cluster",),
                             "its secret": ("aws_secretsmanager_secret", "aws_rds_cluster.manage_master_user_password")}),
    ("D06", "04-parameter-store", {"SSM parameters": ("aws_ssm_parameter",)}),
    ("D07", "05-cloud-map", {"private DNS namespace": ("aws_service_discovery_private_dns_namespace",),
                             "services": ("aws_service_discovery_service",)}),
    ("D08", "06-lambda-genai", {"the GenAI Lambda": ("aws_lambda_function",)}),
    ("A119", "07-application", {"ECS cluster": ("aws_ecs_cluster",), "ECS services": ("aws_ecs_service",),
                                "ALB": ("aws_lb",), "ECR": ("aws_ecr_repository",)}),
    ("D09", "08-api-gateway", {"REST API": ("aws_api_gateway_rest_api",), "stage": ("aws_api_gateway_stage",)}),
    ("D10", "09-aws-native", {"service integration (API Gateway to Lambda)": ("aws_lambda_permission", "aws_api_gateway_integration")}),
    ("A120", "10-monitoring", {"CloudWatch dashboard": ("aws_cloudwatch_dashboard",), "CloudTrail": ("aws_cloudtrail",)}),
)


def _has(stacks: Stacks, layer: str, type_: str) -> list[str]:
    if "." in type_:   # "type.argument": a resource of that type with the argument true
        resource_type, argument = type_.split(".")
        return [b.where for b in stacks.resources(resource_type, layer) if b.body.get(argument) is True]
    return [b.where for b in stacks.resources(type_, layer)]


def _holds(layer: str, needs: Mapping[str, tuple[str, ...]]):
    def judge(stacks: Stacks) -> Verdict:
        if layer not in stacks.layers:
            return failed(f"no layer {layer} among {list(stacks.layers)}")
        parts = []
        for what, types in needs.items():
            found = [w for t in types for w in _has(stacks, layer, t)]
            parts.append(passed(f"{what}: {found[0]}") if found else failed(f"{layer} lacks {what} (no {' or '.join(types)})"))
        return combine(parts)
    return judge


def _example(layer: str, needs: Mapping[str, tuple[str, ...]]) -> dict:
    blocks = []
    for what, types in needs.items():
        type_, _, argument = types[0].partition(".")
        blocks.append((layer, f"{type_}.example", {argument: True} if argument else {"name": what}))
    return fixture(*blocks)


for claim_id, layer, needs in HOLDINGS:
    last = list(needs)[-1]
    partial = {what: types for what, types in needs.items() if what != last}
    elsewhere = "10-monitoring" if layer != "10-monitoring" else "01-network"
    check(claim_id, passing=[_example(layer, needs)],
          failing=[_example(layer, partial) if partial else fixture((layer, "aws_cloudwatch_log_group.other", {"name": "x"})),
                   _example(elsewhere, needs)])(_holds(layer, needs))


TWELVE = fixture(*[(layer, "aws_cloudwatch_log_group.x", {"name": layer}) for layer in LAYERS])


@check("A114", passing=[TWELVE], failing=[fixture(*[(layer, "aws_cloudwatch_log_group.x", {"name": layer}) for layer in LAYERS[:11]]),
                                           fixture(*[(layer, "output.x", "1") for layer in LAYERS])])
def twelve_layers(stacks: Stacks) -> Verdict:
    missing = [layer for layer in LAYERS if layer not in stacks.layers]
    empty = [layer for layer in LAYERS if layer in stacks.layers and not stacks.document(layer).get("resource")]
    if missing or empty:
        return failed(f"missing layers {missing}, layers without resources {empty}")
    return passed(f"the 12 layers 01-network .. 12-notification each hold resources ({len(stacks.layers)} stacks in all)")


READS = fixture(
    ("01-network", "output.vpc_id", "${aws_vpc.vpc.id}"), ("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}),
    remote_state("05-cloud-map", "network", "01-network"),
    ("05-cloud-map", "aws_service_discovery_private_dns_namespace.ns",
     {"name": "petclinic.local", "vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"}))


@check("A115", passing=[READS], failing=[
    fixture(*[b for b in [("01-network", "output.vpc", "${aws_vpc.vpc.id}"), remote_state("05-cloud-map", "network", "01-network"),
                          ("05-cloud-map", "aws_service_discovery_private_dns_namespace.ns",
                           {"vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"})]]),
    fixture(("05-cloud-map", "aws_service_discovery_private_dns_namespace.ns",
             {"vpc": "${data.terraform_remote_state.network.outputs.vpc_id}"})),
    fixture(("01-network", "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))])
def remote_reads_answered(stacks: Stacks) -> Verdict:
    """A plan of a layer fails when it reads an output its producer does not declare: every read is
    checked against the producer's outputs (the producer named by the remote state's backend key)."""
    parts, count = [], 0
    for layer in stacks.layers:
        states = stacks.document(layer).get("data", {}).get("terraform_remote_state", {})
        for kind in ("resource", "output", "locals", "data"):
            text = str(stacks.document(layer).get(kind, {}))
            for state, output in sorted(set(REMOTE_IN_TEXT.findall(text))):
                count += 1
                if state not in states:
                    parts.append(failed(f"{layer} reads data.terraform_remote_state.{state}, which the layer does not declare"))
                elif stacks.remote_output(layer, "${data.terraform_remote_state.%s.outputs.%s}" % (state, output)) is None:
                    key = states[state].get("config", {}).get("key", "")
                    parts.append(failed(f"{layer} reads {state}.outputs.{output}: no such output in the layer of {key}"))
    if count == 0:
        return failed("no layer reads another layer's state: nothing to check")
    return combine(parts) if parts else passed(f"{count} remote-state reads, each answered by an output of the layer it names")


FRONT, NOTE = "11-frontend", "12-notification"
SITE = fixture((FRONT, "aws_s3_bucket.site", {"bucket": "site"}),
               (FRONT, "aws_cloudfront_distribution.cdn", {"origin": [
                   {"origin_id": "S3", "domain_name": "${aws_s3_bucket.site.bucket_regional_domain_name}"}]}))


@check("A121", passing=[SITE], failing=[changed(SITE, FRONT, "aws_cloudfront_distribution.cdn", origin=[
    {"origin_id": "web", "domain_name": "example.org"}]), fixture((FRONT, "aws_s3_bucket.site", {"bucket": "site"}))])
def frontend_hosting(stacks: Stacks) -> Verdict:
    """The layer holds a bucket and a distribution, and the distribution serves from that bucket."""
    distributions = stacks.resources("aws_cloudfront_distribution", FRONT)
    if not distributions:
        return failed(f"{FRONT} holds no aws_cloudfront_distribution")
    parts = []
    for cdn in distributions:
        origins = cdn.body.get("origin") or []
        buckets = [b for o in (origins if isinstance(origins, list) else [origins])
                   for b in referenced_resources(stacks, FRONT, o.get("domain_name"), "aws_s3_bucket")]
        parts.append(passed(f"{cdn.where} serves from {buckets[0].where}") if buckets
                     else failed(f"{cdn.where} has no origin on an aws_s3_bucket of {FRONT}"))
    return combine(parts)


ALERTS = fixture((NOTE, "aws_sns_topic.alerts", {"name": "alerts"}),
                 (NOTE, "aws_lambda_function.slack", {"function_name": "slack-notifier"}),
                 (NOTE, "aws_sns_topic_subscription.slack", {"topic_arn": "${aws_sns_topic.alerts.arn}", "protocol": "lambda",
                                                             "endpoint": "${aws_lambda_function.slack.arn}"}))


@check("A122", passing=[ALERTS], failing=[changed(ALERTS, NOTE, "aws_sns_topic_subscription.slack", protocol="email",
                                                  endpoint="ops@example.org"),
                                          fixture((NOTE, "aws_sns_topic.alerts", {"name": "alerts"}))])
def slack_alerting(stacks: Stacks) -> Verdict:
    """An SNS topic of the layer delivers to a Lambda of the layer (the Slack notifier)."""
    subscriptions = [s for s in stacks.resources("aws_sns_topic_subscription", NOTE) if s.body.get("protocol") == "lambda"
                     and referenced_resources(stacks, NOTE, s.body.get("topic_arn"), "aws_sns_topic")
                     and referenced_resources(stacks, NOTE, s.body.get("endpoint"), "aws_lambda_function")]
    if not subscriptions:
        return failed(f"{NOTE} has no aws_sns_topic_subscription from its topic to its Lambda (protocol lambda)")
    return passed(f"{subscriptions[0].where}: {subscriptions[0].body['topic_arn']} -> {subscriptions[0].body['endpoint']}")
