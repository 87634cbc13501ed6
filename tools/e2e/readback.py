"""Claims of the design that the local AWS confirms by reading the applied objects back (issue 32).

`python -m tools.design --env <env>` judges the synthesized stacks; these read what the apply made,
with boto3 against moto, after the second plan and before the tampering. Each entry is data: the
claim, the resource type whose applied object it reads (found in the layers' states, never in the
configuration), the API it calls and what the object must hold. Each result stands beside the design
check's verdict of the claim: a claim the check passes must be held by the object (else the run
fails); where the check fails it (an environment as deployed), the object should not hold it either,
and the report says when it does. A read-back whose type no applied layer holds says so.

Only what moto keeps is read here: a value moto drops (tools/e2e/moto_gaps.py) cannot confirm a claim.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from settings import Environment
from tools.e2e.state import Instance, State

Clients = Callable[..., Any]          # client("ec2") -> a boto3 client at moto, in the environment's region


@dataclass(frozen=True)
class Read:
    ok: bool
    what: str                         # what was read, for the report


@dataclass(frozen=True)
class ReadBack:
    claim: str                        # "A36"
    rtype: str                        # the applied object's type
    api: str                          # "ELBv2:DescribeListeners"
    expects: str                      # what the claim says the object holds
    read: Callable[[Clients, Instance, Environment], Read]
    where: Callable[[Instance], bool] = lambda instance: True   # which of the type's objects


@dataclass(frozen=True)
class ReadBackResult:
    claim: str
    layer: str
    address: str
    api: str
    expects: str
    ok: bool | None                   # None: nothing of the type was applied
    read: str
    design: str = ""                  # the design check's verdict of the claim on the synthesized stacks

    @property
    def outcome(self) -> str:
        """confirmed: the design check passes the claim and the object holds it; FAILED: it passes
        and the object does not (fails the run); agrees: neither does; differs: the object holds
        what the design check does not find (told, not failed); not applied."""
        if self.ok is None:
            return "not applied"
        if self.design == "pass":
            return "confirmed" if self.ok else "FAILED"
        if self.design == "fail":
            return "differs" if self.ok else "agrees"
        return "held" if self.ok else "not held"


def _named(*words: str) -> Callable[[Instance], bool]:
    return lambda instance: all(word in instance.address for word in words)


def _check(ok: bool, what: str) -> Read:
    return Read(bool(ok), what)


# ------------------------------------------------------------------ network (§3, §8.3)
def _vpc_dns(clients: Clients, inst: Instance, env: Environment) -> Read:
    ec2 = clients("ec2")
    values = {attribute: ec2.describe_vpc_attribute(VpcId=inst.attributes["id"], Attribute=attribute)
              [attribute[0].upper() + attribute[1:]]["Value"] for attribute in ("enableDnsHostnames", "enableDnsSupport")}
    return _check(all(values.values()), ", ".join(f"{k} {v}" for k, v in values.items()))


def _db_routes(clients: Clients, inst: Instance, env: Environment) -> Read:
    """Local routes and gateway endpoints (S3, DynamoDB: prefix lists inside AWS) only: no internet
    gateway, NAT gateway or egress-only gateway."""
    table = clients("ec2").describe_route_tables(RouteTableIds=[inst.attributes["id"]])["RouteTables"][0]
    targets = sorted({r.get("GatewayId") or r.get("NatGatewayId") or r.get("EgressOnlyInternetGatewayId")
                      or r.get("TransitGatewayId") or "other" for r in table["Routes"]})
    return _check(all(t == "local" or t.startswith("vpce-") for t in targets), f"routes to {', '.join(targets)}")


def _nacl_entries(clients: Clients, inst: Instance) -> list[dict[str, Any]]:
    acl = clients("ec2").describe_network_acls(NetworkAclIds=[inst.attributes["id"]])["NetworkAcls"][0]
    return [e for e in acl["Entries"] if e["RuleNumber"] < 32767 and e["RuleAction"] == "allow"]


def _ports(entry: Mapping[str, Any]) -> tuple[int, int]:
    return entry["PortRange"]["From"], entry["PortRange"]["To"]


def _public_nacl(clients: Clients, inst: Instance, env: Environment) -> Read:
    entries = _nacl_entries(clients, inst)
    inbound = {_ports(e) for e in entries if not e["Egress"] and e["CidrBlock"] == "0.0.0.0/0"}
    outbound = {_ports(e) for e in entries if e["Egress"]}
    ok = {(80, 80), (443, 443)} <= inbound and (1024, 65535) in outbound
    return _check(ok, f"in from 0.0.0.0/0 {sorted(inbound)}; out {sorted(outbound)}")


def _app_nacl(clients: Clients, inst: Instance, env: Environment) -> Read:
    entries = _nacl_entries(clients, inst)
    public = {str(c) for c in env.network.public_subnet_cidrs}
    service = {(_ports(e), e["CidrBlock"]) for e in entries if not e["Egress"] and _ports(e)[0] in (8080, 9090)}
    https_out = any(e["Egress"] and _ports(e) == (443, 443) for e in entries)
    ok = {c for _, c in service} == public and {p for p, _ in service} == {(8080, 8080), (9090, 9090)} and https_out
    return _check(ok, f"8080/9090 in from {sorted({c for _, c in service})}; 443 out {https_out}")


def _db_nacl(clients: Clients, inst: Instance, env: Environment) -> Read:
    entries = _nacl_entries(clients, inst)
    inbound = {(_ports(e), e["CidrBlock"]) for e in entries if not e["Egress"]}
    app = {str(c) for c in env.network.private_app_subnet_cidrs}
    ok = inbound == {((3306, 3306), c) for c in app}
    return _check(ok, f"in {sorted(inbound)}")


# ------------------------------------------------------------------ security groups (§3.3)
def _group_rules(clients: Clients, group: str) -> list[dict[str, Any]]:
    return clients("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]


def _alb_ingress(clients: Clients, inst: Instance, env: Environment) -> Read:
    rules = [r for r in _group_rules(clients, inst.attributes["id"]) if not r["IsEgress"]]
    open_ports = {r["FromPort"] for r in rules if r.get("CidrIpv4") == "0.0.0.0/0"}
    return _check({80, 443} <= open_ports, f"ingress from 0.0.0.0/0 on {sorted(open_ports)}")


def _aurora_ingress(clients: Clients, inst: Instance, env: Environment) -> Read:
    rules = [r for r in _group_rules(clients, inst.attributes["id"]) if not r["IsEgress"]]
    seen = sorted({(r["FromPort"], r["ToPort"], (r.get("ReferencedGroupInfo") or {}).get("GroupId") or r.get("CidrIpv4"))
                   for r in rules}, key=str)
    ok = bool(seen) and all((low, high) == (3306, 3306) and str(source).startswith("sg-") for low, high, source in seen)
    return _check(ok, f"ingress (from, to, source) {seen}")


# ------------------------------------------------------------------ compute and load balancing (§4, §5)
def _capacity_providers(clients: Clients, inst: Instance, env: Environment) -> Read:
    cluster = clients("ecs").describe_clusters(clusters=[inst.attributes["arn"]], include=["SETTINGS"])["clusters"][0]
    providers = sorted(cluster.get("capacityProviders") or [])
    return _check({"FARGATE", "FARGATE_SPOT"} <= set(providers), f"capacityProviders {providers}")


def _container_insights(clients: Clients, inst: Instance, env: Environment) -> Read:
    cluster = clients("ecs").describe_clusters(clusters=[inst.attributes["arn"]], include=["SETTINGS"])["clusters"][0]
    settings = {s["name"]: s["value"] for s in cluster.get("settings") or []}
    value = settings.get("containerInsights", "(none)")
    return _check(value in ("enabled", "enhanced"), f"containerInsights {value}")


def _internet_facing(clients: Clients, inst: Instance, env: Environment) -> Read:
    """moto returns no Scheme when the request sent none (the provider sends one only for an internal
    load balancer), where AWS answers its default, internet-facing: absent reads as that default."""
    lb = clients("elbv2").describe_load_balancers(LoadBalancerArns=[inst.attributes["arn"]])["LoadBalancers"][0]
    scheme = lb.get("Scheme")
    ok = scheme in (None, "internet-facing") and lb.get("Type") == "application"
    return _check(ok, f"{lb.get('Type')}, {scheme or 'no Scheme (none sent: internet-facing)'}")


def _listener(clients: Clients, inst: Instance) -> dict[str, Any]:
    return clients("elbv2").describe_listeners(ListenerArns=[inst.attributes["arn"]])["Listeners"][0]


def _redirect_80(clients: Clients, inst: Instance, env: Environment) -> Read:
    listener = _listener(clients, inst)
    redirect = next((a.get("RedirectConfig") for a in listener["DefaultActions"] if a["Type"] == "redirect"), None) or {}
    ok = listener["Port"] == 80 and redirect.get("Protocol") == "HTTPS" and str(redirect.get("Port")) == "443"
    return _check(ok, f"port {listener['Port']} {listener['Protocol']}: redirect to {redirect.get('Protocol')}:"
                      f"{redirect.get('Port')} ({redirect.get('StatusCode')})")


def _https_443(clients: Clients, inst: Instance, env: Environment) -> Read:
    listener = _listener(clients, inst)
    arns = [c["CertificateArn"] for c in listener.get("Certificates") or []]
    certificate = (clients("acm").describe_certificate(CertificateArn=arns[0])["Certificate"] if arns else {})
    ok = listener["Port"] == 443 and listener["Protocol"] == "HTTPS" and certificate.get("Status") == "ISSUED"
    return _check(ok, f"port {listener['Port']} {listener['Protocol']}, certificate {certificate.get('DomainName')} "
                      f"{certificate.get('Status')} ({listener.get('SslPolicy')})")


def _regional_api(clients: Clients, inst: Instance, env: Environment) -> Read:
    api = clients("apigateway").get_rest_api(restApiId=inst.attributes["id"])
    types = (api.get("endpointConfiguration") or {}).get("types") or []
    return _check(types == ["REGIONAL"], f"endpoint types {types}")


def _api_key_required(clients: Clients, inst: Instance, env: Environment) -> Read:
    a = inst.attributes
    method = clients("apigateway").get_method(restApiId=a["rest_api_id"], resourceId=a["resource_id"], httpMethod=a["http_method"])
    return _check(method.get("apiKeyRequired") is True, f"{a['http_method']} apiKeyRequired {method.get('apiKeyRequired')}")


# ------------------------------------------------------------------ parameters, secrets, AI (§6)
def _secure_strings(clients: Clients, inst: Instance, env: Environment) -> Read:
    name = inst.attributes["name"]
    found = clients("ssm").describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]
    kind = found[0]["Type"] if found else "(none)"
    return _check(kind == "SecureString", f"{name} {kind}")


def _namespace(clients: Clients, inst: Instance, env: Environment) -> Read:
    namespace = clients("servicediscovery").get_namespace(Id=inst.attributes["id"])["Namespace"]
    return _check(namespace["Name"] == "petclinic.local" and namespace["Type"] == "DNS_PRIVATE",
                  f"{namespace['Name']} {namespace['Type']}")


def _rotation(clients: Clients, inst: Instance, env: Environment) -> Read:
    secret = clients("secretsmanager").describe_secret(SecretId=inst.attributes["secret_id"])
    days = (secret.get("RotationRules") or {}).get("AutomaticallyAfterDays")
    return _check(secret.get("RotationEnabled") is True and days == 30, f"RotationEnabled {secret.get('RotationEnabled')}, every {days} days")


# ------------------------------------------------------------------ database (§7)
def _cluster(clients: Clients, inst: Instance) -> dict[str, Any]:
    return clients("rds").describe_db_clusters(DBClusterIdentifier=inst.attributes["cluster_identifier"])["DBClusters"][0]


def _writer_and_reader(clients: Clients, inst: Instance, env: Environment) -> Read:
    members = _cluster(clients, inst).get("DBClusterMembers") or []
    writers = sum(1 for m in members if m["IsClusterWriter"])
    return _check(writers == 1 and len(members) - writers >= 1, f"{writers} writer, {len(members) - writers} reader")


def _retention(clients: Clients, inst: Instance, env: Environment) -> Read:
    days = _cluster(clients, inst).get("BackupRetentionPeriod")
    return _check(days == 7, f"BackupRetentionPeriod {days}")


def _window(clients: Clients, inst: Instance, env: Environment) -> Read:
    window = _cluster(clients, inst).get("PreferredBackupWindow")
    return _check(window == "03:00-04:00", f"PreferredBackupWindow {window}")


def _encrypted(clients: Clients, inst: Instance, env: Environment) -> Read:
    cluster = _cluster(clients, inst)
    return _check(cluster.get("StorageEncrypted") is True, f"StorageEncrypted {cluster.get('StorageEncrypted')}")


def _tls_parameter(clients: Clients, inst: Instance, env: Environment) -> Read:
    pages = clients("rds").get_paginator("describe_db_cluster_parameters").paginate(
        DBClusterParameterGroupName=inst.attributes["name"], Source="user")
    values = [p.get("ParameterValue") for page in pages for p in page["Parameters"] if p["ParameterName"] == "require_secure_transport"]
    value = values[0] if values else "(not set)"
    return _check(str(value).upper() in ("ON", "1"), f"{inst.attributes['name']} require_secure_transport {value}")


# ------------------------------------------------------------------ monitoring (§9)
def _alarm_actions(clients: Clients, inst: Instance, env: Environment) -> Read:
    name = inst.attributes["alarm_name"]
    alarms = clients("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    actions = alarms[0].get("AlarmActions") if alarms else []
    return _check(any(":sns:" in a for a in actions or []), f"{name} actions {actions}")


def _multi_region_trail(clients: Clients, inst: Instance, env: Environment) -> Read:
    trails = clients("cloudtrail").describe_trails(trailNameList=[inst.attributes["arn"]])["trailList"]
    multi = trails[0].get("IsMultiRegionTrail") if trails else None
    return _check(multi is True, f"{inst.attributes['name']} IsMultiRegionTrail {multi}")


READ_BACKS: tuple[ReadBack, ...] = (
    ReadBack("A03", "aws_vpc", "EC2:DescribeVpcAttribute", "DNS hostnames and DNS support on", _vpc_dns),
    ReadBack("A14", "aws_route_table", "EC2:DescribeRouteTables", "a DB route table routes locally only", _db_routes,
             _named("db")),
    ReadBack("A90", "aws_network_acl", "EC2:DescribeNetworkAcls", "public NACL: 80 and 443 in from anywhere, ephemeral out",
             _public_nacl, _named("public")),
    ReadBack("A91", "aws_network_acl", "EC2:DescribeNetworkAcls", "app NACL: 8080/9090 in from the public subnets, 443 out",
             _app_nacl, _named("private_app")),
    ReadBack("A92", "aws_network_acl", "EC2:DescribeNetworkAcls", "DB NACL: 3306 in from the app subnets only", _db_nacl,
             _named("private_db")),
    ReadBack("A15", "aws_security_group", "EC2:DescribeSecurityGroupRules", "ALB group: 80 and 443 from 0.0.0.0/0",
             _alb_ingress, _named("alb")),
    ReadBack("A19", "aws_security_group", "EC2:DescribeSecurityGroupRules", "Aurora group: 3306 from a security group only",
             _aurora_ingress, _named("aurora")),
    ReadBack("A23", "aws_ecs_cluster", "ECS:DescribeClusters", "capacity providers FARGATE and FARGATE_SPOT", _capacity_providers),
    ReadBack("A97", "aws_ecs_cluster", "ECS:DescribeClusters", "Container Insights on", _container_insights),
    ReadBack("A34", "aws_lb", "ELBv2:DescribeLoadBalancers", "an internet-facing application load balancer", _internet_facing),
    ReadBack("A36", "aws_lb_listener", "ELBv2:DescribeListeners", "listener 80 redirects to HTTPS 443", _redirect_80,
             lambda i: i.attributes.get("port") == 80),
    ReadBack("A37", "aws_lb_listener", "ELBv2:DescribeListeners + ACM:DescribeCertificate",
             "listener 443 is HTTPS with an issued ACM certificate", _https_443, lambda i: i.attributes.get("port") == 443),
    ReadBack("A41", "aws_api_gateway_rest_api", "APIGateway:GetRestApi", "a REST API with a Regional endpoint", _regional_api),
    ReadBack("A63", "aws_api_gateway_method", "APIGateway:GetMethod", "the AI route requires an API key", _api_key_required,
             _named("genai")),
    ReadBack("A52", "aws_ssm_parameter", "SSM:DescribeParameters", "a database parameter is a SecureString", _secure_strings,
             lambda i: "/db/" in str(i.attributes.get("name"))),
    ReadBack("A54", "aws_service_discovery_private_dns_namespace", "ServiceDiscovery:GetNamespace",
             "private DNS namespace petclinic.local", _namespace),
    ReadBack("A66", "aws_secretsmanager_secret_rotation", "SecretsManager:DescribeSecret", "the secret rotates every 30 days",
             _rotation),
    ReadBack("A71", "aws_rds_cluster", "RDS:DescribeDBClusters", "one writer and a reader", _writer_and_reader),
    ReadBack("A73", "aws_rds_cluster", "RDS:DescribeDBClusters", "backups kept 7 days", _retention),
    ReadBack("A78", "aws_rds_cluster", "RDS:DescribeDBClusters", "backup window 03:00-04:00 UTC", _window),
    ReadBack("A80", "aws_rds_cluster", "RDS:DescribeDBClusters", "storage encrypted", _encrypted),
    ReadBack("A81", "aws_rds_cluster_parameter_group", "RDS:DescribeDBClusterParameters", "require_secure_transport ON",
             _tls_parameter),
    ReadBack("A102", "aws_cloudwatch_metric_alarm", "CloudWatch:DescribeAlarms", "an alarm notifies an SNS topic",
             _alarm_actions),
    ReadBack("A69", "aws_cloudtrail", "CloudTrail:DescribeTrails", "a multi-region trail", _multi_region_trail),
)


def read_back(clients: Clients, env: Environment, states: Iterable[State], design: Mapping[str, str],
              read_backs: Iterable[ReadBack] = READ_BACKS) -> list[ReadBackResult]:
    """Each read-back on the first applied object of its type that it selects (layers in deploy order);
    `design`: claim -> the design check's status on the synthesized stacks."""
    states = list(states)
    results = []
    for rb in read_backs:
        found = next(((s.layer, i) for s in states for i in s.instances(rb.rtype) if rb.where(i)), None)
        if found is None:
            results.append(ReadBackResult(rb.claim, "-", "-", rb.api, rb.expects, None, f"no applied {rb.rtype} selected",
                                          design.get(rb.claim, "")))
            continue
        layer, instance = found
        try:
            read = rb.read(clients, instance, env)
        except Exception as error:  # an API moto does not answer is a failed read, named
            read = Read(False, f"{type(error).__name__}: {error}"[:300])
        results.append(ReadBackResult(rb.claim, layer, instance.address, rb.api, rb.expects, read.ok, read.what,
                                      design.get(rb.claim, "")))
    return results


def markdown(results: Iterable[ReadBackResult], design_line: str) -> list[str]:
    results = list(results)
    if not results:
        return []
    confirmed = sum(1 for r in results if r.outcome == "confirmed")
    passed = sum(1 for r in results if r.design == "pass")
    lines = ["", "### Claims read back from the local AWS", "",
             f"Design check on the synthesized stacks: {design_line}", "",
             "The design check judges the configuration; each claim below is also read on the applied object with "
             "boto3 after the second plan: confirmed when the check passes it and the object holds it, FAILED when "
             "the check passes it and the object does not; agrees / differs when the check fails it.", "",
             "| claim | design check | layer | object | API | expects | read | result |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.claim} | {r.design or '-'} | {r.layer} | `{r.address}` | {r.api} | {r.expects} | "
                     f"{r.read.replace('|', '/')} | {r.outcome} |")
    lines += ["", f"Confirmed on the applied objects: {confirmed} of the {passed} read-back claims the design check passes."]
    return lines
